// Function logs, live from /_formwork/logs/events (optionally one function's): the newest line
// at the bottom, followed unless the reader has scrolled up.

import { h, fill, architecture, showError, pageFrame, follow, liveIndicator, formatClockTime, formatDateTime } from "/_formwork/console/lib.js";

const KEEP = 3000;
/** How close to the bottom (px) still counts as following the newest line. */
const FOLLOW_SLACK = 40;

const META = /^(START|END|REPORT|INIT_START) /;
const ERROR = /^(ERROR|FATAL|CRITICAL)\b|^Task timed out|^Unhandled error/;
const WARNING = /^WARN(ING)?\b/;

export function createLogsPage() {
  const frame = pageFrame("logs", "Logs", "What the functions write, as CloudWatch Logs would keep it.");
  const picker = h("select", { id: "logs-function", "aria-label": "Function" }, h("option", { value: "" }, "All functions"));
  const filter = h("input", { type: "search", id: "logs-filter", placeholder: "Filter lines", "aria-label": "Filter lines", autocomplete: "off" });
  const live = liveIndicator();
  const count = h("span", { class: "muted", id: "logs-count" });
  const clearView = h("button", { type: "button", id: "logs-clear-view", class: "button-quiet", title: "Empty this view; the logs stay in the simulator" }, "Clear view");
  frame.toolbar.append(picker, filter, count, live.element, clearView);

  const view = h("div", { class: "log-view", id: "log-view", role: "log", "aria-label": "Log lines", tabindex: "0" });
  const empty = h("p", { class: "log-empty muted" }, "No log lines yet. Call the API or run a schedule, and the functions' lines show up here.");
  const jump = h("button", { type: "button", class: "jump-latest", hidden: true }, "↓ Newest lines");
  frame.body.append(h("div", { class: "log-frame" }, view, empty, jump));

  let lines = []; // [{ line, element }]
  let stream = null;
  let connectedFor = null;
  let functionsLoaded = false;

  const following = () => view.scrollHeight - view.scrollTop - view.clientHeight <= FOLLOW_SLACK;

  function matches(line) {
    const words = filter.value.trim().toLowerCase();
    if (!words) return true;
    const text = `${line.function} ${line.requestId} ${line.message}`.toLowerCase();
    return words.split(/\s+/).every((word) => text.includes(word));
  }

  function updateCount() {
    const shown = lines.filter((entry) => !entry.element.hidden).length;
    count.textContent = shown === lines.length ? `${lines.length} lines` : `${shown} of ${lines.length} lines`;
    empty.hidden = lines.length > 0;
  }

  function add(line) {
    const stick = following();
    const element = lineElement(line);
    element.hidden = !matches(line);
    lines.push({ line, element });
    view.append(element);
    while (lines.length > KEEP) lines.shift().element.remove();
    updateCount();
    if (stick) view.scrollTop = view.scrollHeight;
    else jump.hidden = false;
  }

  function connect() {
    if (stream) stream.close();
    lines.forEach((entry) => entry.element.remove());
    lines = [];
    updateCount();
    const chosen = picker.value;
    connectedFor = chosen;
    const url = chosen ? `/_formwork/logs/events?function=${encodeURIComponent(chosen)}` : "/_formwork/logs/events";
    stream = follow(url, "log", add, (status, error) => {
      live.set(status);
      frame.element.dataset.live = status;
      if (status === "connected") frame.element.dataset.loaded = "true";
      if (status === "connected" || error) showError(frame.errors, error);
    });
  }

  async function loadFunctions(wanted) {
    try {
      const blueprint = await architecture();
      const functions = blueprint.resources.filter((r) => r.kind === "function").map((r) => r.id).sort();
      fill(picker, h("option", { value: "" }, "All functions"), functions.map((id) => h("option", { value: id }, id)));
      functionsLoaded = true;
      showError(frame.errors, null);
    } catch (error) {
      showError(frame.errors, error);
    }
    if (wanted && ![...picker.options].some((option) => option.value === wanted)) picker.append(h("option", { value: wanted }, wanted));
    if (wanted !== undefined) picker.value = wanted;
  }

  picker.addEventListener("change", () => {
    history.replaceState(null, "", picker.value ? `#/logs/${encodeURIComponent(picker.value)}` : "#/logs");
    connect();
  });
  filter.addEventListener("input", () => {
    for (const entry of lines) entry.element.hidden = !matches(entry.line);
    updateCount();
    view.scrollTop = view.scrollHeight;
  });
  view.addEventListener("scroll", () => {
    if (following()) jump.hidden = true;
  });
  jump.addEventListener("click", () => {
    view.scrollTop = view.scrollHeight;
    jump.hidden = true;
  });
  clearView.addEventListener("click", () => {
    lines.forEach((entry) => entry.element.remove());
    lines = [];
    updateCount();
  });

  updateCount();
  return {
    element: frame.element,
    async show(wanted) {
      if (!functionsLoaded) await loadFunctions(wanted || "");
      else if (wanted && wanted !== picker.value) await loadFunctions(wanted);
      if (!stream || connectedFor !== picker.value) connect();
    },
    hide() {
      if (stream) stream.close();
      stream = null;
      live.set("paused");
      frame.element.dataset.live = "paused";
    },
  };
}

function lineElement(line) {
  const message = String(line.message ?? "");
  const kind = META.test(message) ? "meta" : ERROR.test(message) ? "error" : WARNING.test(message) ? "warning" : "plain";
  const requestId = String(line.requestId || "");
  return h("div", { class: `log-line log-${kind}`, dataset: { function: line.function || "", requestId, sequence: line.sequence ?? "" } },
    h("time", { class: "log-time", datetime: line.timestamp, title: formatDateTime(line.timestamp) }, formatClockTime(line.timestamp)),
    h("span", { class: `log-function tint-${tint(line.function)}`, title: line.logGroup || line.function }, line.function || ""),
    h("span", { class: "log-request", title: requestId }, requestId.slice(0, 8)),
    h("span", { class: "log-message" }, message));
}

/** One of six colours per function, in the order the functions are first seen. */
const tints = new Map();
function tint(name) {
  if (!tints.has(name)) tints.set(name, tints.size % 6);
  return tints.get(name);
}
