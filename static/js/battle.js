// The project battle map: milestones on a time axis, first plan as a hollow ghost, current
// plan, and actual (late in orange); overdue plans in red; a line for today. Data comes from
// the page (#battle-data), shaped by gongjian/projects/battle.py.
(function () {
  "use strict";
  const el = document.getElementById("battle-chart");
  if (!window.echarts || !window.gjEscape || !el) return;
  const data = JSON.parse(document.getElementById("battle-data").textContent);
  const names = data.rows.map((r) => r.name);
  // Each point carries its own colour, so the legend keeps the series' plain one.
  const point = (key, colour) =>
    data.rows
      .map((r, i) => (r[key] ? { value: [r[key], i], itemStyle: { color: colour(r) } } : null))
      .filter(Boolean);
  const planColour = (r) => (r.state === "overdue" ? "#dc3545" : "#0d6efd");
  const doneColour = (r) => (r.state === "late" ? "#fd7e14" : "#198754");
  const chart = echarts.init(el);
  chart.setOption({
    animation: false, // a still picture: nothing to watch grow, and screenshots are complete
    grid: { left: 110, right: 30, top: 56, bottom: 40 }, // room for the legend and "today" above
    legend: { top: 5 },
    // The tooltip is HTML: milestone names are configured text, so everything is escaped.
    tooltip: {
      trigger: "item",
      formatter: (p) =>
        p.componentType === "markLine"
          ? `${gjEscape(data.labels.today)}: ${gjEscape(data.today)}`
          : `${gjEscape(names[p.value[1]])}<br>${gjEscape(p.seriesName)}: ${gjEscape(p.value[0])}`,
    },
    xAxis: { type: "time", axisLabel: { hideOverlap: true } }, // a phone has room for few dates
    yAxis: { type: "category", data: names, inverse: true },
    series: [
      {
        name: data.labels.baseline,
        type: "scatter",
        symbol: "emptyCircle",
        symbolSize: 12,
        itemStyle: { color: "#adb5bd" },
        data: point("baseline", () => "#adb5bd"),
      },
      {
        name: data.labels.planned,
        type: "scatter",
        symbol: "diamond",
        symbolSize: 14,
        itemStyle: { color: "#0d6efd" },
        data: point("planned", planColour),
        markLine: {
          symbol: "none",
          lineStyle: { color: "#6c757d", type: "dashed" },
          label: { formatter: data.labels.today, position: "start" }, // the top (y is inverted), clear of the dates
          data: [{ xAxis: data.today }],
        },
      },
      {
        name: data.labels.actual,
        type: "scatter",
        symbol: "circle",
        symbolSize: 12,
        itemStyle: { color: "#198754" },
        data: point("actual", doneColour),
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
