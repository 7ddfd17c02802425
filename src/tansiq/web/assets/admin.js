// The zone map and base layer uploads: read the chosen GeoJSON file into the text box (which is what the
// form sends, so pasting works the same), refusing a file over the hub's body limit here
// rather than after a long upload. No file is sent any other way.
(function () {
  "use strict";
  var form = document.getElementById("zone-upload") || document.getElementById("base-upload");
  if (!form) { return; }
  var input = document.getElementById("file");
  var text = document.getElementById("document");
  var source = document.getElementById("source_name");
  var status = document.getElementById("file-status");
  var limit = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    status.textContent = "";
    if (!file) { return; }
    if (limit && file.size > limit) {
      status.textContent = form.getAttribute("data-too-large");
      input.value = "";
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      text.value = String(reader.result);
      if (!source.value) { source.value = file.name.slice(0, 200); }
      status.textContent = file.name;
    };
    reader.readAsText(file, "utf-8");
  });
}());
