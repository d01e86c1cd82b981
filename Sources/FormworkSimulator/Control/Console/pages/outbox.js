// The outbox: every e-mail, SMS and outside delivery the simulator did not really send, newest
// first, live from /_formwork/outbox/events while the page is open.

import { h, fill, json, showError, notice, busy, pageFrame, follow, liveIndicator, formatShort, formatDateTime, prettyText } from "/_formwork/console/lib.js";

const KEEP = 1000;

export function createOutboxPage() {
  const frame = pageFrame("outbox", "Outbox", "Mail, SMS and deliveries that did not leave the simulator, newest first.");
  const filter = h("input", { type: "search", id: "outbox-filter", placeholder: "Filter by recipient or subject", "aria-label": "Filter by recipient or subject", autocomplete: "off" });
  const live = liveIndicator();
  const count = h("span", { class: "muted", id: "outbox-count", "aria-live": "polite" });
  const clear = h("button", { type: "button", id: "outbox-clear", class: "button-danger-quiet" }, "Clear outbox");
  frame.toolbar.append(filter, count, live.element, clear);

  const list = h("div", { class: "message-list", id: "outbox-list", role: "list", "aria-label": "Messages" });
  const empty = h("p", { class: "muted empty", id: "outbox-empty" }, "No messages yet. Invitations, notifications and alarms show up here as they are sent.");
  const results = h("div", { "aria-live": "polite" });
  frame.body.append(results,
    h("div", { class: "message-columns", "aria-hidden": "true" }, ["Time (UTC)", "Service", "Kind", "To", "Subject"].map((text) => h("span", null, text))),
    list, empty);

  const entries = []; // [{ message, element }], oldest first
  const seen = new Set();
  let stream = null;
  let connectedAt = 0;

  function matches(message) {
    const words = filter.value.trim().toLowerCase();
    if (!words) return true;
    const text = `${(message.to || []).join(" ")} ${message.subject || ""}`.toLowerCase();
    return words.split(/\s+/).every((word) => text.includes(word));
  }

  function updateCount() {
    const shown = entries.filter((entry) => !entry.element.hidden).length;
    count.textContent = shown === entries.length ? `${entries.length} ${entries.length === 1 ? "message" : "messages"}` : `${shown} of ${entries.length} messages`;
    empty.hidden = entries.length > 0;
  }

  function add(message) {
    const key = message.sequence ?? message.id;
    if (seen.has(key)) return;
    seen.add(key);
    const element = messageElement(message, Date.now() - connectedAt > 1500);
    element.hidden = !matches(message);
    // `entries` runs oldest to newest, the list newest to oldest.
    const newerIndex = entries.findIndex((entry) => Number(entry.message.sequence) > Number(message.sequence));
    const index = newerIndex === -1 ? entries.length : newerIndex;
    entries.splice(index, 0, { message, element });
    const newer = entries[index + 1];
    list.insertBefore(element, newer ? newer.element.nextSibling : list.firstChild);
    while (entries.length > KEEP) entries.shift().element.remove();
    updateCount();
  }

  filter.addEventListener("input", () => {
    for (const entry of entries) entry.element.hidden = !matches(entry.message);
    updateCount();
  });

  clear.addEventListener("click", async () => {
    if (!(await confirmClear(entries.length))) return;
    try {
      const answer = await busy(clear, () => json("/_formwork/outbox", { method: "DELETE" }));
      entries.splice(0).forEach((entry) => entry.element.remove());
      fill(results, notice(`Deleted ${answer.deleted ?? 0} ${answer.deleted === 1 ? "message" : "messages"}.`));
      showError(frame.errors, null);
      updateCount();
    } catch (error) {
      showError(frame.errors, error);
    }
  });

  updateCount();
  return {
    element: frame.element,
    show() {
      if (stream) return;
      connectedAt = Date.now();
      stream = follow("/_formwork/outbox/events", "message", add, (status, error) => {
        live.set(status);
        frame.element.dataset.live = status;
        if (status === "connected") frame.element.dataset.loaded = "true";
        if (status === "connected" || error) showError(frame.errors, error);
      });
    },
    hide() {
      if (stream) stream.close();
      stream = null;
      live.set("paused");
      frame.element.dataset.live = "paused";
    },
  };
}

/** A recipient as read at a glance: a topic's or queue's name rather than its whole ARN. */
const shortRecipient = (recipient) => (String(recipient).startsWith("arn:") ? String(recipient).split(/[:/]/).pop() : String(recipient));

function messageElement(message, fresh) {
  const to = (message.to || []).join(", ");
  const preview = String(message.body ?? "").replace(/\s+/g, " ").slice(0, 160);
  const attributes = Object.entries(message.attributes || {});
  return h("details", {
    class: `outbox-message${fresh ? " fresh" : ""}`, role: "listitem",
    dataset: { sequence: message.sequence ?? "", service: message.service || "", kind: message.kind || "" },
  },
  h("summary", null,
    h("time", { datetime: message.createdAt, title: formatDateTime(message.createdAt) }, formatShort(message.createdAt)),
    h("span", { class: `service service-${message.service}` }, message.service),
    h("span", { class: "message-kind" }, message.kind),
    h("span", { class: "message-to", title: to }, (message.to || []).map(shortRecipient).join(", ") || "—"),
    message.subject
      ? h("span", { class: "message-subject", title: message.subject }, message.subject)
      : h("span", { class: "message-subject message-preview", title: preview }, preview || "(empty)")),
  h("div", { class: "message-body" },
    h("dl", { class: "facts facts-inline" },
      message.from ? [h("dt", null, "From"), h("dd", null, message.from)] : null,
      h("dt", null, "To"), h("dd", null, to || "—"),
      h("dt", null, "Sent"), h("dd", null, formatDateTime(message.createdAt)),
      h("dt", null, "Id"), h("dd", null, h("code", null, message.id || "—"))),
    attributes.length
      ? h("dl", { class: "facts facts-inline attributes" }, attributes.map(([name, value]) => [
        h("dt", null, name),
        h("dd", null, typeof value === "object" && value !== null ? `${value.Value ?? JSON.stringify(value)}${value.Type ? ` (${value.Type})` : ""}` : String(value)),
      ]))
      : null,
    h("pre", { class: "body" }, prettyText(message.body))));
}

/** A modal question before the outbox is emptied; resolves true when confirmed. */
function confirmClear(count) {
  const ok = h("button", { type: "button", class: "button-danger", id: "outbox-clear-confirm" }, "Delete all");
  const cancel = h("button", { type: "button", class: "button-quiet" }, "Cancel");
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": "clear-title" },
    h("h2", { id: "clear-title" }, "Clear the outbox?"),
    h("p", null, `This deletes every message in the simulator's outbox (${count} shown here). It cannot be undone.`),
    h("div", { class: "actions" }, ok, cancel));
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (answer) => {
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(answer);
    };
    ok.addEventListener("click", () => finish(true));
    cancel.addEventListener("click", () => finish(false));
    dialog.addEventListener("close", () => finish(false));
    dialog.showModal();
    cancel.focus();
  });
}
