// Users of a Cognito user pool, managed as the account's administrator through the Identity
// Provider API: list, create (the invitation goes to the outbox), reset a password, disable and
// enable, and group membership.

import { h, fill, cognito, json, loading, showError, notice, busy, pageFrame, formatDateTime, formatShort, uniqueId } from "/_formwork/console/lib.js";

const PAGE_SIZE = 60;
const MAX_PAGES = 20;
const STATUS_WORDS = {
  FORCE_CHANGE_PASSWORD: "temporary password",
  CONFIRMED: "confirmed",
  RESET_REQUIRED: "reset required",
  UNCONFIRMED: "unconfirmed",
  ARCHIVED: "archived",
  COMPROMISED: "compromised",
  EXTERNAL_PROVIDER: "external provider",
};

const attribute = (user, name) => ((user.Attributes || []).find((a) => a.Name === name) || {}).Value;

export function createUsersPage() {
  const frame = pageFrame("users", "Users", "The user pool's people, as its administrator sees them.");
  const poolPicker = h("select", { id: "user-pool", "aria-label": "User pool" });
  const reload = h("button", { type: "button", id: "users-reload", class: "button-quiet" }, "Reload");
  frame.toolbar.append(h("label", { for: "user-pool", class: "toolbar-label" }, "User pool"), poolPicker, reload);

  const state = { pools: [], poolId: null, groups: [], users: [], resetOpen: null };
  const results = h("div", { class: "results", id: "users-notice", "aria-live": "polite" });
  const createForm = buildCreateForm();
  const list = h("div", { class: "table-scroll" });
  frame.body.append(createForm.element, results, list);

  async function loadPools() {
    const [pools, endpoints] = await Promise.all([
      cognito("ListUserPools", { MaxResults: 60 }),
      json("/_formwork/endpoints").catch(() => ({})),
    ]);
    state.pools = pools.UserPools || [];
    const preferred = state.pools.find((pool) => pool.Id === endpoints.userPoolId);
    state.poolId = state.poolId || (preferred || state.pools[0] || {}).Id || null;
    fill(poolPicker, state.pools.map((pool) => h("option", { value: pool.Id, selected: pool.Id === state.poolId }, `${pool.Name} (${pool.Id})`)));
    poolPicker.disabled = state.pools.length < 2;
  }

  async function loadUsers() {
    const poolId = state.poolId;
    if (!poolId) {
      state.users = [];
      state.groups = [];
      return;
    }
    const groups = await cognito("ListGroups", { UserPoolId: poolId });
    const users = [];
    let token;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await cognito("ListUsers", { UserPoolId: poolId, Limit: PAGE_SIZE, ...(token ? { PaginationToken: token } : {}) });
      users.push(...(answer.Users || []));
      token = answer.PaginationToken;
      if (!token) break;
    }
    const memberships = await Promise.all(users.map((user) =>
      cognito("AdminListGroupsForUser", { UserPoolId: poolId, Username: user.Username })
        .then((answer) => (answer.Groups || []).map((g) => g.GroupName))));
    // Another pool was picked while this one was read.
    if (poolId !== state.poolId) return;
    state.groups = (groups.Groups || []).map((g) => g.GroupName);
    state.users = users.map((user, index) => ({ ...user, groups: memberships[index] }))
      .sort((a, b) => String(attribute(a, "email") || a.Username).localeCompare(String(attribute(b, "email") || b.Username)));
  }

  async function refresh() {
    try {
      await loading(frame.element, async () => {
        if (!state.pools.length) await loadPools();
        await loadUsers();
      });
      showError(frame.errors, null);
    } catch (error) {
      showError(frame.errors, error);
    }
    render();
  }

  function render() {
    createForm.setGroups(state.groups);
    createForm.element.hidden = !state.poolId;
    if (!state.poolId) {
      fill(list, h("p", { class: "muted" }, "The blueprint has no user pool."));
      return;
    }
    fill(list, h("table", { class: "grid users-grid", id: "users-list" },
      h("caption", null, `${state.users.length} ${state.users.length === 1 ? "user" : "users"}`),
      h("thead", null, h("tr", null, ["E-mail", "Status", "Groups", "Created", "Actions"].map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", null, state.users.length
        ? state.users.flatMap((user) => userRows(user))
        : h("tr", null, h("td", { colspan: "5", class: "muted" }, "No users yet.")))));
  }

  /** Runs a change, then says what happened and shows the list again. */
  async function change(button, work, said) {
    showError(frame.errors, null);
    try {
      await busy(button, work);
      fill(results, notice(said));
    } catch (error) {
      showError(frame.errors, error);
      return false;
    }
    await refresh();
    return true;
  }

  function userRows(user) {
    const email = attribute(user, "email") || user.Username;
    const who = { UserPoolId: state.poolId, Username: user.Username };
    const toggle = h("button", { type: "button", class: "button-small", dataset: { action: user.Enabled ? "disable" : "enable" } }, user.Enabled ? "Disable" : "Enable");
    toggle.addEventListener("click", () => change(toggle,
      () => cognito(user.Enabled ? "AdminDisableUser" : "AdminEnableUser", who),
      `${email} ${user.Enabled ? "can no longer sign in" : "can sign in again"}.`));
    const reset = h("button", { type: "button", class: "button-small", dataset: { action: "reset-password" }, "aria-expanded": String(state.resetOpen === user.Username) }, "Reset password");
    reset.addEventListener("click", () => {
      state.resetOpen = state.resetOpen === user.Username ? null : user.Username;
      render();
      const input = list.querySelector(".reset-form input[type=password]");
      if (input) input.focus();
    });

    const missing = state.groups.filter((group) => !user.groups.includes(group));
    const addPicker = h("select", { class: "small-select", "aria-label": `Add ${email} to a group` },
      h("option", { value: "" }, "add to…"), missing.map((group) => h("option", { value: group }, group)));
    const add = h("button", { type: "button", class: "button-small", dataset: { action: "add-group" } }, "Add");
    add.addEventListener("click", () => {
      const group = addPicker.value;
      if (!group) {
        addPicker.focus();
        return;
      }
      change(add, () => cognito("AdminAddUserToGroup", { ...who, GroupName: group }), `${email} is now in ${group}.`);
    });
    const chips = user.groups.map((group) => {
      const remove = h("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${email} from ${group}`, title: `Remove from ${group}` }, "×");
      remove.addEventListener("click", () => change(remove,
        () => cognito("AdminRemoveUserFromGroup", { ...who, GroupName: group }), `${email} is no longer in ${group}.`));
      return h("span", { class: "chip", dataset: { group } }, group, remove);
    });

    const row = h("tr", { class: "user-row", dataset: { username: user.Username, email, enabled: String(Boolean(user.Enabled)), status: user.UserStatus } },
      h("th", { scope: "row", class: "email", title: `User name: ${user.Username}` }, email),
      h("td", { class: "status-cell" },
        h("span", { class: `badge status-${String(user.UserStatus).toLowerCase()}`, title: user.UserStatus }, STATUS_WORDS[user.UserStatus] || user.UserStatus),
        h("span", { class: user.Enabled ? "badge badge-ok" : "badge badge-off" }, user.Enabled ? "enabled" : "disabled")),
      h("td", { class: "groups" }, chips, missing.length ? h("span", { class: "add-group" }, addPicker, add) : null),
      h("td", { class: "nowrap", title: user.UserCreateDate ? formatDateTime(user.UserCreateDate) : null }, user.UserCreateDate ? formatShort(user.UserCreateDate).slice(0, -3) : "—"),
      h("td", { class: "row-actions" }, reset, toggle));
    return state.resetOpen === user.Username ? [row, resetRow(user, email, who)] : [row];
  }

  function resetRow(user, email, who) {
    const passwordId = uniqueId("reset-password");
    const permanentId = uniqueId("reset-permanent");
    const password = h("input", { id: passwordId, type: "password", autocomplete: "new-password", required: true });
    const permanent = h("input", { id: permanentId, type: "checkbox" });
    const error = h("div", { class: "form-errors" });
    const submit = h("button", { type: "submit", class: "button-primary button-small" }, "Set password");
    const cancel = h("button", { type: "button", class: "button-small button-quiet" }, "Cancel");
    cancel.addEventListener("click", () => {
      state.resetOpen = null;
      render();
    });
    const form = h("form", { class: "reset-form", novalidate: true },
      // Whose password it is, for password managers.
      h("input", { type: "text", class: "visually-hidden", autocomplete: "username", value: email, readonly: true, tabindex: "-1", "aria-label": "User name" }),
      h("label", { for: passwordId }, `New password for ${email}`), password,
      h("span", { class: "checkbox" }, permanent, h("label", { for: permanentId }, "Permanent")),
      submit, cancel,
      h("p", { class: "hint" }, "Unless it is permanent, the user must choose a new password at the next sign-in."),
      error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!password.value) {
        showError(error, "Enter the new password.");
        password.focus();
        return;
      }
      try {
        await busy(submit, () => cognito("AdminSetUserPassword", { ...who, Password: password.value, Permanent: permanent.checked }));
      } catch (failure) {
        showError(error, failure);
        password.focus();
        return;
      }
      state.resetOpen = null;
      fill(results, notice(permanent.checked
        ? `${email} has a new password.`
        : `${email} has a temporary password and must choose a new one at the next sign-in.`));
      await refresh();
    });
    return h("tr", { class: "reset-row", dataset: { username: user.Username } }, h("td", { colspan: "5" }, form));
  }

  function buildCreateForm() {
    const email = h("input", { id: "new-user-email", type: "email", autocomplete: "off", required: true, placeholder: "someone@example.com" });
    const password = h("input", { id: "new-user-password", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "generated when empty" });
    const groupBoxes = h("fieldset", { class: "group-boxes" }, h("legend", null, "Groups"));
    const error = h("div", { class: "form-errors" });
    const submit = h("button", { type: "submit", id: "new-user-submit", class: "button-primary" }, "Create user");
    const element = h("form", { class: "card create-user", id: "create-user-form", novalidate: true, "aria-labelledby": "create-user-heading" },
      h("h3", { id: "create-user-heading" }, "Create a user"),
      h("div", { class: "field" }, h("label", { for: "new-user-email" }, "E-mail address"), email),
      h("div", { class: "field" }, h("label", { for: "new-user-password" }, "Temporary password ", h("span", { class: "muted" }, "(optional)")), password),
      groupBoxes,
      h("div", { class: "field field-submit" }, submit),
      error);
    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(error, null);
      const address = email.value.trim();
      if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
        showError(error, "Enter an e-mail address such as ann@example.com.");
        email.focus();
        return;
      }
      const groups = [...groupBoxes.querySelectorAll("input:checked")].map((box) => box.value);
      let created;
      try {
        created = await busy(submit, async () => {
          const answer = await cognito("AdminCreateUser", {
            UserPoolId: state.poolId,
            Username: address,
            UserAttributes: [{ Name: "email", Value: address }, { Name: "email_verified", Value: "true" }],
            ...(password.value ? { TemporaryPassword: password.value } : {}),
            DesiredDeliveryMediums: ["EMAIL"],
          });
          const username = (answer.User && answer.User.Username) || address;
          for (const group of groups) await cognito("AdminAddUserToGroup", { UserPoolId: state.poolId, Username: username, GroupName: group });
          return answer;
        });
      } catch (failure) {
        showError(error, failure);
        email.focus();
        await refresh();
        return;
      }
      element.reset();
      fill(results, notice(
        `Created ${address}${groups.length ? ` in ${groups.join(", ")}` : ""} (${(created.User && created.User.UserStatus) || "FORCE_CHANGE_PASSWORD"}). The invitation with the temporary password is in the `,
        h("a", { href: "#/outbox", id: "invitation-link" }, "outbox"), "."));
      await refresh();
      email.focus();
    });
    return {
      element,
      setGroups(groups) {
        const checked = new Set([...groupBoxes.querySelectorAll("input:checked")].map((box) => box.value));
        fill(groupBoxes, h("legend", null, "Groups"), groups.length
          ? groups.map((group) => {
            const id = `new-user-group-${group.replace(/[^A-Za-z0-9_-]/g, "_")}`;
            return h("span", { class: "checkbox" }, h("input", { type: "checkbox", id, value: group, checked: checked.has(group) }), h("label", { for: id }, group));
          })
          : h("span", { class: "muted" }, "The pool has no groups."));
      },
    };
  }

  poolPicker.addEventListener("change", () => {
    state.poolId = poolPicker.value;
    state.resetOpen = null;
    results.replaceChildren();
    refresh();
  });
  reload.addEventListener("click", () => busy(reload, refresh));

  return {
    element: frame.element,
    show() {
      state.resetOpen = null;
      refresh();
    },
    hide() {},
  };
}
