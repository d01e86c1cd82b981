// User management for administrators: invite (POST /users), change role, disable and enable
// (PATCH /users/{userId}).

import { $, h, formatDateTime } from "./dom.js";
import { notify, showError, confirmAction } from "./ui.js";
import { enc } from "./api.js";

const ROLE_LABEL = { admin: "Administrator", member: "Team member" };

export class Users {
  constructor(app) {
    this.app = app;
    $("invite-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.invite();
    });
  }

  reset() {
    $("users-body").replaceChildren();
    $("users-table").dataset.loaded = "false";
    $("invite-form").reset();
    $("invite-error").textContent = "";
  }

  async load() {
    const table = $("users-table");
    table.setAttribute("aria-busy", "true");
    try {
      await this.app.loadUsers(true);
      this.render();
    } finally {
      table.setAttribute("aria-busy", "false");
    }
  }

  render() {
    const body = $("users-body");
    const active = document.activeElement;
    const key = active && body.contains(active) ? active.dataset.focusKey : null;
    const people = this.app.users.slice().sort((a, b) => a.name.localeCompare(b.name));
    body.replaceChildren(...people.map((user) => this.row(user)));
    if (key) {
      const again = body.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
      if (again) again.focus();
    }
    $("users-table").dataset.loaded = "true";
  }

  row(user) {
    const self = user.userId === this.app.me.userId;
    const nameId = `user-${user.userId}-name`;
    const roleId = `user-${user.userId}-role`;
    const role = h(
      "select",
      { id: roleId, disabled: self, dataset: { testid: "user-role", focusKey: `${user.userId}:role` } },
      Object.entries(ROLE_LABEL).map(([value, label]) => h("option", { value, selected: value === user.role }, label)),
    );
    const roleLabel = h("label", { for: roleId, class: "visually-hidden" }, `Role of ${user.name}`);
    const saveRole = h("button", {
      type: "button", class: "button-quiet", disabled: self, "aria-describedby": nameId,
      dataset: { testid: "user-save-role", focusKey: `${user.userId}:save-role` },
      onclick: () => this.changeRole(user, role.value),
    }, "Change role");
    const toggle = h("button", {
      type: "button", class: user.enabled ? "button-quiet button-danger-quiet" : "button-quiet",
      disabled: self, "aria-describedby": nameId,
      dataset: { testid: "user-toggle-enabled", focusKey: `${user.userId}:toggle` },
      onclick: () => this.setEnabled(user, !user.enabled),
    }, user.enabled ? "Disable" : "Enable");
    return h(
      "tr",
      { dataset: { testid: "user-row", userId: user.userId, email: user.email, role: user.role, enabled: String(user.enabled) } },
      h("th", { scope: "row", id: nameId }, user.name, self ? h("span", { class: "you" }, " (you)") : null),
      h("td", { class: "email" }, user.email),
      h("td", null, roleLabel, role),
      h("td", { dataset: { testid: "user-enabled" } },
        h("span", { class: user.enabled ? "badge badge-enabled" : "badge badge-disabled" }, user.enabled ? "Enabled" : "Disabled"),
        h("span", { class: "since" }, ` since ${formatDateTime(user.createdAt)}`)),
      h("td", { class: "row-actions" }, saveRole, toggle,
        self ? h("p", { class: "hint" }, "Another administrator can change your own account.") : null),
    );
  }

  async invite() {
    const name = $("invite-name").value.trim();
    const email = $("invite-email").value.trim();
    const role = $("invite-role").value;
    const error = $("invite-error");
    const problems = [];
    const emailValid = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
    $("invite-name").setAttribute("aria-invalid", String(!name));
    $("invite-email").setAttribute("aria-invalid", String(!emailValid));
    if (!name) problems.push("Name: enter the person's name.");
    if (!emailValid) problems.push("E-mail address: enter an address such as ann@example.com.");
    if (problems.length) {
      error.textContent = problems.join(" ");
      (name ? $("invite-email") : $("invite-name")).focus();
      return;
    }
    error.textContent = "";
    const submit = $("invite-submit");
    submit.disabled = true;
    try {
      const user = await this.app.api.post("/users", { email, name, role });
      this.app.users = this.app.users.filter((u) => u.userId !== user.userId).concat(user);
      this.render();
      $("invite-form").reset();
      notify(`Invited ${user.name} (${user.email}) as ${ROLE_LABEL[user.role] || user.role}. They receive a temporary password by e-mail.`, { kind: "success" });
      $("invite-name").focus();
    } catch (failure) {
      error.textContent = failure.text || failure.message;
    } finally {
      submit.disabled = false;
    }
  }

  async changeRole(user, role) {
    if (role === user.role) {
      notify(`${user.name} is already ${ROLE_LABEL[role]}.`);
      return;
    }
    await this.patch(user, { role }, (updated) => `${updated.name} is now ${ROLE_LABEL[updated.role] || updated.role}.`);
  }

  async setEnabled(user, enabled) {
    if (!enabled) {
      const confirmed = await confirmAction({
        title: "Disable account?",
        text: `${user.name} will no longer be able to sign in. You can enable the account again later.`,
        confirmLabel: "Disable account",
      });
      if (!confirmed) {
        const button = $("users-body").querySelector(`[data-focus-key="${CSS.escape(`${user.userId}:toggle`)}"]`);
        if (button) button.focus();
        return;
      }
    }
    await this.patch(user, { enabled }, (updated) => `${updated.name} can ${updated.enabled ? "now" : "no longer"} sign in.`);
    const button = $("users-body").querySelector(`[data-focus-key="${CSS.escape(`${user.userId}:toggle`)}"]`);
    if (button) button.focus();
  }

  async patch(user, body, say) {
    try {
      const updated = await this.app.api.patch(`/users/${enc(user.userId)}`, body);
      this.app.users = this.app.users.map((u) => (u.userId === updated.userId ? updated : u));
      this.render();
      notify(say(updated), { kind: "success" });
      this.app.changed();
    } catch (error) {
      this.render();
      if (error.status === 409) {
        showError(error, { action: { label: "Reload users", run: () => this.load().catch(showError) } });
      } else {
        showError(error);
      }
    }
  }
}
