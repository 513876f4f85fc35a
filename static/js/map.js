// The project map: the deployment's boundary (GeoJSON registered with ECharts, no online
// tiles) and the projects as points sized by investment and coloured by their light.
(function () {
  "use strict";
  const el = document.getElementById("project-map");
  if (!window.echarts || !window.gjEscape || !el) return;
  const LIGHTS = { red: "#dc3545", yellow: "#ffc107", blue: "#0d6efd", green: "#198754" };
  fetch(el.dataset.url, { headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((data) => {
      const chart = echarts.init(el);
      const points = data.projects.map((p) => ({
        name: p.name,
        value: p.value,
        url: p.url,
        text: p.text,
        itemStyle: { color: LIGHTS[p.colour] || "#6c757d" },
      }));
      const size = (v) => Math.max(6, Math.min(28, Math.sqrt(v[2] / 1000)));
      const series = { type: "scatter", data: points, symbolSize: size };
      const option = {
        animation: false,
        // The tooltip is HTML: the project's name is the user's text, so it is escaped.
        tooltip: {
          trigger: "item",
          formatter: (p) => `${gjEscape(p.name)}<br>${gjEscape(p.data.text)} 万元`,
        },
      };
      if (data.boundary) {
        echarts.registerMap("deployment", data.boundary);
        option.geo = {
          map: "deployment",
          roam: true,
          label: { show: true, color: "#495057" },
          itemStyle: { areaColor: "#f1f3f5", borderColor: "#868e96" },
        };
        option.series = [{ ...series, coordinateSystem: "geo" }];
      } else {
        document.getElementById("map-note").textContent = el.dataset.noBoundary;
        option.xAxis = { type: "value", scale: true };
        option.yAxis = { type: "value", scale: true };
        option.series = [series];
      }
      chart.setOption(option);
      chart.on("click", (p) => p.data && p.data.url && (window.location.href = p.data.url));
      window.addEventListener("resize", () => chart.resize());
    });
})();
