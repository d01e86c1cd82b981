// What every page of the console shares: building DOM (never from markup: mail bodies, log
// lines and items are untrusted text), the control API and the AWS wire APIs, DynamoDB JSON,
// and times on the simulator's clock (shown in UTC, as the clock is set in UTC).

const SVG_NS = "http://www.w3.org/2000/svg";

export const $ = (id) => document.getElementById(id);

function apply(element, attributes) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") {
      for (const [key, data] of Object.entries(value)) element.dataset[key] = String(data);
    } else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "value" && "value" in element && !(element instanceof SVGElement)) {
      element.value = value;
    } else if (name === "selected" || name === "checked") {
      element[name] = Boolean(value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
}

function appendAll(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: h("button", { type: "button", onclick: f }, "Label"). Text children stay text. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  apply(element, attributes);
  appendAll(element, children);
  return element;
}

/** An SVG element, made with createElementNS. */
export function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attributes);
  appendAll(element, children);
  return element;
}

/** Replaces an element's children (arrays flattened, null and false left out). */
export function fill(element, ...children) {
  element.replaceChildren();
  appendAll(element, children);
  return element;
}

let idCounter = 0;
export const uniqueId = (prefix) => `${prefix}-${++idCounter}`;

// ---- calls ----

/** An answer that is not 2xx: the message of its JSON body, with the status and AWS's error type. */
export class CallError extends Error {
  constructor(status, data, fallback) {
    const body = data && typeof data === "object" ? data : {};
    const type = typeof body.__type === "string" ? body.__type.split("#").pop() : body.errorType || "";
    const message = body.message || body.Message || body.errorMessage || fallback;
    super(type && !String(message).startsWith(type) ? `${type}: ${message}` : String(message));
    this.name = "CallError";
    this.status = status;
    this.type = type;
    this.data = data;
  }
}

async function parse(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}

/** fetch, as JSON both ways; throws a CallError with the answer's `message` unless it is 2xx. */
export async function json(url, options = {}) {
  const { body, headers, ...rest } = options;
  const init = { cache: "no-store", ...rest, headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    if (!init.headers["Content-Type"]) init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new CallError(0, null, `The simulator cannot be reached (${init.method || "GET"} ${url}). Is formwork simulate still running?`);
  }
  const data = await parse(response);
  if (!response.ok) throw new CallError(response.status, data, `${init.method || "GET"} ${url} answered HTTP ${response.status}.`);
  return data;
}

/** One AWS operation as the account's administrator: aws("DynamoDB_20120810.Scan", { TableName }). */
export function aws(target, input = {}) {
  const contentType = target.startsWith("DynamoDB_") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
  return json("/_formwork/aws", {
    method: "POST",
    headers: { "X-Amz-Target": target, "Content-Type": contentType },
    body: input,
  });
}

export const cognito = (operation, input) => aws(`AWSCognitoIdentityProviderService.${operation}`, input);
export const dynamo = (operation, input) => aws(`DynamoDB_20120810.${operation}`, input);

/** The blueprint's architecture, read once. */
let architecturePromise = null;
export function architecture() {
  if (!architecturePromise) {
    architecturePromise = json("/_formwork/architecture").catch((error) => {
      architecturePromise = null;
      throw error;
    });
  }
  return architecturePromise;
}

// ---- DynamoDB JSON ----

function decodeBase64(text) {
  try {
    const bytes = atob(text);
    return /^[\x09\x0a\x0d\x20-\x7e]*$/.test(bytes) ? bytes : `base64:${text}`;
  } catch {
    return `base64:${text}`;
  }
}

/** A DynamoDB AttributeValue ({"S":"x"}, {"N":"1"}, {"M":{…}}, …) as a plain value. */
export function plain(value) {
  if (!value || typeof value !== "object") return value;
  const [type, inner] = Object.entries(value)[0] || [];
  switch (type) {
    case "S": return inner;
    case "N": return Number.isSafeInteger(Number(inner)) || /[.eE]/.test(inner) ? Number(inner) : inner;
    case "BOOL": return Boolean(inner);
    case "NULL": return null;
    case "B": return decodeBase64(inner);
    case "L": return inner.map(plain);
    case "M": return plainItem(inner);
    case "SS": return [...inner];
    case "NS": return inner.map((n) => plain({ N: n }));
    case "BS": return inner.map(decodeBase64);
    default: return value;
  }
}

