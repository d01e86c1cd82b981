// The notifications panel: the caller's notifications, newest first, an unread count in the
// header, and marking them read.

import { $, h, formatDateTime, relativeTime } from "./dom.js";
import { showError, announce } from "./ui.js";
import { enc } from "./api.js";

const TYPE_LABEL = {
  task_assigned: "Assigned",
  task_updated: "Updated",
  deadline_reminder: "Reminder",
  task_overdue: "Overdue",
};
/** The unread count is read up to this many (the API's largest page). */
const UNREAD_LIMIT = 100;

export class Notifications {
  constructor(app) {
    this.app = app;
    this.items = [];
    this.unread = 0;
    this.loaded = false;
    this.pending = 0;
    this.wire();
  }

  wire() {
    $("notifications-toggle").addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    $("notifications-close").addEventListener("click", () => this.close());
    $("mark-all-read").addEventListener("click", () => this.markAll());
    $("notifications-panel").addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
  }

  get isOpen() {
    return !$("notifications-panel").hidden;
  }

  reset() {
    this.items = [];
    this.unread = 0;
    this.loaded = false;
    this.close(false);
    this.renderCount();
    $("notification-list").replaceChildren();
  }

  async open() {
    $("notifications-panel").hidden = false;
    $("notifications-toggle").setAttribute("aria-expanded", "true");
    $("notifications-heading").setAttribute("tabindex", "-1");
    $("notifications-heading").focus();
    try {
      await this.load();
    } catch (error) {
      showError(error);
    }
  }

  close(returnFocus = true) {
    const wasOpen = this.isOpen;
    $("notifications-panel").hidden = true;
    $("notifications-toggle").setAttribute("aria-expanded", "false");
    if (wasOpen && returnFocus) $("notifications-toggle").focus();
  }

  async load() {
    const me = this.app.me;
    const listElement = $("notification-list");
    this.pending += 1;
    listElement.setAttribute("aria-busy", "true");
    let list;
    let unread;
    try {
      [list, unread] = await Promise.all([
        this.app.api.get("/notifications?limit=50"),
        this.app.api.get(`/notifications?unread=true&limit=${UNREAD_LIMIT}`),
      ]);
    } finally {
      this.pending -= 1;
      if (this.pending === 0) listElement.setAttribute("aria-busy", "false");
    }
    if (this.app.me !== me) return; // signed out meanwhile
    const before = this.unread;
    this.items = list.items || [];
    this.unread = (unread.items || []).length;
    this.loaded = true;
    this.render();
    if (this.unread > before) announce(`${this.unread} unread notification${this.unread === 1 ? "" : "s"}.`);
  }

  renderCount() {
    const badge = $("unread-count");
    const text = this.unread >= UNREAD_LIMIT ? `${UNREAD_LIMIT - 1}+` : String(this.unread);
    badge.textContent = text;
    badge.dataset.count = String(this.unread);
    badge.hidden = this.unread === 0;
    $("unread-label").textContent = this.unread === 0 ? ", no unread" : `, ${text} unread`;
    $("mark-all-read").disabled = this.unread === 0;
  }

  render() {
    this.renderCount();
    const now = this.app.now();
    $("notifications-empty").hidden = this.items.length > 0;
    $("notification-list").replaceChildren(
      ...this.items.map((item) => {
        const messageId = `notification-${item.notificationId}-message`;
        return h(
          "li",
          {
            class: `notification ${item.read ? "is-read" : "is-unread"}`,
            dataset: { testid: "notification", notificationId: item.notificationId, read: item.read ? "true" : "false", type: item.type },
          },
          h("p", { class: "notification-head" },
            h("span", { class: `badge badge-type badge-${item.type}` }, TYPE_LABEL[item.type] || item.type),
            item.read ? null : h("span", { class: "unread-dot" }, "Unread"),
            h("time", { datetime: item.createdAt, title: formatDateTime(item.createdAt) }, relativeTime(item.createdAt, now))),
          h("p", { id: messageId, class: "notification-message" }, item.message),
          item.read
            ? null
            : h("button", {
                type: "button",
                class: "button-quiet",
                "aria-describedby": messageId,
                dataset: { testid: "notification-mark-read" },
                onclick: (event) => this.markRead(item, event.currentTarget),
              }, "Mark read"),
        );
      }),
    );
  }

  async markRead(item, button) {
    if (button) button.disabled = true;
    try {
      await this.app.api.post(`/notifications/${enc(item.notificationId)}/read`);
      item.read = true;
      this.unread = Math.max(0, this.unread - 1);
      this.render();
      announce("Marked read.");
      $("notifications-heading").focus();
    } catch (error) {
      if (button) button.disabled = false;
      showError(error);
    }
  }

  async markAll() {
    $("mark-all-read").disabled = true;
    try {
      // Unread notifications older than the listed ones are marked too, a page at a time.
      for (let round = 0; round < 10; round++) {
        const unread = (await this.app.api.get(`/notifications?unread=true&limit=${UNREAD_LIMIT}`)).items || [];
        if (unread.length === 0) break;
        for (const item of unread) await this.app.api.post(`/notifications/${enc(item.notificationId)}/read`);
      }
      await this.load();
      announce("All notifications are marked read.");
      $("notifications-heading").focus();
    } catch (error) {
      this.renderCount();
      showError(error);
    }
  }
}
