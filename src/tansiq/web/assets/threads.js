// The liaison thread forms' template picker: show only the fields the chosen template names
// (or the free text). Without this script every field shows, and the hub reads only those the
// chosen template names.
(function () {
  "use strict";
  var picker = document.querySelector("select[data-compose]");
  if (!picker) { return; }
  var fields = document.querySelectorAll(".compose-field");
  function show() {
    var option = picker.options[picker.selectedIndex];
    var wanted = (option.getAttribute("data-params") || "").split(" ");
    for (var i = 0; i < fields.length; i++) {
      var name = fields[i].getAttribute("data-param");
      fields[i].hidden = wanted.indexOf(name) < 0;
    }
  }
  picker.addEventListener("change", show);
  show();
})();
