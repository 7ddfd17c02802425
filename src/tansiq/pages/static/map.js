// The application page's map: zones in force, checkpoints and the route, from the JSON in
// the map element's data-map attribute. No tiles unless the hub sets TANSIQ_TILE_URL.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var data = JSON.parse(element.getAttribute("data-map") || "{}");
  // The same palette as .zone-0 … .zone-5 in tansiq.css; the hub numbers the authorities.
  var palette = ["#1f6feb", "#b35900", "#6f42c1", "#1a7f37", "#9a6700", "#0e7490"];
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) { L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
  var layer = L.geoJSON(data, {
    style: function (feature) {
      var p = feature.properties;
      if (p.kind === "route") { return { color: "#111", weight: 4, dashArray: "6 4" }; }
      if (p.kind === "contested") {
        return { color: "#cf222e", weight: 2, dashArray: "4 3", fillColor: "#cf222e", fillOpacity: 0.3 };
      }
      var c = palette[p.colour % palette.length];
      return { color: c, weight: p.required ? 4 : 1, fillColor: c, fillOpacity: 0.18 };
    },
    pointToLayer: function (feature, latlng) {
      var open = feature.properties.open;
      return L.circleMarker(latlng, {
        radius: 7, weight: 2, color: open ? "#1a7f37" : "#cf222e",
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
    }
  }).addTo(map);
  var route = layer.getLayers().filter(function (l) {
    return l.feature && l.feature.properties.kind === "route";
  })[0];
  var bounds = route ? route.getBounds().pad(0.3) : layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([0, 0], 2); }
}());
