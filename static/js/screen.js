// The public big screen: fetches the published aggregates, builds one slide for the
// headline, one for the areas and one per published ranking, and cycles through them; the
// data is fetched again every few minutes. Nothing here needs a login but the link's token.
(function () {
  "use strict";
  const root = document.getElementById("screen");
  const labels = JSON.parse(document.getElementById("screen-labels").textContent);
  const slidesEl = document.getElementById("slides");
  const dotsEl = document.getElementById("dots");
  const slideMs = Number(root.dataset.slide) * 1000;
  const refreshMs = Number(root.dataset.refresh) * 1000;
  const text = (tag, content, cls) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = content;
    return el;
  };
  let current = 0;
  let charts = [];

  function card(value, label) {
    const el = text("div", "", "card");
    el.append(text("div", value, "value"), text("div", label, "label"));
    return el;
  }

  function headlineSlide(h) {
    const slide = text("section", "", "slide");
    slide.append(text("h2", `${h.year}年1-${h.month}月`));
    const cards = text("div", "", "cards");
    cards.append(
      card(h.projects, labels.projects),
      // Figures are printed as the server wrote them (lib/figures_format.py), never re-rounded.
      card(h.text.total_investment_yi, labels.investment),
      card(h.text.completed_yi, labels.completed),
      card(h.text.share === null ? "—" : `${h.text.share}%`, `${labels.share} · ${labels.schedule} ${h.text.schedule}%`),
      card(h.starts, labels.starts),
    );
    const lamps = text("div", "", "card");
    for (const [colour, n] of Object.entries(h.lights)) {
      if (!n) continue;
      const row = text("div", "", "value");
      row.append(text("span", "", `lamp ${colour}`), document.createTextNode(` ${n}`));
      row.style.fontSize = "44px";
      lamps.append(row);
    }
    lamps.append(text("div", labels.lights, "label"));
    cards.append(lamps);
    slide.append(cards);
    return slide;
  }

  function areasSlide(areas) {
    const slide = text("section", "", "slide");
    slide.append(text("h2", labels.areas));
    const chartEl = text("div", "", "chart");
    slide.append(chartEl);
    slide.draw = () => {
      const chart = echarts.init(chartEl);
      chart.setOption({
        animation: false,
        textStyle: { fontSize: 22, color: "#e9eef5" },
        grid: { left: 220, right: 80, top: 20, bottom: 40 },
        xAxis: { type: "value", max: 150, axisLabel: { color: "#9fb3c8", fontSize: 20 },
          splitLine: { lineStyle: { color: "#1f3a5f" } } },
        yAxis: { type: "category", data: areas.map((a) => a.name), inverse: true,
          axisLabel: { color: "#e9eef5", fontSize: 26 } },
        series: [{ type: "bar", data: areas.map((a) => a.share || 0), barWidth: 28,
          itemStyle: { color: "#3a86ff" },
          label: { show: true, position: "right", color: "#fff", fontSize: 24,
            formatter: (p) => (areas[p.dataIndex].text.share === null ? "—" : `${areas[p.dataIndex].text.share}%`) } }],
      });
      charts.push(chart);
    };
    return slide;
  }

  function rankingSlide(ranking) {
    const slide = text("section", "", "slide");
    slide.append(text("h2", `${ranking.scheme} · ${ranking.period}`));
    const groups = text("div", "", "ranking-groups");
    for (const group of ranking.groups) {
      const table = document.createElement("table");
      table.append(text("caption", group.name));
      const head = document.createElement("tr");
      head.append(text("th", labels.rank), text("th", ""), text("th", labels.unit), text("th", labels.score, "num"));
      table.append(head);
      for (const row of group.rows) {
        const tr = document.createElement("tr");
        const change = row.change === null ? "" : row.change > 0 ? `↑${row.change}` : row.change < 0 ? `↓${-row.change}` : "";
        const lamp = text("td", "");
        lamp.append(text("span", "", `lamp ${row.light}`));
        tr.append(text("td", row.rank, "num"), lamp, text("td", row.unit), text("td", row.total.toFixed(2), "num"));
        tr.lastChild.append(text("span", ` ${change}`, row.change > 0 ? "up" : "down"));
        table.append(tr);
      }
      groups.append(table);
    }
    slide.append(groups);
    return slide;
  }

  function show(index) {
    const slides = [...slidesEl.children];
    if (!slides.length) return;
    current = index % slides.length;
    slides.forEach((s, i) => s.classList.toggle("on", i === current));
    [...dotsEl.children].forEach((d, i) => d.classList.toggle("on", i === current));
    const slide = slides[current];
    if (slide.draw && !slide.drawn) {
      slide.draw();
      slide.drawn = true;
    }
  }

  function build(data) {
    charts.forEach((c) => c.dispose());
    charts = [];
    slidesEl.replaceChildren();
    dotsEl.replaceChildren();
    if (data.headline) {
      document.getElementById("screen-period").textContent = data.headline.period;
      slidesEl.append(headlineSlide(data.headline));
      if (data.areas.length) slidesEl.append(areasSlide(data.areas));
    }
    data.rankings.forEach((r) => slidesEl.append(rankingSlide(r)));
    if (!slidesEl.children.length) slidesEl.append(text("section", labels.empty, "slide empty"));
    [...slidesEl.children].forEach(() => dotsEl.append(document.createElement("span")));
    show(0);
  }

  function load() {
    fetch(root.dataset.url, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then(build)
      .catch(() => {}); // keep showing the last figures if the network blinks
  }

  function tick() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    document.getElementById("screen-clock").textContent =
      `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
  }

  load();
  tick();
  setInterval(() => show(current + 1), slideMs);
  setInterval(load, refreshMs);
  setInterval(tick, 30000);
})();
