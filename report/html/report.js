// Filters for the crossgate HTML report. The page works without this script (everything is
// shown); with it, the findings can be narrowed by severity and by text.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[data-sev]"));
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var findings = Array.prototype.slice.call(document.querySelectorAll("details.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));

  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute("data-sev")] = b.checked; });
    var text = search.value.trim().toLowerCase();
    var n = 0;
    findings.forEach(function (f) {
      var visible = on[f.getAttribute("data-sev")] && (text === "" || f.getAttribute("data-search").indexOf(text) >= 0);
      f.hidden = !visible;
      if (visible) { n++; }
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("details.finding:not([hidden])"); });
    shown.textContent = n + " of " + findings.length + " shown";
  }
  function openAll(open) {
    findings.forEach(function (f) { if (!f.hidden) { f.open = open; } });
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("expand").addEventListener("click", function () { openAll(true); });
  document.getElementById("collapse").addEventListener("click", function () { openAll(false); });
  // A link to #f-FINGERPRINT opens that finding.
  if (location.hash.indexOf("#f-") === 0) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) { target.open = true; }
  }
  apply();
})();
