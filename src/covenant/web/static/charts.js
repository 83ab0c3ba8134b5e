// The charts of an SLO page and of a composite SLO's page (templates/_charts.html): uPlot over
// the JSON embedded in the page (#series). No build step. A page without alert tiers has no
// burn-rate chart.
(function () {
  "use strict";
  var COLORS = ["#1f5fbf", "#b3261e", "#7a4f00", "#2e6b30", "#6a3d9a"];

  function size(el) {
    var width = Math.max(280, Math.min(el.clientWidth || 640, 960));
    return { width: width, height: width < 480 ? 200 : 260 };
  }

  function draw(el, series, data, yLabel) {
    var opts = size(el);
    opts.series = [{ label: "time (UTC)" }].concat(series);
    opts.axes = [{}, { label: yLabel, size: 60 }];
    opts.scales = { x: { time: true } };
    opts.tzDate = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); };
    var chart = new uPlot(opts, data, el);
    el.setAttribute("data-points", String(data[0].length));
    return chart;
  }

  function line(label, color, dashed) {
    var s = { label: label, stroke: color, width: 2, spanGaps: false };
    if (dashed) { s.dash = [6, 4]; s.width = 1.5; s.points = { show: false }; }
    return s;
  }

  function start() {
    var source = document.getElementById("series");
    if (!source || typeof uPlot === "undefined") { return; }
    var d = JSON.parse(source.textContent);
    var flat = function (v) { return d.x.map(function () { return v; }); };
    var charts = {};
    var sli = document.getElementById("chart-sli");
    charts.sli = draw(sli,
      [line((sli.getAttribute("data-label") || "SLI") + " %", COLORS[0]),
        line("target %", COLORS[1], true)],
      [d.x, d.sli, flat(d.target)], "%");
    charts.budget = draw(document.getElementById("chart-budget"),
      [line("budget left %", COLORS[0]), line("ideal %", COLORS[2], true)],
      [d.x, d.budget, d.ideal], "%");
    var burnSeries = [], burnData = [d.x], burn = document.getElementById("chart-burn");
    d.tiers.forEach(function (t, i) {
      var color = COLORS[(i + 1) % COLORS.length];
      burnSeries.push(line(t.name + " burn", color));
      burnData.push(t.burn);
      burnSeries.push(line(t.name + " threshold", color, true));
      burnData.push(flat(t.threshold));
    });
    if (burn) { charts.burn = draw(burn, burnSeries, burnData, "× budget rate"); }
    window.covenantCharts = charts;
    document.body.setAttribute("data-charts", "drawn");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
