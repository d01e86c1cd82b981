// The architecture: the blueprint's resources as boxes coloured by kind, its references as
// labelled arrows, in layers (see layout.js); a click on a box shows the resource's details.

import { h, fill, svg, architecture, loading, showError, pageFrame, copyable } from "/_formwork/console/lib.js";
import { layeredLayout } from "/_formwork/console/layout.js";

const NODE = { width: 196, height: 46 };
const GAP_X = 100;
const LABEL_WIDTH = NODE.width - 22;
/** The legend's order: the request's path through the system, then the rest. */
const KINDS = [
  "distribution", "bucket", "web ACL", "IP set", "REST API", "user pool", "identity pool", "function", "schedule",
  "table", "topic", "email identity", "parameter", "encryption key", "alarm", "dashboard", "trail", "budget",
];
/** Pages that show more of a resource of some kind: [label, hash]. */
const RELATED_PAGE = {
  function: (resource) => ["Logs", `#/logs/${encodeURIComponent(resource.id)}`],
  table: (resource) => ["Items", `#/tables/${encodeURIComponent(resource.name || resource.id)}`],
  "user pool": () => ["Users", "#/users"],
  schedule: () => ["Schedules", "#/schedules"],
  "REST API": () => ["Routes", "#/endpoints"],
  topic: () => ["Outbox", "#/outbox"],
  "email identity": () => ["Outbox", "#/outbox"],
};

