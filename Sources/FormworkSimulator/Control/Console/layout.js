// A layered drawing of a directed graph, left to right: cycles broken by turning around the
// edges that go backward in a greedy order of the nodes, ranks by the longest path to a sink
// (sinks pulled next to their predecessors), a dummy node wherever an edge crosses a layer, a few
// barycenter sweeps to order each layer, then each node placed near its neighbours without
// overlapping.

const SWEEPS = 4;
const COMPONENT_GAP = 30;

/**
 * nodes: [{ id, width, height }]; edges: [{ from, to, ... }] (ids).
 * Returns { nodes: Map id -> { x, y, width, height, layer }, edges: [{ edge, points: [[x, y]…], reversed }], width, height }.
 * Unconnected parts are drawn one under the other, the largest first, their last layers aligned.
 */
export function layeredLayout(nodes, edges, options = {}) {
  const gapX = options.gapX ?? 90;
  const gapY = options.gapY ?? 18;
  const dummyHeight = options.dummyHeight ?? 16;
  const margin = options.margin ?? 12;

  const known = new Set(nodes.map((node) => node.id));
  const usable = edges.filter((edge) => known.has(edge.from) && known.has(edge.to) && edge.from !== edge.to);
  const parts = components(nodes, usable)
    .map((part) => layoutPart(part.nodes, part.edges, gapY, dummyHeight))
    .sort((a, b) => b.size - a.size);

  const layerCount = Math.max(1, ...parts.map((part) => part.layerCount));
  const columnWidth = Math.max(1, ...nodes.map((node) => node.width));
  const byId = new Map();
  const chains = [];
  let top = margin;
  for (const part of parts) {
    const shift = layerCount - part.layerCount;
    for (const [id, node] of part.byId) {
      node.layer += shift;
      node.y += top;
      node.x = margin + node.layer * (columnWidth + gapX) + (node.dummy ? columnWidth / 2 : (columnWidth - node.width) / 2);
      byId.set(id, node);
    }
    chains.push(...part.chains);
    top += part.height + COMPONENT_GAP;
  }
  const height = top - COMPONENT_GAP + margin;
  const width = margin * 2 + layerCount * columnWidth + (layerCount - 1) * gapX;

  const ports = spreadPorts(chains, byId);
  const routed = chains.map((entry) => {
    const { edge, chain, reversed: back } = entry;
    const points = chain.map((id, index) => {
      const node = byId.get(id);
      if (node.dummy) return [node.x, node.y + node.height / 2];
      // Leave a node on its right side, arrive on its left side (in the drawing's direction).
      return index === 0 ? [node.x + node.width, ports.get(entry).start] : [node.x, ports.get(entry).end];
    });
    return { edge, points: back ? points.reverse() : points, reversed: back };
  });

  const placed = new Map([...byId].filter(([, node]) => !node.dummy));
  return { nodes: placed, edges: routed, width, height };
}

/** The weakly connected parts of the graph, each in the nodes' order. */
function components(nodes, edges) {
  const part = new Map(nodes.map((node) => [node.id, node.id]));
  const find = (id) => (part.get(id) === id ? id : find(part.get(id)));
  for (const edge of edges) part.set(find(edge.from), find(edge.to));
  const groups = new Map();
  for (const node of nodes) {
    const root = find(node.id);
    if (!groups.has(root)) groups.set(root, { nodes: [], edges: [] });
    groups.get(root).nodes.push(node);
  }
  for (const edge of edges) groups.get(find(edge.from)).edges.push(edge);
  return [...groups.values()];
}

