// Small DOM helpers. Everything is built with DOM APIs (no innerHTML, no inline styles), so
// the site runs under a strict Content-Security-Policy and user text is never parsed as markup.

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

/** An HTML element: h("button", { type: "button", onclick: f }, "Label"). */
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

/** Shows exactly one element of a group (by hidden). */
export function showOnly(elements, visible) {
  for (const element of elements) element.hidden = element !== visible;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
});

export function formatDateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateTime.format(date);
}

/** "in 5 hours", "3 days ago" */
export function relativeTime(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60), "minute");
}

/** A datetime-local input's value ("2026-12-02T17:00", local time) for an ISO instant. */
export function toLocalInput(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The RFC 3339 UTC instant ("2026-12-02T17:00:00Z") of a datetime-local input's value. */
export function fromLocalInput(value) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

let idCounter = 0;
export const uniqueId = (prefix) => `${prefix}-${++idCounter}`;
