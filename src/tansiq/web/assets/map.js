// The pages' maps: zones in force coloured by authority (the colour numbers and legend come
// from the hub), contested overlaps, checkpoints, and a route or newly uploaded zones framed.
// Data comes from the map element's data-map attribute; no tiles unless the hub sets
// TANSIQ_TILE_URL. A page whose own script drives the map marks it data-map-owner and calls
// TansiqMap.show(element, {onFeature: function (feature, layer) {...}}) itself.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  // The same palette as .zone-0 … .zone-5 in tansiq.css.
  var palette = ["#1f6feb", "#b35900", "#6f42c1", "#1a7f37", "#9a6700", "#0e7490"];

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

  function show(element, options) {
    var settings = options || {};
    var data = JSON.parse(element.getAttribute("data-map") || "{}");
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var tiles = element.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
    var focus = L.featureGroup();
    var route = L.featureGroup();
    var layer = L.geoJSON(data, {
      style: style,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 8, weight: 2, color: feature.properties.open ? "#1a7f37" : "#cf222e",
          fillColor: "#fff", fillOpacity: 1
        });
      },
      onEachFeature: function (feature, item) {
        var p = feature.properties;
        var label = p.kind === "checkpoint" ? p.name + " (" + p.code + ")" : p.name;
        if (label) {
          var span = document.createElement("span");
          span.textContent = label;  // never innerHTML: names come from parties
          item.bindTooltip(span);
        }
        if (p.focus) { focus.addLayer(item); }
        if (p.kind === "route") { route.addLayer(item); }
        if (settings.onFeature) { settings.onFeature(feature, item); }
      }
    }).addTo(map);
    var bounds = focus.getLayers().length ? focus.getBounds().pad(0.5)
      : route.getLayers().length ? route.getBounds().pad(0.3)
      : layer.getBounds().pad(0.05);
    if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([0, 0], 2); }
    return map;
  }

  window.TansiqMap = { show: show };
  var element = document.getElementById("map");
  if (element && !element.hasAttribute("data-map-owner")) { show(element); }
}());
