// The administrators' dashboard (GET /admin/dashboard): totals, deadlines, completion and
// work per person, as numbers, SVG charts (built with createElementNS, coloured by CSS
// classes) and a table with the same numbers.

import { $, h, svg } from "./dom.js";
import { STATUSES } from "./board.js";

const percent = (rate) => {
  const value = Number(rate) || 0;
  return Math.round(Math.max(0, Math.min(1, value > 1 ? value / 100 : value)) * 100);
};

/** An accessible SVG: role img, named by its <title>, described by its <desc>. */
function chart(id, width, height, title, description, ...children) {
  return svg(
    "svg",
    {
      id, class: `chart ${id}`, viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-labelledby": `${id}-title ${id}-desc`, preserveAspectRatio: "xMidYMid meet",
    },
    svg("title", { id: `${id}-title` }, title),
    svg("desc", { id: `${id}-desc` }, description),
    ...children,
  );
}

function statusChart(totals) {
  const width = 420;
  const height = 230;
  const top = 24;
  const baseline = 190;
  const values = STATUSES.map(([status, label]) => [status, label, Number(totals[status]) || 0]);
  const max = Math.max(1, ...values.map(([, , value]) => value));
  const band = (width - 40) / values.length;
  const barWidth = Math.min(56, band * 0.6);
  const description = values.map(([, label, value]) => `${label}: ${value}`).join(", ") + ".";
  return chart(
    "chart-status", width, height, "Tasks by status", description,
    svg("line", { class: "axis", x1: 20, x2: width - 20, y1: baseline, y2: baseline }),
    ...values.map(([status, label, value], index) => {
      const barHeight = Math.round(((baseline - top) * value) / max);
      const x = 20 + band * index + (band - barWidth) / 2;
      const center = x + barWidth / 2;
      return svg(
        "g",
        { class: "bar-group", "data-status": status },
        svg("rect", { class: `bar bar-${status}`, x, y: baseline - barHeight, width: barWidth, height: Math.max(barHeight, value ? 2 : 0), rx: 3 }),
        svg("text", { class: "bar-value", x: center, y: baseline - barHeight - 6, "text-anchor": "middle" }, String(value)),
        svg("text", { class: "bar-label", x: center, y: baseline + 20, "text-anchor": "middle" }, label),
      );
    }),
  );
}

function completionChart(rate) {
  const value = percent(rate);
  const radius = 52;
  const circumference = 2 * Math.PI * radius;
  const filled = (circumference * value) / 100;
  return chart(
    "chart-completion", 160, 160, "Completion rate", `${value}% of all tasks are done.`,
    svg("circle", { class: "ring-track", cx: 80, cy: 80, r: radius, fill: "none", "stroke-width": 18 }),
    svg("circle", {
      class: "ring-value", cx: 80, cy: 80, r: radius, fill: "none", "stroke-width": 18,
      "stroke-dasharray": `${filled.toFixed(2)} ${circumference.toFixed(2)}`, transform: "rotate(-90 80 80)",
    }),
    svg("text", { class: "ring-text", x: 80, y: 88, "text-anchor": "middle" }, `${value}%`),
  );
}

function assigneeChart(people) {
  const width = 720;
  const rowHeight = 34;
  const labelWidth = 170;
  const barLeft = labelWidth + 8;
  const barRight = width - 40;
  const height = Math.max(1, people.length) * rowHeight + 16;
  const rows = people.map((person) => {
    const done = Number(person.done) || 0;
    const overdue = Number(person.overdue) || 0;
    const open = Math.max(0, (Number(person.open) || 0) - overdue);
    return { person, segments: [["done", done], ["open", open], ["overdue", overdue]], total: done + open + overdue };
  });
  const max = Math.max(1, ...rows.map((row) => row.total));
  const description = people.length
    ? people.map((p) => `${p.name}: ${p.open} open, ${p.done} done, ${p.overdue} overdue`).join("; ") + "."
    : "No tasks are assigned yet.";
  return chart(
    "chart-assignees", width, height, "Work by person", description,
    ...(rows.length
      ? rows.map((row, index) => {
          const y = 8 + index * rowHeight;
          let x = barLeft;
          const name = row.person.name || row.person.userId;
          const shortName = name.length > 24 ? `${name.slice(0, 23)}…` : name;
          const parts = row.segments.map(([kind, value]) => {
            const segmentWidth = ((barRight - barLeft) * value) / max;
            const rect = svg("rect", { class: `bar bar-${kind}`, x, y, width: segmentWidth, height: 22 },
              svg("title", null, `${name}: ${value} ${kind}`));
            x += segmentWidth;
            return rect;
          });
          return svg(
            "g",
            { class: "bar-group" },
            svg("text", { class: "bar-label", x: labelWidth, y: y + 16, "text-anchor": "end" }, shortName),
            ...parts,
            svg("text", { class: "bar-value", x: x + 6, y: y + 16 }, String(row.total)),
          );
        })
      : [svg("text", { class: "bar-label", x: width / 2, y: 30, "text-anchor": "middle" }, "No tasks are assigned yet.")]),
  );
}

