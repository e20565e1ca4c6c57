// Draws each [data-chart] element with the vendored ECharts from the JSON option beside it (json_script), so no
// inline script is needed (the CSP allows scripts from our own origin only). A data item with a `url` opens it.
//
// Long category names (a county bureau's full name, a product category) are never cut: a chart whose categories run
// down the side (yAxis of type category, reports.dashboards._bar) gets label room from its own width — a third of it,
// 72 to 200 px, the name broken onto lines within it — and a height that gives every category its row of bars.
(function () {
  "use strict";
  var ROW = 12; // px per bar of a category's row, plus the gap between rows
  function fit(el, option) {
    var axis = option.yAxis;
    if (!axis || axis.type !== "category" || !axis.data) { return null; }
    var label = { width: Math.max(72, Math.min(200, Math.round(el.clientWidth / 3))), overflow: "break" };
    var series = option.series || [];
    var bars = series.filter(function (s) { return !s.stack; }).length + (series.some(function (s) { return s.stack; }) ? 1 : 0);
    var height = Math.max(280, 70 + axis.data.length * (bars * ROW + 20));
    el.style.height = height + "px";
    return { yAxis: { axisLabel: label } };
  }
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var option = JSON.parse(source.textContent);
    option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip || {});
    var sized = fit(el, option);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    if (sized) { chart.setOption(sized); }
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.href = params.data.url; }
    });
    window.addEventListener("resize", function () {
      var resized = fit(el, option);
      if (resized) { chart.setOption(resized); }
      chart.resize();
    });
  }
  function start() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
