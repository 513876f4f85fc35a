// The leader cockpit: fetch the JSON the server shapes (endpoint URLs in #cockpit's data-
// attributes) and draw it with ECharts. Clicking a unit (bar or table row) drills down: its
// figures, its units and its projects. Clicking a figure card or a pie slice lists the
// projects behind that figure. No framework, no build step.
(function () {
  "use strict";

  const root = document.getElementById("cockpit");
  if (!root || !window.echarts || !window.gjEscape) return;

  const COLOURS = { red: "#dc3545", yellow: "#ffc107", blue: "#0d6efd", green: "#198754" };
  const SERIES_COLOURS = {
    completed_ytd: "#9b1c1c",
    schedule_amount: "#909aa3",
    annual_plan: "#5b8def",
  };
  const state = { unit: root.dataset.unit || "", figure: "all", own: false, page: 1 };
  const charts = {};
  const $ = (selector) => root.querySelector(selector);

  // Money (万元, and totals in 亿元), percentages and points are printed as the server wrote
  // them under "text" (lib/figures_format.py: one rounding, half up), never re-rounded here,
  // so the cockpit shows the bulletin's and the big screen's digits. Numbers are for charts.
  const shown = (text) => (text === null || text === undefined ? "–" : text);
  const pct = (text) => (text === null || text === undefined ? "–" : text + "%");
  const count = (v) => Number(v).toLocaleString("en-US");

  function element(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function url(name, extra) {
    const params = new URLSearchParams({ period: root.dataset.period });
    if (state.unit) params.set("unit", state.unit);
    for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
    return root.dataset[name + "Url"] + "?" + params.toString();
  }

  async function get(name, extra) {
    const response = await fetch(url(name, extra), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(name + ": HTTP " + response.status);
    return response.json();
  }

  function chart(id) {
    if (!charts[id]) charts[id] = window.echarts.init(document.getElementById(id));
    return charts[id];
  }

  // Headline cards and the pie -------------------------------------------------------------

  function drawSummary(data) {
    const figures = data.figures;
    root.querySelectorAll("#cockpit-cards [data-value]").forEach((node) => {
      const value = figures[node.dataset.value];
      const format = node.dataset.format;
      if (format === "yi") node.textContent = shown(figures.text[node.dataset.value + "_yi"]);
      else if (format === "pct") node.textContent = pct(figures.text[node.dataset.value]);
      else if (format === "text") node.textContent = value || "";
      else node.textContent = count(value);
    });
    const computed = $("#cockpit-computed");
    computed.textContent = data.computed_at ? computed.dataset.label + " " + data.computed_at : "";
    chart("chart-lights").setOption(
      {
        // A string template: ECharts escapes the values it fills in ({b} is a light's label).
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0 },
        series: [
          {
            type: "pie",
            radius: ["35%", "65%"],
            center: ["50%", "45%"],
            label: { formatter: "{b}\n{c}" },
            // A colour nobody has would hang a "0" label on nothing.
            data: data.lights.filter((light) => light.count > 0).map((light) => ({
              name: light.label,
              value: light.count,
              colour: light.colour,
              itemStyle: { color: COLOURS[light.colour] },
            })),
          },
        ],
      },
      true,
    );
  }

  // Month by month -------------------------------------------------------------------------

  function drawTrend(data) {
    const largest = Math.max(0, ...data.series.flatMap((s) => s.data));
    const inYi = largest >= 100000;
    const scale = (v) => (v === null ? null : inYi ? v / 10000 : v);
    document.getElementById("trend-unit").textContent = inYi ? "亿元" : "万元";
    chart("chart-trend").setOption(
      {
        tooltip: {
          trigger: "axis",
          formatter(items) {
            const index = items[0].dataIndex;
            // HTML: item.marker is ECharts' own colour dot; every text is escaped.
            const lines = items.map((item) => {
              const series = data.series[item.seriesIndex];
              return item.marker + gjEscape(item.seriesName + ": " + shown((inYi ? series.text_yi : series.text)[index]));
            });
            lines.push(gjEscape(pct(data.text.completion_pct[index]) + " / " + pct(data.text.schedule_pct[index])));
            return gjEscape(items[0].axisValue) + "<br>" + lines.join("<br>");
          },
        },
        legend: { bottom: 0 },
        grid: { left: 60, right: 20, top: 20, bottom: 50 },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value" },
        series: data.series.map((series) => ({
          name: series.name,
          type: "line",
          data: series.data.map(scale),
          color: SERIES_COLOURS[series.key],
          lineStyle: series.key === "completed_ytd" ? { width: 3 } : { type: "dashed" },
          areaStyle: series.key === "completed_ytd" ? { opacity: 0.08 } : undefined,
          symbolSize: series.key === "completed_ytd" ? 7 : 4,
        })),
      },
      true,
    );
  }

  // Units: breadcrumbs, bar chart, table ---------------------------------------------------

  function drawTrail(data) {
    const trail = document.getElementById("cockpit-trail");
    trail.replaceChildren();
    const crumbs = data.home === null ? [{ id: "", name: trail.dataset.label }] : [];
    crumbs.push(...data.trail);
    crumbs.forEach((crumb, index) => {
      const item = element("li", { class: "breadcrumb-item" });
      if (index === crumbs.length - 1) {
        item.classList.add("active");
        item.textContent = crumb.name;
      } else {
        const link = element("a", { href: "#" }, crumb.name);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          drill(crumb.id === "" ? "" : String(crumb.id));
        });
        item.append(link);
      }
      trail.append(item);
    });
  }

  function drawUnits(data) {
    drawTrail(data);
    const rows = data.own ? data.rows.concat([{ ...data.own, isOwn: true }]) : data.rows;
    const many = rows.length > 12;
    const keys = ["annual_plan", "schedule_amount", "completed_ytd"];
    const unitChart = chart("chart-units");
    unitChart.setOption(
      {
        // ECharts' default tooltip escapes the unit names it shows.
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0 },
        grid: { left: 70, right: 20, top: 20, bottom: many ? 95 : 60 },
        xAxis: {
          type: "category",
          data: rows.map((row) => row.short),
          axisLabel: { interval: 0, rotate: many || rows.length > 6 ? 30 : 0 },
        },
        yAxis: { type: "value" },
        dataZoom: many ? [{ type: "inside", endValue: 11 }, { type: "slider", endValue: 11, bottom: 30, height: 16 }] : [],
        series: keys.map((key) => ({
          name: data.series[key],
          type: "bar",
          barMaxWidth: 40,
          color: SERIES_COLOURS[key],
          data: rows.map((row) => row[key]),
        })),
      },
      true,
    );
    unitChart.off("click");
    unitChart.on("click", (params) => choose(rows[params.dataIndex]));

    const body = $("#cockpit-units tbody");
    body.replaceChildren();
    rows.forEach((row) => {
      const tr = element("tr", row.isOwn ? { class: "own" } : { tabindex: "0" });
      const name = element("td", {}, row.name + (row.drillable ? " ›" : ""));
      const gap = element("td", { class: "num" }, shown(row.text.gap_points));
      if (row.gap_points !== null) gap.classList.add(row.gap_points < 0 ? "gap-behind" : "gap-ahead");
      tr.append(
        name,
        element("td", { class: "num" }, count(row.projects)),
        element("td", { class: "num" }, shown(row.text.total_investment)),
        element("td", { class: "num" }, shown(row.text.annual_plan)),
        element("td", { class: "num" }, shown(row.text.completed_ytd)),
        element("td", { class: "num" }, pct(row.text.completion_pct)),
        gap,
        element("td", { class: "num" }, count(row.starts)),
        element("td", { class: "num" }, count(row.completions)),
        element("td", { class: "num" }, count(row.registered)),
        element("td", { class: "num" }, count(row.red)),
        element("td", { class: "num" }, count(row.yellow)),
      );
      tr.addEventListener("click", () => choose(row));
      tr.addEventListener("keydown", (event) => {
        if (event.key === "Enter") choose(row);
      });
      body.append(tr);
    });
    $("#cockpit-units-empty").classList.toggle("d-none", data.rows.length > 0);
  }

  // The focus unit's own projects list only; any other unit becomes the focus.
  function choose(row) {
    if (row.isOwn) {
      showProjects({ figure: "all", own: true, page: 1 }, true);
    } else {
      drill(String(row.id));
    }
  }

  // Projects behind a figure, and the red list ----------------------------------------------

  async function loadProjects() {
    const extra = { figure: state.figure, page: state.page };
    if (state.own) extra.own = "1";
    const data = await get("projects", extra);
    $("#projects-title").textContent = data.title;
    const counter = $("#projects-count");
    counter.textContent = count(data.count) + " " + counter.dataset.label;
    const body = document.getElementById("projects-rows");
    body.replaceChildren();
    data.rows.forEach((row) => {
      const tr = element("tr");
      const name = element("td");
      name.append(element("a", { href: row.url }, row.name));
      const light = element("td");
      if (row.colour) light.append(element("span", { class: "badge light-" + row.colour }, row.colour_label));
      tr.append(
        name,
        element("td", {}, row.unit),
        element("td", {}, row.stage),
        element("td", { class: "num" }, shown(row.text.total_investment)),
        element("td", { class: "num" }, shown(row.text.annual_plan)),
        element("td", { class: "num" }, shown(row.text.completed_ytd)),
        light,
      );
      body.append(tr);
    });
    $("#projects-empty").classList.toggle("d-none", data.rows.length > 0);
    const pageLabel = $("#projects-page");
    pageLabel.textContent = pageLabel.dataset.label + " " + data.page + " / " + data.pages;
    $("#projects-prev").disabled = data.page <= 1;
    $("#projects-next").disabled = data.page >= data.pages;
    state.page = data.page;
    root.querySelectorAll(".cockpit-card").forEach((card) => {
      card.classList.toggle("active", state.figure !== "all" && card.dataset.figure === state.figure);
    });
  }

  function showProjects(changes, scroll) {
    Object.assign(state, changes);
    loadProjects().catch(report);
    if (scroll) document.getElementById("cockpit-projects").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  async function loadReds() {
    const data = await get("reds");
    const list = $("#cockpit-reds");
    list.replaceChildren();
    data.rows.forEach((row) => {
      const item = element("li", { class: "list-group-item" });
      item.append(element("a", { href: row.url }, row.name), " ", element("span", { class: "text-muted" }, row.unit));
      item.append(element("div", {}, row.explanation));
      if (row.clear_hint) item.append(element("div", { class: "text-success" }, row.clear_hint));
      list.append(item);
    });
    $("#reds-empty").classList.toggle("d-none", data.rows.length > 0);
  }

  // Wiring ------------------------------------------------------------------------------------

  function report(error) {
    console.error(error); // eslint-disable-line no-console
  }

  function loadAll() {
    get("summary").then(drawSummary).catch(report);
    get("trend").then(drawTrend).catch(report);
    get("units").then(drawUnits).catch(report);
    loadReds().catch(report);
    loadProjects().catch(report);
  }

  function drill(unit) {
    Object.assign(state, { unit: unit, figure: "all", own: false, page: 1 });
    const form = document.getElementById("cockpit-period");
    form.elements.unit.value = unit;
    const params = new URLSearchParams({ period: root.dataset.period });
    if (unit) params.set("unit", unit);
    window.history.replaceState(null, "", "?" + params.toString());
    loadAll();
  }

  root.querySelectorAll(".cockpit-card").forEach((card) =>
    card.addEventListener("click", () => {
      showProjects({ figure: card.dataset.figure, own: false, page: 1 }, true);
    }),
  );
  chart("chart-lights").on("click", (params) => showProjects({ figure: params.data.colour, own: false, page: 1 }, true));
  $("#projects-prev").addEventListener("click", () => showProjects({ page: state.page - 1 }));
  $("#projects-next").addEventListener("click", () => showProjects({ page: state.page + 1 }));
  const period = document.getElementById("cockpit-period");
  period.elements.period.addEventListener("change", () => period.submit());
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));

  loadAll();
})();