export const kindClass = (kind) => `kind-${String(kind).toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

export function createArchitecturePage() {
  const frame = pageFrame("architecture", "Architecture", "The blueprint's resources and their references. Select a resource for its details.");
  const legend = h("ul", { class: "legend", "aria-label": "Kinds of resources" });
  const note = h("p", { class: "graph-note muted small", id: "architecture-note" });
  const graph = h("div", { class: "graph-scroll", id: "architecture-graph" });
  const details = h("aside", { class: "details card", id: "resource-details", "aria-labelledby": "resource-details-heading", hidden: true });
  frame.body.append(legend, h("div", { class: "graph-area" }, graph, details), note);

  let blueprint = null;
  let drawing = null;
  let finished = false;

  /** Text can only be measured while the page is shown. */
  function finish() {
    if (drawing && !finished) {
      drawing.finish();
      finished = true;
    }
  }

  function select(id) {
    const resource = blueprint.resources.find((r) => r.id === id);
    drawing.highlight(resource ? id : null);
    if (!resource) {
      details.hidden = true;
      return;
    }
    fill(details, resourceDetails(resource, blueprint, select, () => select(null)));
    // The panel goes on the side away from the resource, so that its box and arrows stay in view.
    details.classList.toggle("details-left", drawing.isOnRight(id));
    details.hidden = false;
    const node = graph.querySelector(`.node[data-id="${CSS.escape(id)}"]`);
    if (node) node.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  async function load() {
    await loading(frame.element, async () => {
      try {
        blueprint = await architecture();
        showError(frame.errors, null);
      } catch (error) {
        showError(frame.errors, error);
        throw error;
      }
      const kinds = new Set(blueprint.resources.map((r) => r.kind));
      fill(legend, [...KINDS, ...[...kinds].filter((k) => !KINDS.includes(k))]
        .filter((kind) => kinds.has(kind))
        .map((kind) => h("li", null, h("span", { class: `swatch ${kindClass(kind)}`, "aria-hidden": "true" }), kind)));
      drawing = draw(blueprint, select);
      fill(graph, drawing.element);
      fill(note, drawing.note);
      if (!frame.element.hidden) finish();
    }).catch(() => {});
  }

  return {
    element: frame.element,
    show(id) {
      if (!blueprint) {
        load().then(() => id && blueprint && select(id));
        return;
      }
      finish();
      if (id) select(id);
    },
    hide() {},
  };
}

/**
 * The SVG drawing: { element, note, highlight(id), finish() }. A resource that most others refer
 * to (an encryption key, say) would pull a bundle of long arrows across the drawing; its
 * references are shown as a tag on each referring box instead (and in the details).
 */
function draw(blueprint, onSelect) {
  const ids = new Set(blueprint.resources.map((r) => r.id));
  // One arrow per pair and direction, with the labels joined.
  const merged = new Map();
  for (const reference of blueprint.references || []) {
    if (!ids.has(reference.from) || !ids.has(reference.to) || reference.from === reference.to) continue;
    const key = `${reference.from}\u0000${reference.to}`;
    const entry = merged.get(key) || { from: reference.from, to: reference.to, labels: [] };
    if (reference.label && !entry.labels.includes(reference.label)) entry.labels.push(reference.label);
    merged.set(key, entry);
  }
  const hubs = findHubs([...merged.values()], blueprint.resources.length);
  const edges = [...merged.values()].filter((edge) => !hubs.has(edge.to));
  const tags = new Map(); // resource -> hubs it refers to
  for (const edge of merged.values()) {
    if (hubs.has(edge.to)) tags.set(edge.from, [...(tags.get(edge.from) || []), edge.to]);
  }
  const linked = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const connected = blueprint.resources.filter((r) => linked.has(r.id));
  const alone = blueprint.resources.filter((r) => !linked.has(r.id));

  const layout = layeredLayout(connected.map((r) => ({ id: r.id, ...NODE })), edges, { gapX: GAP_X, gapY: 18, dummyHeight: 14 });

  // The resources without arrows go in rows under the graph.
  const columns = Math.max(4, Math.floor((layout.width + GAP_X) / (NODE.width + GAP_X)));
  const aloneTop = connected.length ? layout.height + 34 : 30;
  alone.forEach((resource, index) => {
    layout.nodes.set(resource.id, {
      id: resource.id, ...NODE,
      x: 12 + (index % columns) * (NODE.width + GAP_X),
      y: aloneTop + Math.floor(index / columns) * (NODE.height + 18),
    });
  });
  const width = Math.max(layout.width, alone.length ? 24 + Math.min(alone.length, columns) * (NODE.width + GAP_X) - GAP_X : 0);
  const height = alone.length ? aloneTop + Math.ceil(alone.length / columns) * (NODE.height + 18) + 8 : layout.height;

  const edgeViews = layout.edges.map(({ edge, points, reversed }) => {
    // An arrow drawn against the layers' direction runs a little lower, clear of one the other way.
    const shifted = reversed ? points.map(([x, y]) => [x, y + 6]) : points;
    const label = edge.labels.join("; ");
    const group = svg("g", { class: "edge", dataset: { from: edge.from, to: edge.to } },
      svg("path", { class: "edge-line", d: curve(shifted), "marker-end": "url(#arrow)" }),
      label ? svg("text", { class: "edge-label", "text-anchor": "middle" }, label) : null,
      svg("title", null, `${edge.from} → ${edge.to}${label ? `: ${label}` : ""}`));
    return { element: group, points: shifted };
  });
  const edgeElements = edgeViews.map((view) => view.element);

  const nodeElements = blueprint.resources.map((resource) => {
    const box = layout.nodes.get(resource.id);
    const hubTags = tags.get(resource.id) || [];
    const node = svg("g", {
      class: `node ${kindClass(resource.kind)}`, transform: `translate(${box.x} ${box.y})`, tabindex: "0", role: "button",
      "aria-label": `${resource.id}, ${resource.kind}`, dataset: { id: resource.id, kind: resource.kind, hubs: hubTags.join(" ") },
    },
    svg("title", null, `${resource.id} (${resource.kind})${resource.name ? `\n${resource.name}` : ""}${hubTags.length ? `\n→ ${hubTags.join(", ")}` : ""}`),
    svg("rect", { class: "node-box", width: NODE.width, height: NODE.height, rx: 6 }),
    svg("rect", { class: "node-stripe", width: 5, height: NODE.height, rx: 2 }),
    svg("text", { class: "node-id", x: 14, y: 20 }, resource.id),
    svg("text", { class: "node-kind", x: 14, y: 37 }, resource.kind),
    hubTags.map((hub, index) => {
      const hubResource = blueprint.resources.find((r) => r.id === hub);
      return svg("g", { class: `hub-tag ${kindClass(hubResource.kind)}`, dataset: { hub } },
        svg("rect", { class: "hub-tag-box", x: NODE.width - 8, y: 27 - index * 15, height: 13, rx: 6.5, width: 0 }),
        svg("text", { class: "hub-tag-text", x: NODE.width - 8, y: 37 - index * 15, "text-anchor": "end" }, hub));
    }));
    node.addEventListener("click", () => onSelect(resource.id));
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onSelect(resource.id);
      }
    });
    return node;
  });

  const element = svg("svg", {
    class: "architecture", viewBox: `0 0 ${width} ${height}`, role: "group",
    "aria-label": `${blueprint.resources.length} resources and ${merged.size} references`,
  },
  svg("defs", null,
    svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { class: "arrow-head", d: "M0,0 L10,5 L0,10 z" })),
    svg("marker", { id: "arrow-active", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { class: "arrow-head-active", d: "M0,0 L10,5 L0,10 z" }))),
  alone.length && connected.length ? svg("text", { class: "group-label", x: 12, y: aloneTop - 10 }, "Without arrows") : null,
  svg("g", { class: "edges" }, edgeElements),
  svg("g", { class: "nodes" }, nodeElements));
  // As wide as the page allows, but not so small that the names cannot be read.
  element.style.width = "100%";
  element.style.maxWidth = `${width}px`;
  element.style.minWidth = `${Math.round(width * 0.78)}px`;

  const hubNote = [...hubs].map((hub) => {
    const referring = [...tags].filter(([, list]) => list.includes(hub)).length;
    const labels = [...new Set([...merged.values()].filter((e) => e.to === hub).flatMap((e) => e.labels))].join(", ");
    return `${referring} resources refer to ${hub}${labels ? ` (${labels})` : ""}: a tag on their boxes shows it.`;
  }).join(" ");

  return {
    element,
    note: hubNote,
    isOnRight(id) {
      const box = layout.nodes.get(id);
      return Boolean(box) && box.x + box.width / 2 > width / 2;
    },
    highlight(id) {
      element.classList.toggle("has-selection", Boolean(id));
      const neighbours = new Set();
      for (const edge of merged.values()) {
        if (edge.from === id) neighbours.add(edge.to);
        if (edge.to === id) neighbours.add(edge.from);
      }
      for (const node of nodeElements) {
        node.classList.toggle("selected", node.dataset.id === id);
        node.classList.toggle("neighbour", neighbours.has(node.dataset.id));
      }
      for (const edge of edgeElements) {
        const related = Boolean(id) && (edge.dataset.from === id || edge.dataset.to === id);
        edge.classList.toggle("related", related);
        edge.querySelector("path").setAttribute("marker-end", related ? "url(#arrow-active)" : "url(#arrow)");
        // Related arrows are drawn last, over the others.
        if (related) edge.parentNode.append(edge);
      }
    },
    /** Measures the text once the SVG is shown: shortens names, sizes tags, places arrow labels. */
    finish() {
      for (const text of element.querySelectorAll(".node-id, .node-kind")) {
        const full = text.textContent;
        let length = full.length;
        while (length > 4 && text.getComputedTextLength() > LABEL_WIDTH) {
          length -= 1;
          text.textContent = `${full.slice(0, length)}…`;
        }
      }
      for (const tag of element.querySelectorAll(".hub-tag")) {
        const text = tag.querySelector("text");
        const box = tag.querySelector("rect");
        const textWidth = text.getComputedTextLength();
        box.setAttribute("x", String(NODE.width - 8 - textWidth - 6));
        box.setAttribute("width", String(textWidth + 12));
        text.setAttribute("x", String(NODE.width - 8));
      }
      placeLabels(edgeViews, layout.nodes);
    },
  };
}

/** Resources that at least a quarter of the others (and 8 or more) refer to. */
function findHubs(edges, count) {
  const referring = new Map();
  for (const edge of edges) referring.set(edge.to, (referring.get(edge.to) || 0) + 1);
  return new Set([...referring].filter(([, n]) => n >= Math.max(8, count / 4)).map(([id]) => id));
}

/**
 * Puts each arrow's label on the first spot along the arrow (from the middle outward) where it
 * covers no box and no other label; a label that finds none is shown only when its arrow is.
 */
function placeLabels(edgeViews, boxes) {
  const taken = [...boxes.values()].map((box) => ({ x: box.x, y: box.y, width: box.width, height: box.height }));
  const overlaps = (a) => taken.some((b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height);
  const spots = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85];
  for (const { element, points } of edgeViews) {
    const text = element.querySelector(".edge-label");
    if (!text) continue;
    const width = text.getComputedTextLength() + 6;
    const height = 12;
    let placed = null;
    for (const t of spots) {
      const [x, y] = pointAt(points, t);
      const area = { x: x - width / 2, y: y - height / 2, width, height };
      if (!overlaps(area)) {
        placed = [x, y, area];
        break;
      }
    }
    const [x, y] = placed || pointAt(points, 0.5);
    text.setAttribute("x", String(x));
    text.setAttribute("y", String(y + 3.5));
    if (placed) taken.push(placed[2]);
    else text.classList.add("crowded");
  }
}

/** The point at `t` (0 to 1) along the curve through `points` (see curve()). */
function pointAt(points, t) {
  const segments = points.length - 1;
  const position = Math.min(segments - 1e-9, t * segments);
  const i = Math.floor(position);
  const u = position - i;
  const [x0, y0] = points[i];
  const [x1, y1] = points[i + 1];
  const dx = (x1 - x0) / 2;
  // A cubic Bézier from (x0, y0) to (x1, y1) with horizontal handles of half the distance.
  const a = (1 - u) ** 3;
  const b = 3 * (1 - u) ** 2 * u;
  const c = 3 * (1 - u) * u ** 2;
  const d = u ** 3;
  return [a * x0 + b * (x0 + dx) + c * (x1 - dx) + d * x1, a * y0 + b * y0 + c * y1 + d * y1];
}

/** A smooth path through the points, leaving and entering each one horizontally. */
function curve(points) {
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const dx = (x1 - x0) / 2;
    d += ` C${x0 + dx},${y0} ${x1 - dx},${y1} ${x1},${y1}`;
  }
  return d;
}

function resourceDetails(resource, blueprint, select, close) {
  const byId = new Map(blueprint.resources.map((r) => [r.id, r]));
  const outgoing = (blueprint.references || []).filter((ref) => ref.from === resource.id);
  const incoming = (blueprint.references || []).filter((ref) => ref.to === resource.id);
  const routes = (blueprint.routes || []).filter((route) => route.function === resource.id || route.api === resource.id);
  const related = RELATED_PAGE[resource.kind] && RELATED_PAGE[resource.kind](resource);
  const referenceList = (references, direction) => (references.length
    ? h("ul", { class: "reference-list" }, references.map((ref) => {
      const other = direction === "out" ? ref.to : ref.from;
      const otherKind = byId.get(other) ? byId.get(other).kind : "";
      return h("li", null,
        h("button", { type: "button", class: "link-button", onclick: () => select(other) }, other),
        otherKind ? h("span", { class: "muted" }, ` ${otherKind}`) : null,
        ref.label ? h("span", { class: "reference-label" }, ref.label) : null);
    }))
    : h("p", { class: "muted" }, "None."));
  return [
    h("div", { class: "details-head" },
      h("h3", { id: "resource-details-heading" }, resource.id),
      h("button", { type: "button", class: "close-button", onclick: close, "aria-label": "Close the details", title: "Close" }, "×")),
    h("p", null, h("span", { class: `kind-badge ${kindClass(resource.kind)}` }, resource.kind),
      related ? h("a", { class: "related-link", href: related[1] }, `${related[0]} →`) : null),
    h("dl", { class: "facts" },
      h("dt", null, "Local name"), h("dd", null, copyable(resource.name)),
      h("dt", null, "ARN"), h("dd", null, copyable(resource.arn)),
      resource.url ? [h("dt", null, "URL"), h("dd", null, copyable(resource.url))] : null,
      h("dt", null, "Declared at"), h("dd", null, resource.declaredAt ? h("code", null, resource.declaredAt) : h("span", { class: "muted" }, "—"))),
    h("h4", null, `Refers to (${outgoing.length})`),
    referenceList(outgoing, "out"),
    h("h4", null, `Referred to by (${incoming.length})`),
    referenceList(incoming, "in"),
    routes.length ? [
      h("h4", null, `Routes (${routes.length})`),
      h("ul", { class: "route-list" }, routes.map((route) => h("li", null,
        h("span", { class: `method method-${route.method.toLowerCase()}` }, route.method), " ", h("code", null, route.path),
        resource.kind === "REST API" ? h("span", { class: "muted" }, ` → ${route.function}`) : null))),
    ] : null,
  ];
}
