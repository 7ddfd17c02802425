// The safety alerts on a movement (or anything else), loaded from incidents' own page into a
// placeholder of another feature's page: <section data-incident-alerts="/incidents/on/…">.
// The placeholder holds a link to that page, which is what a reader without scripts follows.
// The fragment is the hub's own escaped HTML, parsed inertly (no script in it runs).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-incident-alerts]"), function (box) {
    var address = box.getAttribute("data-incident-alerts");
    if (!address || address.charAt(0) !== "/" || address.charAt(1) === "/") { return; }
    fetch(address + "?fragment=1", { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (text) {
        if (!text) { return; }
        var parsed = new DOMParser().parseFromString(text, "text/html");
        var section = parsed.querySelector("section");
        if (!section) { return; }
        box.replaceWith(document.importNode(section, true));
      })
      .catch(function () { /* offline: the link stays */ });
  });
}());