/** One connected part: layers, dummies, order and heights (from 0). */
function layoutPart(nodes, edges, gapY, dummyHeight) {
  const byId = new Map(nodes.map((node) => [node.id, { ...node, layer: 0, order: 0, y: 0, dummy: false }]));
  const reversed = backEdges(nodes.map((node) => node.id), edges);
  const dag = edges.map((edge) => (reversed.has(edge) ? { edge, u: edge.to, v: edge.from, reversed: true } : { edge, u: edge.from, v: edge.to, reversed: false }));
  rank(byId, dag);

  // Chains of dummies for edges longer than one layer.
  const links = []; // [u, v] between consecutive layers
  const chains = dag.map((entry, index) => {
    const chain = [entry.u];
    const start = byId.get(entry.u).layer;
    const end = byId.get(entry.v).layer;
    for (let layer = start + 1; layer < end; layer++) {
      const id = `dummy:${index}:${layer}`;
      byId.set(id, { id, width: 0, height: dummyHeight, layer, order: 0, y: 0, dummy: true });
      chain.push(id);
    }
    chain.push(entry.v);
    for (let i = 1; i < chain.length; i++) links.push([chain[i - 1], chain[i]]);
    return { ...entry, chain };
  });

  const layers = order(byId, links, nodes.map((node) => node.id));
  place(layers, byId, links, gapY);
  const top = Math.min(...[...byId.values()].map((node) => node.y));
  let height = 0;
  for (const node of byId.values()) {
    node.y -= top;
    height = Math.max(height, node.y + node.height);
  }
  return { byId, chains, layerCount: layers.length, height, size: nodes.length };
}

/**
 * The edges to turn around so that no cycle is left (Eades, Lin and Smyth's greedy order): sinks
 * go to the end, sources to the front, and otherwise the node with the most more edges out than
 * in (on the whole graph when that ties); an edge that goes backward in that order is turned.
 */
function backEdges(ids, edges) {
  const outgoing = new Map(ids.map((id) => [id, new Set()]));
  const incoming = new Map(ids.map((id) => [id, new Set()]));
  for (const edge of edges) {
    outgoing.get(edge.from).add(edge);
    incoming.get(edge.to).add(edge);
  }
  const overall = new Map(ids.map((id) => [id, outgoing.get(id).size - incoming.get(id).size]));
  const left = new Set(ids);
  const front = [];
  const back = [];
  const remove = (id) => {
    left.delete(id);
    for (const edge of outgoing.get(id)) incoming.get(edge.to).delete(edge);
    for (const edge of incoming.get(id)) outgoing.get(edge.from).delete(edge);
  };
  while (left.size) {
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of [...left]) {
        if (!outgoing.get(id).size) {
          back.unshift(id);
          remove(id);
          changed = true;
        } else if (!incoming.get(id).size) {
          front.push(id);
          remove(id);
          changed = true;
        }
      }
    }
    if (!left.size) break;
    let best = null;
    for (const id of left) {
      const score = outgoing.get(id).size - incoming.get(id).size;
      const bestScore = best === null ? -Infinity : outgoing.get(best).size - incoming.get(best).size;
      if (best === null || score > bestScore || (score === bestScore && overall.get(id) > overall.get(best))) best = id;
    }
    front.push(best);
    remove(best);
  }
  const position = new Map([...front, ...back].map((id, index) => [id, index]));
  return new Set(edges.filter((edge) => position.get(edge.from) > position.get(edge.to)));
}

/**
 * Layers by the longest path to a sink, so that what is only referred to (data, keys, pools)
 * ends up on the right; then each sink moves left to sit just after its last predecessor.
 */
function rank(byId, dag) {
  const successors = new Map([...byId.keys()].map((id) => [id, []]));
  const predecessors = new Map([...byId.keys()].map((id) => [id, []]));
  for (const { u, v } of dag) {
    successors.get(u).push(v);
    predecessors.get(v).push(u);
  }
  const height = new Map();
  const measure = (id) => {
    if (!height.has(id)) height.set(id, Math.max(-1, ...successors.get(id).map(measure)) + 1);
    return height.get(id);
  };
  const tallest = Math.max(0, ...[...byId.keys()].map(measure));
  for (const [id, node] of byId) node.layer = tallest - height.get(id);
  for (const [id, node] of byId) {
    const before = predecessors.get(id);
    if (!successors.get(id).length && before.length) node.layer = Math.max(...before.map((p) => byId.get(p).layer)) + 1;
  }
}