/** An item (attribute name -> AttributeValue) as a plain object. */
export function plainItem(item) {
  return Object.fromEntries(Object.entries(item || {}).map(([name, value]) => [name, plain(value)]));
}

/** A plain value in one short line, for a table cell. */
export function shortText(value, limit = 80) {
  const text = value === null ? "null" : typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** A text as pretty JSON when it is JSON, else as it is. */
export function prettyText(text) {
  const trimmed = String(text ?? "").trim();
  if (!/^[[{]/.test(trimmed)) return String(text ?? "");
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return String(text);
  }
}

// ---- time ----

const utcDateTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const utcShort = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

const toDate = (value) => (value instanceof Date ? value : new Date(typeof value === "number" ? value * 1000 : value));

/** "Tue 1 Dec 2026, 09:00:00 UTC" */
export function formatDateTime(value) {
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : `${utcDateTime.format(date)} UTC`;
}

/** "1 Dec, 09:00:00" (UTC), for dense lists. */
export function formatShort(value) {
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : utcShort.format(date);
}

/** "12-01 09:00:00.123" (UTC), for log lines. */
export function formatClockTime(value) {
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(5, 23).replace("T", " ");
}

/** "42 min", "3.5 h", "2 days": a length of time, rounded for reading. */
export function durationText(seconds) {
  const size = Math.abs(seconds);
  if (size < 90) return `${Math.round(size)} s`;
  if (size < 59.5 * 60) return `${Math.round(size / 60)} min`;
  if (size < 36 * 3600) return `${Math.round(size / 360) / 10} h`;
  return `${Math.round(size / 8640) / 10} days`;
}

/** "in 42 min", "3 h ago", "now": from `now` (the simulator's clock) to `value`. */
export function relativeTime(value, now) {
  const seconds = Math.round((toDate(value).getTime() - toDate(now).getTime()) / 1000);
  if (Number.isNaN(seconds)) return "";
  if (Math.abs(seconds) < 45) return "now";
  return seconds > 0 ? `in ${durationText(seconds)}` : `${durationText(seconds)} ago`;
}

/** An <input type="datetime-local"> value, read as UTC ("2026-12-01T09:00" -> "2026-12-01T09:00:00Z"). */
export function fromUtcInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value || "")) return null;
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}

/** An ISO instant as a datetime-local value in UTC. */
export function toUtcInput(value) {
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 16);
}

// ---- small pieces of pages ----

/** A page's error line (a visible `.error` with the call's message). */
function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error));
}

/** Puts an error (or nothing) into a page's error slot. */
export function showError(slot, error) {
  fill(slot, error ? errorBox(error) : null);
}

/** A success or information line. */
export function notice(text, ...extra) {
  return h("p", { class: "notice", role: "status" }, text, ...extra);
}

/** A button that copies `text` to the clipboard, or selects it when the browser refuses. */
function copyButton(text, label = "Copy") {
  const button = h("button", { type: "button", class: "button-small copy", title: `Copy ${text}`, "aria-label": `Copy ${text}` }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      const value = button.parentElement && button.parentElement.querySelector(".value");
      if (value) window.getSelection().selectAllChildren(value);
      button.textContent = "Selected";
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  });
  return button;
}

/** A value with a copy button: <span class="copyable"><code class="value">…</code><button>Copy</button></span>. */
export function copyable(text) {
  if (text === undefined || text === null || text === "") return h("span", { class: "muted" }, "—");
  return h("span", { class: "copyable" }, h("code", { class: "value" }, String(text)), copyButton(String(text)));
}

/** A table with a header row; `rows` are arrays of cells (nodes or text). */
export function table(headings, rows, attributes = {}) {
  return h("table", { class: "grid", ...attributes },
    h("thead", null, h("tr", null, headings.map((heading) => h("th", { scope: "col" }, heading)))),
    h("tbody", null, rows.map((cells) => (cells instanceof Node ? cells : h("tr", null, cells.map((cell) => h("td", null, cell)))))));
}