function legend(entries) {
  return h("ul", { class: "legend" }, entries.map(([kind, label]) =>
    h("li", null, h("span", { class: `swatch swatch-${kind}`, "aria-hidden": "true" }), label)));
}

function stat(key, label, value, extraClass) {
  return h("li", { class: `stat ${extraClass || ""}`, dataset: { testid: `stat-${key}` } },
    h("span", { class: "stat-value" }, String(value)),
    h("span", { class: "stat-label" }, label));
}

export class Dashboard {
  constructor(app) {
    this.app = app;
    this.loaded = false;
    this.stale = true;
  }

  reset() {
    this.loaded = false;
    this.stale = true;
    $("dashboard").replaceChildren();
    $("dashboard").dataset.loaded = "false";
  }

  async load() {
    const container = $("dashboard");
    container.setAttribute("aria-busy", "true");
    try {
      const me = this.app.me;
      const data = await this.app.api.get("/admin/dashboard");
      if (this.app.me !== me) return; // signed out meanwhile
      this.render(data);
      this.loaded = true;
      this.stale = false;
    } finally {
      container.setAttribute("aria-busy", "false");
    }
  }

  render(data) {
    const totals = data.totals || {};
    const people = (data.byAssignee || []).slice().sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const all = STATUSES.reduce((sum, [status]) => sum + (Number(totals[status]) || 0), 0);
    const container = $("dashboard");
    container.replaceChildren(
      h("ul", { class: "stats", "aria-label": "Totals" },
        stat("total", "All tasks", all),
        ...STATUSES.map(([status, label]) => stat(status, label, Number(totals[status]) || 0)),
        stat("overdue", "Overdue", Number(data.overdue) || 0, Number(data.overdue) ? "stat-alert" : ""),
        stat("due-soon", "Due within 24 hours", Number(data.dueSoon) || 0, Number(data.dueSoon) ? "stat-warn" : ""),
        stat("completion", "Done, of all tasks", `${percent(data.completionRate)}%`)),
      h("div", { class: "charts" },
        h("figure", { class: "card chart-card" }, h("figcaption", null, "Tasks by status"), statusChart(totals)),
        h("figure", { class: "card chart-card chart-small" }, h("figcaption", null, "Completion rate"), completionChart(data.completionRate)),
        h("figure", { class: "card chart-card chart-wide" }, h("figcaption", null, "Work by person"), assigneeChart(people),
          legend([["done", "Done"], ["open", "Open, on time"], ["overdue", "Overdue"]]))),
      h("div", { class: "table-scroll", role: "region", "aria-labelledby": "assignee-table-caption", tabindex: "0" },
        h("table", { id: "assignee-table", class: "data-table" },
          h("caption", { id: "assignee-table-caption" }, "Work by person"),
          h("thead", null, h("tr", null, ["Person", "Open", "Done", "Overdue"].map((text) => h("th", { scope: "col" }, text)))),
          h("tbody", null, people.length
            ? people.map((p) => h("tr", { dataset: { testid: "assignee-row", userId: p.userId } },
                h("th", { scope: "row" }, p.name || p.userId), h("td", null, String(p.open)), h("td", null, String(p.done)), h("td", null, String(p.overdue))))
            : h("tr", null, h("td", { colspan: "4" }, "No tasks are assigned yet."))))),
    );
    container.dataset.loaded = "true";
  }
}
