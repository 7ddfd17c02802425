// The incidents' pages' map: the shell's map (base layers, zones, checkpoints) with the
// incidents and advisories drawn over it, coloured by severity (an advisory dashed), each
// named on hover and focus and opening its page on click. On the forms, the reader draws the
// place: a point, a line (click each bend) or an area (click each corner), and the drawing is
// written as GeoJSON into the form's "location" field. Without this script the pages still
// work: the list is a list, and the place is typed as GeoJSON.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof TansiqMap === "undefined") { return; }
  var map = TansiqMap.show(element);
  var COLOURS = { minor: "#4d7c0f", moderate: "#b35900", severe: "#cf222e", extreme: "#6e1111" };

  function style(feature) {
    var p = feature.properties;
    var colour = COLOURS[p.severity] || "#6f42c1";
    if (p.kind === "watch") {
      return { color: "#0e7490", weight: 3, dashArray: "2 6", fillColor: "#0e7490", fillOpacity: 0.12 };
    }
    return {
      color: colour, weight: p.kind === "advisory" ? 4 : 3, dashArray: p.kind === "advisory" ? "8 5" : null,
      fillColor: colour, fillOpacity: 0.25
    };
  }

  var data = JSON.parse(element.getAttribute("data-hazards") || "[]");
  var shown = L.geoJSON({ type: "FeatureCollection", features: data }, {
    style: style,
    pointToLayer: function (feature, latlng) {
      var colour = COLOURS[feature.properties.severity] || "#6f42c1";
      return L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95 });
    },
    onEachFeature: function (feature, item) {
      var span = document.createElement("span");
      span.textContent = feature.properties.label || "";  // never innerHTML: parties wrote it
      item.bindTooltip(span);
      if (feature.properties.url) {
        item.on("click", function () { window.location.assign(feature.properties.url); });
      }
    }
  }).addTo(map);
  if ((element.hasAttribute("data-focus") || element.hasAttribute("data-draw")) && shown.getLayers().length) {
    map.fitBounds(shown.getBounds().pad(0.6), { maxZoom: 13 });
  }

  // --- drawing, on the forms ---------------------------------------------------------------------

  var form = document.getElementById("in-form");
  var field = document.getElementById("location");
  var tools = document.querySelector(".in-draw-tools");
  if (!form || !field || !tools || !element.hasAttribute("data-draw")) { return; }
  var said = document.getElementById("in-drawn");
  var buttons = Array.prototype.slice.call(tools.querySelectorAll("[data-shape]"));
  var clear = tools.querySelector("[data-clear]");
  var drawn = L.layerGroup().addTo(map);
  var shape = null;
  var points = [];
  var allowed = [];

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function geometry() {
    if (shape === "point" && points.length) { return { type: "Point", coordinates: points[0] }; }
    if (shape === "line" && points.length > 1) { return { type: "LineString", coordinates: points }; }
    if (shape === "area" && points.length > 2) {
      // GeoJSON's outer ring runs counter-clockwise (RFC 7946 §3.1.6), however it was clicked.
      var twice = 0;
      points.forEach(function (c, i) {
        var next = points[(i + 1) % points.length];
        twice += c[0] * next[1] - next[0] * c[1];
      });
      var ring = twice < 0 ? points.slice().reverse() : points.slice();
      return { type: "Polygon", coordinates: [ring.concat([ring[0]])] };
    }
    return null;
  }

  function redraw() {
    drawn.clearLayers();
    var latlngs = points.map(function (c) { return [c[1], c[0]]; });
    var colour = "#0b4f6c";
    latlngs.forEach(function (at) {
      drawn.addLayer(L.circleMarker(at, { radius: 5, color: colour, fillColor: "#fff", fillOpacity: 1, weight: 2 }));
    });
    if (shape === "line" && latlngs.length > 1) { drawn.addLayer(L.polyline(latlngs, { color: colour, weight: 4 })); }
    if (shape === "area" && latlngs.length > 1) {
      drawn.addLayer(L.polygon(latlngs, { color: colour, weight: 3, fillOpacity: 0.2 }));
    }
    var value = geometry();
    field.value = value ? JSON.stringify(value) : "";
    said.textContent = value ? said.getAttribute("data-" + shape) : said.getAttribute("data-none");
    clear.hidden = points.length === 0;
  }

  function choose(name) {
    if (shape !== name) { points = shape === "point" ? [] : points; }
    shape = name;
    if (name === "point") { points = points.slice(0, 1); }
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-shape") === name));
    });
    redraw();
  }

  // Only the shapes this form takes (an advisory's kind decides its own).
  function offer(list) {
    allowed = list;
    buttons.forEach(function (button) { button.hidden = list.indexOf(button.getAttribute("data-shape")) < 0; });
    tools.hidden = list.length === 0;
    if (list.indexOf(shape) < 0) { points = []; choose(list[0] || null); }
  }

  // What was typed or sent back with an error is shown, and can be drawn on.
  try {
    var loaded = JSON.parse(field.value || "null");
    if (loaded && loaded.type === "Point") { shape = "point"; points = [loaded.coordinates]; }
    if (loaded && loaded.type === "LineString") { shape = "line"; points = loaded.coordinates; }
    if (loaded && loaded.type === "Polygon") { shape = "area"; points = loaded.coordinates[0].slice(0, -1); }
  } catch (ignored) { points = []; }

  map.on("click", function (event) {
    if (!shape) { return; }
    var at = [round(event.latlng.lng), round(event.latlng.lat)];
    points = shape === "point" ? [at] : points.concat([at]);
    redraw();
  });
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { choose(button.getAttribute("data-shape")); });
  });
  clear.addEventListener("click", function () { points = []; redraw(); });
  field.addEventListener("change", function () {
    try {
      var typed = JSON.parse(field.value);
      if (typed.type === "Point") { shape = "point"; points = [typed.coordinates]; }
      else if (typed.type === "LineString") { shape = "line"; points = typed.coordinates; }
      else if (typed.type === "Polygon") { shape = "area"; points = typed.coordinates[0].slice(0, -1); }
      redraw();
    } catch (ignored) { /* the hub says what is wrong with it */ }
  });

  var shapes = form.getAttribute("data-shapes");
  var kind = document.getElementById("kind");
  if (shapes && kind) {
    var byKind = JSON.parse(shapes);
    var row = document.getElementById("in-checkpoint-row");
    var card = document.getElementById("in-draw-card");
    var follow = function () {
      var wanted = byKind[kind.value] || "";
      row.hidden = kind.value !== "checkpoint_closed";
      card.hidden = !wanted;
      offer(wanted ? wanted.split(" ") : []);
    };
    kind.addEventListener("change", follow);
    follow();
  } else {
    offer(element.getAttribute("data-draw").split(" "));
  }
  if (shape) { choose(shape); }
  if (points.length && drawn.getLayers().length) {
    map.fitBounds(L.featureGroup(drawn.getLayers()).getBounds().pad(0.8), { maxZoom: 15 });
  }
}());
