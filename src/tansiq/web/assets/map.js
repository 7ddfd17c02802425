// The pages' maps. Under everything, the deployment's own base layers (built-up areas, rivers,
// roads, place names); above them the zones in force coloured by authority (the colour numbers
// and legend come from the hub), contested overlaps, a route, and the checkpoints drawn by
// status (open, closed, ...) with their names. Names are permanent labels, the reader's
// language first, shown from the zoom at which they fit (phones have no hover).
//
// The page's data comes from the map element's data-map attribute (GeoJSON). Its "tansiq"
// member names what the map loads by area as it moves: "base" (base layers) and "zones"
// (zones in force, when the page does not carry them all), each asked for the visible area
// snapped to the tile grid of the zoom, at most every 250 ms, answers kept per area.
// No tiles unless the hub sets TANSIQ_TILE_URL. A page whose own script drives the map marks
// it data-map-owner and calls TansiqMap.show(element, {onFeature: function (feature, layer)
// {...}}) itself.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  // The same palette as .zone-0 … .zone-5 in tansiq.css.
  var palette = ["#1f6feb", "#b35900", "#6f42c1", "#1a7f37", "#9a6700", "#0e7490"];
  var MAX_SPAN = 2;  // degrees each way: the hub's limit for one area (geo/viewport.py)
  var DEBOUNCE_MS = 250;
  var KEPT_AREAS = 64;
  // From which zoom a label of each rank is shown (rank 1 always).
  var RANK_ZOOM = { 1: 0, 2: 11.5, 3: 13 };
  var lang = document.documentElement.lang === "ar" ? "ar" : "en";

  function style(feature) {
    var p = feature.properties;
    if (p.kind === "route") { return { color: "#111", weight: 4, dashArray: "6 4" }; }
    if (p.kind === "contested") {
      return { color: "#cf222e", weight: 2, dashArray: "4 3", fillColor: "#cf222e", fillOpacity: 0.3 };
    }
    var c = palette[(p.colour || 0) % palette.length];
    var weight = p.focus ? 3 : (p.required ? 4 : 1);
    return { color: c, weight: weight, fillColor: c, fillOpacity: p.focus ? 0.3 : 0.18 };
  }

  function baseStyle(feature) {
    var p = feature.properties;
    var rank = p.rank || 2;
    if (p.kind === "built_up") {
      return { color: "#b9ad98", weight: 1, fillColor: "#d9d0c1", fillOpacity: 0.8 };
    }
    if (p.kind === "rivers") {
      return { color: "#4a90c8", weight: rank === 1 ? 6 : 3, fillColor: "#9cc8ea", fillOpacity: 0.9,
               lineCap: "round" };
    }
    return { color: rank === 1 ? "#a06a2c" : "#8c8479", weight: rank === 1 ? 5 : (rank === 2 ? 3.5 : 2),
             lineCap: "round", lineJoin: "round" };
  }

  // A name in the reader's language, then the other under it if it differs.
  function nameOf(p) {
    var first = lang === "ar" ? (p.name_ar || p.name_en) : (p.name_en || p.name_ar);
    var second = lang === "ar" ? p.name_en : p.name_ar;
    return { first: first || p.name || "", second: second && second !== first ? second : "" };
  }

  function labelElement(p, extra) {
    var names = nameOf(p);
    if (!names.first) { return null; }
    var box = document.createElement("span");
    var one = document.createElement("span");
    one.className = "first";
    one.textContent = names.first + (extra || "");  // never innerHTML: names come from parties
    box.appendChild(one);
    if (names.second) {
      var two = document.createElement("span");
      two.className = "second";
      two.lang = lang === "ar" ? "en" : "ar";
      two.dir = lang === "ar" ? "ltr" : "rtl";
      two.textContent = names.second;
      box.appendChild(two);
    }
    return box;
  }

  // Which label keeps its place when two would overlap: checkpoints, then towns, quarters and
  // villages, rivers and roads, landmarks, and the zones' names last.
  function priorityOf(kind, rank) {
    if (kind === "checkpoint") { return 0; }
    if (kind === "places") { return rank === 3 ? 5 : rank; }
    return kind === "zone" ? 6 : 3 + rank / 10;
  }

  function label(latlng, p, kind, rank, extra) {
    var content = labelElement(p, extra);
    if (!content) { return null; }
    return L.tooltip({
      permanent: true, interactive: false,
      direction: kind === "checkpoint" ? "right" : (kind === "places" ? "top" : "center"),
      offset: kind === "checkpoint" ? [10, 0] : (kind === "places" ? [0, -3] : [0, 0]),
      className: "map-label label-" + kind + " r" + rank, priority: priorityOf(kind, rank)
    }).setLatLng(latlng).setContent(content);
  }

  // Hide each label that would cover one of higher priority (phones have little room).
  function declutter(groups, element) {
    // The checkpoints' own marks are never covered by a name.
    var placed = Array.prototype.map.call(element.querySelectorAll(".cp-marker"), function (mark) {
      return mark.getBoundingClientRect();
    });
    var all = [];
    groups.forEach(function (group) { all = all.concat(group.getLayers()); });
    all.sort(function (a, b) { return a.options.priority - b.options.priority; });
    function clashes(element) {
      var r = element.getBoundingClientRect();
      var hit = placed.some(function (q) {
        return r.left < q.right && r.right > q.left && r.top < q.bottom && r.bottom > q.top;
      });
      return hit ? null : r;
    }
    function side(tip, direction) {
      if (tip.options.direction === direction) { return; }
      tip.options.direction = direction;
      tip.options.offset = direction === "left" ? [-10, 0] : [10, 0];
      tip.update();
    }
    all.forEach(function (tip) {
      var element = tip.getElement();
      if (!element) { return; }
      element.classList.remove("clash");
      if (window.getComputedStyle(element).display === "none") { return; }
      var flips = tip.options.direction === "right" || tip.options.direction === "left";
      if (flips) { side(tip, "right"); }
      var free = clashes(element);
      if (!free && flips) {  // a checkpoint's name may go on its other side
        side(tip, "left");
        free = clashes(element);
      }
      if (free) { placed.push(free); } else { element.classList.add("clash"); }
    });
  }

  // Where a line's name goes: its middle vertex.
  function middleOf(layer) {
    var points = layer.getLatLngs();
    while (points.length && Array.isArray(points[0])) { points = points[0]; }
    return points.length ? points[Math.floor(points.length / 2)] : null;
  }

  function checkpointMarker(feature, latlng) {
    var p = feature.properties;
    var status = p.status || (p.open ? "open" : "closed");
    var icon = L.divIcon({
      className: "cp-marker cp-" + status, iconSize: [22, 22], iconAnchor: [11, 11],
      html: "<span aria-hidden=\"true\"></span>"
    });
    // Clicks go on to the map (as on any shape), so a route can be drawn through a checkpoint.
    return L.marker(latlng, { icon: icon, pane: "checkpoints", keyboard: false, bubblingMouseEvents: true });
  }

  function zoomClasses(map, element) {
    var z = map.getZoom();
    [2, 3].forEach(function (rank) {
      element.classList.toggle("hide-r" + rank, z < RANK_ZOOM[rank]);
    });
  }

  // The area to ask for: the view grown to the tile grid of its zoom (so small pans ask for
  // the same area again and find it kept), at most MAX_SPAN degrees around the middle.
  function areaOf(map) {
    var zoom = Math.max(0, Math.min(22, Math.round(map.getZoom())));
    var step = 360 / Math.pow(2, zoom);
    var b = map.getBounds();
    var box = [Math.floor(b.getWest() / step) * step, Math.floor(b.getSouth() / step) * step,
               Math.ceil(b.getEast() / step) * step, Math.ceil(b.getNorth() / step) * step];
    [[0, 2], [1, 3]].forEach(function (pair) {
      if (box[pair[1]] - box[pair[0]] > MAX_SPAN) {
        var middle = (box[pair[0]] + box[pair[1]]) / 2;
        box[pair[0]] = middle - MAX_SPAN / 2;
        box[pair[1]] = middle + MAX_SPAN / 2;
      }
    });
    box[0] = Math.max(box[0], -180); box[2] = Math.min(box[2], 180);
    box[1] = Math.max(box[1], -90); box[3] = Math.min(box[3], 90);
    return { zoom: zoom, bbox: box.map(function (v) { return v.toFixed(6); }).join(",") };
  }

  // One layer loaded by area: asks when the map stops moving, keeps answers per area, and
  // ignores an answer that arrives after the map moved on.
  function areaLoader(map, element, url, name, draw) {
    var kept = new Map();
    var timer = null;
    var asked = "";
    var pending = "";
    function show(key, data) {
      if (key !== asked) { return; }
      draw(data);
      element.setAttribute("data-" + name + "-area", key);
      element.setAttribute("data-" + name + "-count", String((data.features || []).length));
    }
    function load() {
      var area = areaOf(map);
      var key = area.bbox + "/" + area.zoom;
      asked = key;
      element.setAttribute("data-" + name + "-asked", key);
      if (kept.has(key)) { show(key, kept.get(key)); return; }
      if (key === pending) { return; }
      pending = key;
      var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + area.bbox + "&zoom=" + area.zoom;
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (data) {
          if (pending === key) { pending = ""; }
          if (!data) { return; }
          kept.set(key, data);
          if (kept.size > KEPT_AREAS) { kept.delete(kept.keys().next().value); }
          show(key, data);
        })
        .catch(function () { if (pending === key) { pending = ""; } });  // offline: keep what is shown
    }
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(load, DEBOUNCE_MS);
    });
    return load;
  }

  function show(element, options) {
    var settings = options || {};
    var data = JSON.parse(element.getAttribute("data-map") || "{}");
    var live = data.tansiq || {};
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    map.createPane("base").style.zIndex = 250;
    map.createPane("zones").style.zIndex = 390;
    map.createPane("route").style.zIndex = 450;
    map.createPane("checkpoints").style.zIndex = 610;
    var tiles = element.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
    var labels = L.layerGroup().addTo(map);
    var labelGroups = [labels];
    var tidy = function () { zoomClasses(map, element); declutter(labelGroups, element); };
    var loaders = [];
    var focus = L.featureGroup();
    var route = L.featureGroup();

    function onEach(feature, item) {
      var p = feature.properties;
      var names = nameOf(p);
      if (p.kind === "checkpoint") {
        // Always named (decluttered): an officer or a driver looks for the checkpoints first.
        var tip = label(item.getLatLng(), p, "checkpoint", 1);
        if (tip) { labels.addLayer(tip); }
        item.options.title = names.first + " (" + p.code + ")";
      } else if (names.first && (p.kind === "zone" || p.kind === "outline")) {
        var span = document.createElement("span");
        span.textContent = names.first;  // never innerHTML: names come from parties
        item.bindTooltip(span, { sticky: true });
      }
      if (p.focus) { focus.addLayer(item); }
      if (p.kind === "route") { route.addLayer(item); }
      if (settings.onFeature) { settings.onFeature(feature, item); }
    }
    var options = {
      style: style, pointToLayer: checkpointMarker, onEachFeature: onEach
    };
    var inline = L.geoJSON(null, options).addTo(map);
    (data.features || []).forEach(function (feature) {
      if (feature.properties.kind === "route") {
        L.geoJSON(feature, { style: style, pane: "route", onEachFeature: onEach }).addTo(map);
      } else {
        inline.addData(feature);
      }
    });

    if (live.base) {
      var base = L.geoJSON(null, {
        pane: "base", style: baseStyle, interactive: false,
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { pane: "base", radius: 3, color: "#5b5347", weight: 1,
                                          fillColor: "#5b5347", fillOpacity: 1 });
        }
      }).addTo(map);
      var baseLabels = L.layerGroup().addTo(map);
      labelGroups.push(baseLabels);
      loaders.push(areaLoader(map, element, live.base, "base", function (answer) {
        base.clearLayers();
        baseLabels.clearLayers();
        // Areas first, then rivers, then roads: each drawn above the one before.
        var order = { built_up: 0, rivers: 1, roads: 2, places: 3 };
        (answer.features || []).slice().sort(function (a, b) {
          return order[a.properties.kind] - order[b.properties.kind] || b.properties.rank - a.properties.rank;
        }).forEach(function (feature) {
          base.addData(feature);
          var p = feature.properties;
          var layers = base.getLayers();
          var layer = layers[layers.length - 1];
          var at = p.kind === "places" ? layer.getLatLng()
            : (p.kind === "built_up" ? null : middleOf(layer));
          var tip = at ? label(at, p, p.kind, p.kind === "places" ? p.rank : Math.min(3, p.rank + 2)) : null;
          if (tip) { baseLabels.addLayer(tip); }
        });
        tidy();
      }));
    }
    if (live.zones) {
      var zoneLabels = L.layerGroup().addTo(map);
      labelGroups.push(zoneLabels);
      var zones = L.geoJSON(null, { style: style, pane: "zones", onEachFeature: onEach }).addTo(map);
      loaders.push(areaLoader(map, element, live.zones, "zones", function (answer) {
        zones.clearLayers();
        zoneLabels.clearLayers();
        zones.addData(answer);
        (answer.features || []).forEach(function (feature) {
          var p = feature.properties;
          if (p.kind !== "zone" || !p.label_at) { return; }
          var tip = label([p.label_at[1], p.label_at[0]], p, "zone", 3);
          if (tip) { zoneLabels.addLayer(tip); }
        });
        tidy();
      }));
    }

    var bounds = focus.getLayers().length ? focus.getBounds().pad(0.5)
      : route.getLayers().length ? route.getBounds().pad(0.3)
      : live.bounds ? L.latLngBounds([live.bounds[1], live.bounds[0]], [live.bounds[3], live.bounds[2]]).pad(0.05)
      : inline.getBounds().pad(0.05);
    if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([0, 0], 2); }
    loaders.forEach(function (load) { load(); });
    tidy();
    map.on("zoomend moveend", tidy);
    return map;
  }

  window.TansiqMap = { show: show };
  var element = document.getElementById("map");
  if (element && !element.hasAttribute("data-map-owner")) { show(element); }
}());
