// The zone maps page's map: zones in force, checkpoints, and (after an upload) the new map's
// zones drawn bolder and framed. Data comes from the map element's data-map attribute; no
// tiles unless the hub sets TANSIQ_TILE_URL. Zones are translucent, so where two authorities'
// zones overlap (contested ground) both colours show.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var data = JSON.parse(element.getAttribute("data-map") || "{}");
  var palette = ["#1f6feb", "#b35900", "#6f42c1", "#1a7f37", "#9a6700", "#cf222e"];
  var colours = {};
  function colourOf(authority) {
    if (!(authority in colours)) {
      colours[authority] = palette[Object.keys(colours).length % palette.length];
    }
    return colours[authority];
  }
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) { L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
  var focus = L.featureGroup();
  var layer = L.geoJSON(data, {
    style: function (feature) {
      var p = feature.properties;
      var c = colourOf(p.authority);
      if (p.focus) { return { color: c, weight: 3, fillColor: c, fillOpacity: 0.3 }; }
      return { color: c, weight: 1, fillColor: c, fillOpacity: 0.18 };
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
      if (p.focus) { focus.addLayer(item); }
    }
  }).addTo(map);
  var bounds = focus.getLayers().length ? focus.getBounds().pad(0.5) : layer.getBounds().pad(0.05);
  if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([0, 0], 2); }
}());
