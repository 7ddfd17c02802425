// The deconfliction pages' map: the shell's map (zones, checkpoints) with the movements and
// sites the reader may see drawn over it, and conflicts' places. On the form, a click on the
// map places the site, or adds a point to the drawn route. Without this script the form still
// works with checkpoint codes or typed coordinates.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof TansiqMap === "undefined") { return; }
  var map = TansiqMap.show(element);
  var styles = {
    movement: { color: "#b42318", weight: 4 },
    site: { color: "#7a2e0e", weight: 2, fillColor: "#f79009", fillOpacity: 0.35 },
    conflict: { color: "#cf222e", weight: 3, fillColor: "#cf222e", fillOpacity: 0.55 }
  };
  var data = JSON.parse(element.getAttribute("data-notifications") || "[]");
  var shown = L.geoJSON({ type: "FeatureCollection", features: data }, {
    style: function (feature) { return styles[feature.properties.kind] || {}; },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: "#cf222e", fillOpacity: 0.8 });
    },
    onEachFeature: function (feature, item) {
      var span = document.createElement("span");
      span.textContent = feature.properties.label || "";  // never innerHTML
      item.bindTooltip(span);
    }
  }).addTo(map);
  if (element.hasAttribute("data-focus") && shown.getLayers().length) {
    map.fitBounds(shown.getBounds().pad(0.4));
  }

  var form = document.getElementById("notify-form");
  if (!form) { return; }
  function round(value) { return Math.round(value * 1e6) / 1e6; }
  if (form.getAttribute("data-kind") === "site") {
    var lon = document.getElementById("lon"), lat = document.getElementById("lat");
    var marker = null;
    var place = function () {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      if (isNaN(x) || isNaN(y)) { return; }
      if (marker) { marker.setLatLng([y, x]); } else {
        marker = L.circleMarker([y, x], { radius: 8, color: "#7a2e0e", fillColor: "#f79009", fillOpacity: 0.8 }).addTo(map);
      }
    };
    map.on("click", function (event) {
      lon.value = round(event.latlng.lng);
      lat.value = round(event.latlng.lat);
      place();
    });
    lon.addEventListener("change", place);
    lat.addEventListener("change", place);
    place();
    return;
  }
  var route = document.getElementById("route");
  var codes = document.getElementById("checkpoints");
  var clear = document.getElementById("clear-drawn");
  var drawn = [];
  try {
    var loaded = JSON.parse(route.value || "null");
    if (loaded && loaded.type === "LineString") { drawn = loaded.coordinates; }
  } catch (ignored) { drawn = []; }
  var line = L.polyline([], styles.movement).addTo(map);
  function update() {
    line.setLatLngs(drawn.map(function (c) { return [c[1], c[0]]; }));
    route.value = drawn.length > 1 ? JSON.stringify({ type: "LineString", coordinates: drawn }) : "";
    clear.hidden = drawn.length === 0;
    if (drawn.length) { codes.value = ""; }
  }
  map.on("click", function (event) {
    drawn.push([round(event.latlng.lng), round(event.latlng.lat)]);
    update();
  });
  clear.addEventListener("click", function () { drawn = []; update(); });
  update();
}());
