// Draws each [data-chart] element with the vendored ECharts from the JSON option beside it (json_script), so no
// inline script is needed (the CSP allows scripts from our own origin only). A data item with a `url` opens it.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var option = JSON.parse(source.textContent);
    option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip || {});
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.href = params.data.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function start() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
