// The trader's application form: build the route from checkpoints in order or draw it on the
// map, add and remove cargo lines, and ask the hub which authorities the route needs as it
// changes. Without this script the same buttons post the form and the hub does the edits.
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) { return; }
  var text = JSON.parse(form.getAttribute("data-text") || "{}");
  var lang = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(lang);
  var stops = document.getElementById("stops");
  var lines = document.getElementById("cargo-lines");
  var routeField = document.getElementById("route");
  var drawn = [];

  function mode() {
    var chosen = form.querySelector("input[name=route_mode]:checked");
    return chosen ? chosen.value : "checkpoints";
  }

  // -- the map ------------------------------------------------------------------------------
  var mapElement = document.getElementById("map");
  var map = null, routeLayer = null, drawnLayer = null;
  if (mapElement && typeof TansiqMap !== "undefined") {
    map = TansiqMap.show(mapElement, {
      onFeature: function (feature, item) {
        var p = feature.properties;
        if (p.kind === "checkpoint") {
          item.on("click", function (event) {
            if (mode() !== "checkpoints") { return; }
            L.DomEvent.stopPropagation(event);
            addStop(p.code);
          });
        }
      }
    });
    // Added once the map has a view: an empty line has no bounds to project before that.
    routeLayer = L.geoJSON(null, { pane: "route", style: { color: "#111", weight: 4, dashArray: "6 4" } }).addTo(map);
    drawnLayer = L.polyline([], { pane: "route", color: "#0b5cad", weight: 4 }).addTo(map);
    map.on("click", function (event) {
      if (mode() !== "drawn") { return; }
      drawn.push([round(event.latlng.lng), round(event.latlng.lat)]);
      drawnChanged();
    });
  }

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  // -- drawing ------------------------------------------------------------------------------
  var undo = document.getElementById("undo-point");
  var clear = document.getElementById("clear-route");
  var count = document.getElementById("point-count");
  function loadDrawn() {
    drawn = [];
    try {
      var route = JSON.parse(routeField.value || "null");
      if (route && route.type === "Feature") { route = route.geometry; }
      if (route && route.type === "LineString" && Array.isArray(route.coordinates)) {
        drawn = route.coordinates.map(function (c) { return [c[0], c[1]]; });
      }
    } catch (ignored) { drawn = []; }  // the hub reports a malformed route on submit
  }
  function showDrawn() {
    if (drawnLayer) {
      drawnLayer.setLatLngs(drawn.map(function (c) { return [c[1], c[0]]; }));
    }
    // The forms of "{count} points drawn" by plural category; the number picks one.
    var forms = text.points || {};
    var said = forms[new Intl.PluralRules(lang).select(drawn.length)] || forms.other || "";
    count.textContent = said.replace("{count}", numbers.format(drawn.length));
  }
  function drawnChanged() {
    routeField.value = drawn.length ? JSON.stringify({ type: "LineString", coordinates: drawn }) : "";
    showDrawn();
    routeChanged();
  }
  if (map) {
    undo.hidden = false;
    clear.hidden = false;
    undo.addEventListener("click", function () { drawn.pop(); drawnChanged(); });
    clear.addEventListener("click", function () { drawn = []; drawnChanged(); });
    routeField.addEventListener("change", function () { loadDrawn(); showDrawn(); });
    loadDrawn();
    showDrawn();
  }

  // -- route mode ---------------------------------------------------------------------------
  function showMode() {
    var byDrawing = mode() === "drawn";
    form.querySelector(".mode-checkpoints").hidden = byDrawing;
    form.querySelector(".mode-drawn").hidden = !byDrawing;
    if (drawnLayer) { drawnLayer.setStyle({ opacity: byDrawing ? 1 : 0 }); }
    if (mapElement) { mapElement.classList.toggle("drawing", byDrawing); }
  }
  form.querySelectorAll("input[name=route_mode]").forEach(function (radio) {
    radio.addEventListener("change", function () { showMode(); routeChanged(); });
  });
  showMode();

  // -- checkpoints in order -----------------------------------------------------------------
  function renumberStops() {
    var items = stops.querySelectorAll("li.stop");
    items.forEach(function (item, i) {
      var label = (text.stop || "{n}").replace("{n}", numbers.format(i + 1));
      var select = item.querySelector("select");
      select.id = "checkpoints-" + i;
      item.querySelector("label").setAttribute("for", select.id);
      item.querySelector("label").textContent = label;
      item.querySelectorAll("button[data-op]").forEach(function (button) {
        var op = button.getAttribute("data-op");
        button.value = "cp-" + op + "-" + i;
        button.setAttribute("aria-label", text[op] + ": " + label);
      });
    });
  }
  function addStop(code) {
    var items = stops.querySelectorAll("li.stop");
    var empty = Array.prototype.filter.call(items, function (item) {
      return !item.querySelector("select").value;
    })[0];
    var item = empty;
    if (!item) {
      item = items[items.length - 1].cloneNode(true);
      item.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      item.querySelector("select").removeAttribute("aria-invalid");
      item.querySelector("select").removeAttribute("aria-describedby");
      stops.appendChild(item);
    }
    item.querySelector("select").value = code || "";
    renumberStops();
    if (!code) { item.querySelector("select").focus(); }
    routeChanged();
  }
  stops.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-op]");
    if (!button) { return; }
    event.preventDefault();
    var item = button.closest("li.stop");
    var op = button.getAttribute("data-op");
    if (op === "up" && item.previousElementSibling) {
      stops.insertBefore(item, item.previousElementSibling);
    } else if (op === "down" && item.nextElementSibling) {
      stops.insertBefore(item.nextElementSibling, item);
    } else if (op === "remove" && stops.querySelectorAll("li.stop").length > 1) {
      item.remove();
    } else if (op === "remove") {
      item.querySelector("select").value = "";
    }
    renumberStops();
    var again = item.isConnected ? item.querySelector("button[data-op=" + op + "]") : null;
    (again || stops.querySelector("select")).focus();
    routeChanged();
  });
  stops.addEventListener("change", routeChanged);
  document.getElementById("add-stop").addEventListener("click", function (event) {
    event.preventDefault();
    addStop("");
  });

  // -- cargo lines --------------------------------------------------------------------------
  function renumberLines() {
    lines.querySelectorAll("li.cargo-line").forEach(function (item, i) {
      item.querySelector("legend").textContent =
        (text.line || item.getAttribute("data-line") || "{n}").replace("{n}", numbers.format(i + 1));
      item.querySelectorAll("[id^=cargo-]").forEach(function (field) {
        field.id = field.id.replace(/^cargo-\d+-/, "cargo-" + i + "-");
      });
      item.querySelectorAll("label[for^=cargo-]").forEach(function (label) {
        label.setAttribute("for", label.getAttribute("for").replace(/^cargo-\d+-/, "cargo-" + i + "-"));
      });
      item.querySelector("button[data-op]").value = "cargo-remove-" + i;
    });
  }
  document.getElementById("add-line").addEventListener("click", function (event) {
    event.preventDefault();
    var items = lines.querySelectorAll("li.cargo-line");
    var item = items[items.length - 1].cloneNode(true);
    item.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    item.querySelectorAll("input, select").forEach(function (field) {
      field.value = "";
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    lines.appendChild(item);
    renumberLines();
    item.querySelector("input").focus();
  });
  lines.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-op]");
    if (!button) { return; }
    event.preventDefault();
    var items = lines.querySelectorAll("li.cargo-line");
    if (items.length > 1) {
      button.closest("li.cargo-line").remove();
      renumberLines();
    }
    lines.querySelector("input").focus();
  });

  // -- the required authorities, live ------------------------------------------------------
  var timer = null, asked = 0;
  var live = document.getElementById("live");
  var help = document.getElementById("live-help");
  var problem = document.getElementById("live-error");
  function fill(list, items) {
    list.replaceChildren();
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "meta";
      none.textContent = text.none || "";
      list.appendChild(none);
    }
    items.forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "pill";
      li.setAttribute("data-code", entry.code);
      li.textContent = entry.name;  // never innerHTML: names come from parties
      list.appendChild(li);
    });
  }
  function show(found) {
    help.hidden = true;
    fill(document.getElementById("live-authorities"), found.authorities || []);
    fill(document.getElementById("live-checkpoints"), found.checkpoints || []);
    if (found.error) {
      problem.textContent = found.error.message + " ";
      var code = document.createElement("code");
      code.dir = "ltr";
      code.textContent = found.error.code;
      problem.appendChild(code);
      problem.setAttribute("data-code", found.error.code);
      problem.hidden = false;
    } else {
      problem.hidden = true;
      problem.removeAttribute("data-code");
    }
    if (routeLayer) {
      routeLayer.clearLayers();
      if (found.route && mode() === "checkpoints") { routeLayer.addData(found.route); }
    }
  }
  function check() {
    var mine = ++asked;
    live.setAttribute("aria-busy", "true");
    var body = new URLSearchParams(new FormData(form));
    body.delete("op");
    fetch(form.getAttribute("data-check"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) { return response.json(); }).then(function (found) {
      if (mine === asked) { show(found); live.removeAttribute("aria-busy"); }
    }).catch(function () {
      live.removeAttribute("aria-busy");  // the form still works: the hub checks on submit
    });
  }
  function routeChanged() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 250);
  }
  ["corridor_m", "valid_from", "valid_until"].forEach(function (name) {
    form.elements[name].addEventListener("change", routeChanged);
  });
  document.getElementById("check-route").addEventListener("click", function (event) {
    event.preventDefault();
    check();
  });
  function hasRoute() {
    if (mode() === "drawn") { return drawn.length > 1; }
    return Array.prototype.filter.call(stops.querySelectorAll("select"), function (select) {
      return select.value;
    }).length > 1;
  }
  if (hasRoute()) { check(); }
}());