/** Marks a page busy while `work` runs and loaded after it succeeds (tests wait for data-loaded). */
export async function loading(page, work) {
  page.setAttribute("aria-busy", "true");
  try {
    const result = await work();
    page.dataset.loaded = "true";
    return result;
  } finally {
    page.setAttribute("aria-busy", "false");
  }
}

/** A button that is disabled while its action runs. */
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

// ---- live streams (server-sent events) ----

const RECONNECT_MS = 3000;

/**
 * Follows a server-sent event stream: onItem(data) for each event of `eventName` whose sequence
 * is new (a reconnect sends recent ones again), onStatus(status, error) with "connecting",
 * "connected", "reconnecting" or "stopped". EventSource reconnects by itself with Last-Event-ID;
 * when it gives up (the answer was not a stream), the answer's message is passed as `error`, and
 * a new one is opened after a pause unless the request itself was refused (4xx).
 */
export function follow(url, eventName, onItem, onStatus) {
  let source = null;
  let timer = null;
  let closed = false;
  let lastSequence = -Infinity;

  const open = () => {
    onStatus("connecting", null);
    source = new EventSource(url);
    source.addEventListener("open", () => onStatus("connected", null));
    source.addEventListener(eventName, (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      const sequence = Number(data.sequence ?? event.lastEventId);
      if (Number.isFinite(sequence)) {
        if (sequence <= lastSequence) return;
        lastSequence = sequence;
      }
      onItem(data);
    });
    source.addEventListener("error", async () => {
      if (closed) return;
      if (source.readyState !== EventSource.CLOSED) {
        onStatus("reconnecting", null);
        return;
      }
      source = null;
      const error = await refusal(url);
      if (closed) return;
      const refused = error.status >= 400 && error.status < 500;
      onStatus(refused ? "stopped" : "reconnecting", error);
      if (!refused) timer = setTimeout(open, RECONNECT_MS);
    });
  };

  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (source) source.close();
    },
  };
}

/** Why `url` did not answer with a stream: its error message, read with a plain request. */
async function refusal(url) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), RECONNECT_MS);
  try {
    const response = await fetch(url, { signal: controller.signal, cache: "no-store", headers: { Accept: "application/json" } });
    if (response.ok) return new CallError(response.status, null, `${url} did not answer with an event stream.`);
    return new CallError(response.status, await parse(response), `${url} answered HTTP ${response.status}.`);
  } catch {
    return new CallError(0, null, `The simulator cannot be reached (${url}). Is formwork simulate still running?`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** The small "live" indicator of a streaming page. */
export function liveIndicator() {
  const label = h("span", { class: "live-label" }, "connecting");
  const element = h("span", { class: "live", dataset: { state: "connecting" }, role: "status" },
    h("span", { class: "live-dot", "aria-hidden": "true" }), label);
  const words = { connecting: "connecting…", connected: "live", reconnecting: "reconnecting…", stopped: "stopped", paused: "paused" };
  return {
    element,
    set(state) {
      element.dataset.state = state;
      label.textContent = words[state] || state;
    },
  };
}

// ---- page frame ----

/**
 * A page's root (`#page-<name>`) with its heading, a toolbar, an error slot and a body:
 * { element, toolbar, errors, body }.
 */
export function pageFrame(name, title, description) {
  const toolbar = h("div", { class: "toolbar" });
  const errors = h("div", { class: "errors", "aria-live": "assertive" });
  const body = h("div", { class: "page-body" });
  const element = h("section", { id: `page-${name}`, class: `page page-${name}`, "aria-labelledby": `${name}-heading`, dataset: { loaded: "false" } },
    h("div", { class: "page-head" },
      h("div", { class: "page-title" },
        h("h2", { id: `${name}-heading`, tabindex: "-1" }, title),
        description ? h("p", { class: "page-description" }, description) : null),
      toolbar),
    errors,
    body);
  return { element, toolbar, errors, body };
}