/** Orders each layer: first as met, then by barycenters, sweeping down and up. */
function order(byId, links, inputOrder) {
  const count = Math.max(...[...byId.values()].map((node) => node.layer)) + 1;
  const layers = Array.from({ length: count }, () => []);
  const seen = new Set();
  const add = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    layers[byId.get(id).layer].push(id);
  };
  const neighbours = (id, direction) => links.filter((link) => link[direction === "up" ? 1 : 0] === id).map((link) => link[direction === "up" ? 0 : 1]);
  // First order: breadth first from the input order, so related nodes start near each other.
  for (const id of inputOrder) {
    add(id);
    for (const next of neighbours(id, "down")) add(next);
  }
  for (const id of byId.keys()) add(id);
  const index = () => {
    for (const layer of layers) layer.forEach((id, position) => { byId.get(id).order = position; });
  };
  index();
  const sortBy = (layer, direction) => {
    const centers = new Map(layer.map((id) => {
      const others = neighbours(id, direction);
      const center = others.length ? others.reduce((sum, other) => sum + byId.get(other).order, 0) / others.length : byId.get(id).order;
      return [id, center];
    }));
    layer.sort((a, b) => centers.get(a) - centers.get(b) || byId.get(a).order - byId.get(b).order);
    layer.forEach((id, position) => { byId.get(id).order = position; });
  };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let i = 1; i < count; i++) sortBy(layers[i], "up");
    for (let i = count - 2; i >= 0; i--) sortBy(layers[i], "down");
  }
  index();
  return layers;
}

/** Vertical positions: stacked in order, then pulled toward the neighbours' middles. */
function place(layers, byId, links, gapY) {
  const tallest = Math.max(...layers.map((layer) => stackHeight(layer, byId, gapY)));
  for (const layer of layers) {
    let y = (tallest - stackHeight(layer, byId, gapY)) / 2;
    for (const id of layer) {
      byId.get(id).y = y;
      y += byId.get(id).height + gapY;
    }
  }
  const middle = (id) => byId.get(id).y + byId.get(id).height / 2;
  const neighbours = new Map([...byId.keys()].map((id) => [id, []]));
  for (const [u, v] of links) {
    neighbours.get(u).push(v);
    neighbours.get(v).push(u);
  }
  for (let pass = 0; pass < 6; pass++) {
    const sequence = pass % 2 === 0 ? layers : [...layers].reverse();
    for (const layer of sequence) {
      const wanted = layer.map((id) => {
        const others = neighbours.get(id);
        const node = byId.get(id);
        const center = others.length ? others.reduce((sum, other) => sum + middle(other), 0) / others.length : middle(id);
        return center - node.height / 2;
      });
      // Keep the order and the gaps: push down what would overlap, then shift the layer so that,
      // on average, each node is where its neighbours want it.
      const ys = [];
      layer.forEach((id, i) => {
        const previous = i ? ys[i - 1] + byId.get(layer[i - 1]).height + gapY : -Infinity;
        ys.push(Math.max(wanted[i], previous));
      });
      const shift = wanted.reduce((sum, want, i) => sum + want - ys[i], 0) / layer.length;
      layer.forEach((id, i) => { byId.get(id).y = ys[i] + shift; });
    }
  }
}

/**
 * Where each chain leaves its first node and enters its last: spread over the side of the box in
 * the order of where they come from or go to, so that arrows do not start on one point.
 */
function spreadPorts(chains, byId) {
  const ports = new Map(chains.map((entry) => [entry, {}]));
  const middleOf = (id) => byId.get(id).y + byId.get(id).height / 2;
  const spread = (groups, side, neighbour) => {
    for (const [id, entries] of groups) {
      const node = byId.get(id);
      entries.sort((a, b) => middleOf(neighbour(a)) - middleOf(neighbour(b)));
      const step = entries.length > 1 ? Math.min(8, (node.height * 0.6) / (entries.length - 1)) : 0;
      entries.forEach((entry, i) => {
        ports.get(entry)[side] = node.y + node.height / 2 + (i - (entries.length - 1) / 2) * step;
      });
    }
  };
  const group = (pick) => {
    const groups = new Map();
    for (const entry of chains) {
      const id = pick(entry);
      if (!groups.has(id)) groups.set(id, []);
      groups.get(id).push(entry);
    }
    return groups;
  };
  spread(group((entry) => entry.chain[0]), "start", (entry) => entry.chain[1]);
  spread(group((entry) => entry.chain[entry.chain.length - 1]), "end", (entry) => entry.chain[entry.chain.length - 2]);
  return ports;
}

function stackHeight(layer, byId, gapY) {
  return layer.reduce((sum, id) => sum + byId.get(id).height, 0) + Math.max(0, layer.length - 1) * gapY;
}
