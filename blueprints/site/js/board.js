// The task board: tasks grouped by status, deadline highlighting, status changes, and (for
// administrators) creating, editing, reassigning and deleting tasks.

import { $, h, formatDateTime, relativeTime, toLocalInput, fromLocalInput } from "./dom.js";
import { notify, showError, announce, confirmAction } from "./ui.js";
import { enc } from "./api.js";

export const STATUSES = [
  ["todo", "To do"],
  ["in_progress", "In progress"],
  ["blocked", "Blocked"],
  ["done", "Done"],
];
export const STATUS_LABEL = Object.fromEntries(STATUSES);
const PRIORITY_LABEL = { low: "Low", medium: "Medium", high: "High" };
const PRIORITY_ORDER = { high: 0, medium: 1, low: 2 };
const DAY_MS = 24 * 60 * 60 * 1000;

/** "overdue" (past its deadline, not done), "due-soon" (within 24 hours, not done) or "none". */
export function deadlineState(task, now = Date.now()) {
  if (task.status === "done") return "none";
  const deadline = new Date(task.deadline).getTime();
  if (Number.isNaN(deadline)) return "none";
  if (deadline < now) return "overdue";
  if (deadline - now <= DAY_MS) return "due-soon";
  return "none";
}

const byDeadline = (a, b) =>
  String(a.deadline).localeCompare(String(b.deadline)) ||
  (PRIORITY_ORDER[a.priority] ?? 1) - (PRIORITY_ORDER[b.priority] ?? 1) ||
  String(a.title).localeCompare(String(b.title));

/** Moves focus back to the element with the same data-focus-key after a re-render. */
function keepFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : null;
  render();
  if (key) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

export class Board {
  constructor(app) {
    this.app = app;
    this.tasks = [];
    this.loaded = false;
    this.editing = null;
    this.returnFocus = null;
    this.states = new Map();
    this.wire();
  }

  get api() {
    return this.app.api;
  }

  get isAdmin() {
    return this.app.isAdmin;
  }

  wire() {
    $("new-task").addEventListener("click", (event) => this.openDialog(null, event.currentTarget));
    $("task-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    $("task-cancel").addEventListener("click", () => $("task-dialog").close());
    $("filter-assignee").addEventListener("change", () => this.render());
    $("task-dialog").addEventListener("close", () => {
      // Back to the control that opened the dialog, or to its re-rendered twin.
      const back = this.returnFocus;
      this.returnFocus = null;
      this.editing = null;
      const key = back && back.dataset ? back.dataset.focusKey : null;
      const target = back && back.isConnected ? back : key && document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
      if (target) target.focus();
    });
  }

  reset() {
    this.tasks = [];
    this.loaded = false;
    this.states.clear();
    $("board").replaceChildren();
    $("board").dataset.loaded = "false";
    $("filter-assignee").value = "";
  }

  async load() {
    const board = $("board");
    board.setAttribute("aria-busy", "true");
    try {
      const me = this.app.me;
      const [tasks] = await Promise.all([this.api.all("/tasks"), this.isAdmin ? this.app.loadUsers() : null]);
      if (this.app.me !== me) return; // signed out meanwhile
      this.tasks = tasks;
      this.loaded = true;
      this.render();
    } finally {
      board.setAttribute("aria-busy", "false");
    }
  }

  async reload() {
    try {
      await this.load();
      notify("Tasks reloaded: you see the latest version of every task.", { kind: "success" });
      $("board-heading").focus();
    } catch (error) {
      showError(error);
    }
  }

  assigneeName(task) {
    if (!this.isAdmin) return task.assigneeId === this.app.me.userId ? "You" : "Someone else";
    return this.app.userLabel(task.assigneeId);
  }

  fillFilter() {
    const select = $("filter-assignee");
    const current = select.value;
    const people = this.app.users.slice().sort((a, b) => a.name.localeCompare(b.name));
    select.replaceChildren(
      h("option", { value: "" }, "Everyone"),
      ...people.map((user) => h("option", { value: user.userId }, user.name)),
    );
    select.value = people.some((user) => user.userId === current) ? current : "";
  }

  render() {
    const board = $("board");
    if (this.isAdmin) this.fillFilter();
    const filter = this.isAdmin ? $("filter-assignee").value : "";
    const now = this.app.now();
    const visible = this.tasks.filter((task) => !filter || task.assigneeId === filter);
    this.states = new Map(this.tasks.map((task) => [task.taskId, deadlineState(task, now)]));
    keepFocus(board, () => {
      board.replaceChildren(
        ...STATUSES.map(([status, label]) => {
          const items = visible.filter((task) => task.status === status).sort(byDeadline);
          const headingId = `column-${status}-heading`;
          return h(
            "section",
            { class: `column column-${status}`, "aria-labelledby": headingId, dataset: { testid: `column-${status}`, status } },
            h("h3", { id: headingId }, label, " ", h("span", { class: "count", dataset: { testid: `count-${status}` } }, String(items.length))),
            items.length
              ? h("ul", { class: "task-list" }, items.map((task) => this.card(task, now)))
              : h("p", { class: "empty" }, "No tasks."),
          );
        }),
      );
    });
    board.dataset.loaded = "true";
  }

  /** Re-renders when a task crossed into "due soon" or "overdue" since the last render. */
  tick() {
    if (!this.loaded) return;
    const now = this.app.now();
    if (this.tasks.some((task) => this.states.get(task.taskId) !== deadlineState(task, now))) this.render();
  }

  card(task, now) {
    const state = deadlineState(task, now);
    const titleId = `task-${task.taskId}-title`;
    const selectId = `task-${task.taskId}-status`;
    const select = h(
      "select",
      { id: selectId, "aria-describedby": titleId, dataset: { testid: "task-status-select", focusKey: `${task.taskId}:status` } },
      STATUSES.map(([value, label]) => h("option", { value, selected: value === task.status }, label)),
    );
    const statusForm = h(
      "form",
      {
        class: "status-form",
        onsubmit: (event) => {
          event.preventDefault();
          this.changeStatus(task, select.value, event.currentTarget);
        },
      },
      h("label", { for: selectId }, "Status"),
      select,
      h("button", { type: "submit", "aria-describedby": titleId, dataset: { testid: "task-status-save", focusKey: `${task.taskId}:save` } }, "Update"),
    );
    return h(
      "li",
      {
        class: `task-card deadline-${state}`,
        "aria-labelledby": titleId,
        dataset: { testid: "task-card", taskId: task.taskId, status: task.status, deadlineState: state, version: task.version },
      },
      h("h4", { id: titleId, class: "task-title" }, task.title),
      task.description ? h("p", { class: "task-description" }, task.description) : null,
      h(
        "dl",
        { class: "task-meta" },
        h("div", null, h("dt", null, "Assignee"), h("dd", { dataset: { testid: "task-assignee" } }, this.assigneeName(task))),
        h("div", null, h("dt", null, "Priority"),
          h("dd", null, h("span", { class: `priority priority-${task.priority}` }, PRIORITY_LABEL[task.priority] || task.priority))),
        h("div", null, h("dt", null, "Deadline"),
          h("dd", null,
            h("time", { datetime: task.deadline, title: relativeTime(task.deadline, now) }, formatDateTime(task.deadline)),
            state === "overdue" ? h("span", { class: "badge badge-overdue", dataset: { testid: "badge-overdue" } }, "Overdue") : null,
            state === "due-soon" ? h("span", { class: "badge badge-due-soon", dataset: { testid: "badge-due-soon" } }, "Due soon") : null)),
      ),
      statusForm,
      this.isAdmin
        ? h(
            "div",
            { class: "card-actions" },
            h("button", {
              type: "button", class: "button-quiet", "aria-describedby": titleId,
              dataset: { testid: "task-edit", focusKey: `${task.taskId}:edit` },
              onclick: (event) => this.openDialog(task, event.currentTarget),
            }, "Edit"),
            h("button", {
              type: "button", class: "button-quiet button-danger-quiet", "aria-describedby": titleId,
              dataset: { testid: "task-delete", focusKey: `${task.taskId}:delete` },
              onclick: (event) => this.remove(task, event.currentTarget),
            }, "Delete"),
          )
        : null,
    );
  }

  replace(updated) {
    const index = this.tasks.findIndex((task) => task.taskId === updated.taskId);
    if (index >= 0) this.tasks[index] = updated;
    else this.tasks.push(updated);
  }

  async changeStatus(task, status, form) {
    if (status === task.status) {
      announce(`“${task.title}” is already ${STATUS_LABEL[status]}.`);
      return;
    }
    const controls = form.querySelectorAll("select, button");
    controls.forEach((control) => (control.disabled = true));
    form.setAttribute("aria-busy", "true");
    try {
      const updated = await this.api.patch(`/tasks/${enc(task.taskId)}`, { version: task.version, status });
      this.replace(updated);
      this.render();
      // Focus follows the task into its new column.
      const moved = $("board").querySelector(`[data-focus-key="${CSS.escape(`${task.taskId}:status`)}"]`);
      if (moved) moved.focus();
      notify(`“${updated.title}” is now ${STATUS_LABEL[updated.status]}.`, { kind: "success" });
      this.app.changed();
    } catch (error) {
      controls.forEach((control) => (control.disabled = false));
      form.removeAttribute("aria-busy");
      form.querySelector("select").value = task.status;
      this.failed(error, task);
    }
  }

  failed(error, task) {
    if (error.status === 409) {
      showError(error, { action: { label: "Reload tasks", run: () => this.reload() } });
    } else if (error.status === 404) {
      this.tasks = this.tasks.filter((t) => t.taskId !== task.taskId);
      this.render();
      showError(error);
    } else {
      showError(error);
    }
  }

  async openDialog(task, opener) {
    if (this.isAdmin) {
      try {
        await this.app.loadUsers();
      } catch (error) {
        showError(error);
        return;
      }
    }
    this.editing = task;
    this.returnFocus = opener || document.activeElement;
    const creating = !task;
    $("task-dialog-title").textContent = creating ? "New task" : "Edit task";
    $("task-save").textContent = creating ? "Create task" : "Save changes";
    this.fillForm(task);
    this.formError(null);
    $("task-dialog").showModal();
    $("task-title").focus();
  }

  fillForm(task) {
    const creating = !task;
    const assignee = $("task-assignee");
    const people = this.app.users
      .filter((user) => user.enabled || (task && user.userId === task.assigneeId))
      .sort((a, b) => a.name.localeCompare(b.name));
    assignee.replaceChildren(
      h("option", { value: "" }, "Choose a person…"),
      ...people.map((user) => h("option", { value: user.userId }, `${user.name} (${user.email})${user.enabled ? "" : " – disabled"}`)),
    );
    const now = this.app.now();
    const tomorrow = new Date(now + DAY_MS);
    tomorrow.setHours(17, 0, 0, 0);
    $("task-title").value = creating ? "" : task.title;
    $("task-description").value = creating ? "" : task.description || "";
    assignee.value = creating ? "" : task.assigneeId;
    $("task-deadline").value = creating ? toLocalInput(tomorrow.toISOString()) : toLocalInput(task.deadline);
    $("task-deadline").min = creating ? toLocalInput(new Date(now).toISOString()) : "";
    $("task-priority").value = creating ? "medium" : task.priority;
    $("task-status").value = creating ? "todo" : task.status;
    $("task-status-field").hidden = creating;
    for (const id of ["task-title", "task-assignee", "task-deadline"]) $(id).removeAttribute("aria-invalid");
  }

  formError(text, action) {
    const box = $("task-form-error");
    if (!text) {
      box.replaceChildren();
      return;
    }
    box.replaceChildren(
      h("p", null, text),
      action ? h("button", { type: "button", id: "task-reload", onclick: action.run }, action.label) : null,
    );
  }

  /** The form's values, or null (with the problems shown) when they are not valid. */
  formValues() {
    const values = {
      title: $("task-title").value.trim(),
      description: $("task-description").value,
      assigneeId: $("task-assignee").value,
      deadline: fromLocalInput($("task-deadline").value),
      priority: $("task-priority").value,
      status: $("task-status").value,
    };
    const problems = [];
    const mark = (id, bad, text) => {
      if (bad) {
        $(id).setAttribute("aria-invalid", "true");
        problems.push([id, text]);
      } else {
        $(id).removeAttribute("aria-invalid");
      }
    };
    mark("task-title", !values.title, "Title: enter a title.");
    mark("task-assignee", !values.assigneeId, "Assignee: choose a person.");
    mark("task-deadline", !values.deadline, "Deadline: enter a date and time.");
    if (problems.length) {
      this.formError(problems.map(([, text]) => text).join(" "));
      $(problems[0][0]).focus();
      return null;
    }
    return values;
  }

  async save() {
    const values = this.formValues();
    if (!values) return;
    const save = $("task-save");
    save.disabled = true;
    this.formError(null);
    try {
      if (!this.editing) {
        const body = { title: values.title, assigneeId: values.assigneeId, deadline: values.deadline, priority: values.priority };
        if (values.description) body.description = values.description;
        const created = await this.api.post("/tasks", body);
        this.replace(created);
        $("task-dialog").close();
        this.render();
        notify(`Created “${created.title}” for ${this.app.userLabel(created.assigneeId)}.`, { kind: "success" });
      } else {
        const task = this.editing;
        const changes = {};
        for (const field of ["title", "description", "assigneeId", "priority", "status"]) {
          if (values[field] !== (task[field] ?? "")) changes[field] = values[field];
        }
        if (values.deadline && values.deadline.slice(0, 16) !== String(task.deadline).slice(0, 16)) changes.deadline = values.deadline;
        if (Object.keys(changes).length === 0) {
          $("task-dialog").close();
          announce("Nothing changed.");
          return;
        }
        const updated = await this.api.patch(`/tasks/${enc(task.taskId)}`, { version: task.version, ...changes });
        this.replace(updated);
        $("task-dialog").close();
        this.render();
        const reassigned = changes.assigneeId ? ` It is now assigned to ${this.app.userLabel(updated.assigneeId)}.` : "";
        notify(`Saved “${updated.title}”.${reassigned}`, { kind: "success" });
      }
      this.app.changed();
    } catch (error) {
      if (error.status === 409 && this.editing) {
        const stale = this.editing;
        this.formError(`${error.text} Reload the task to see its latest version (your changes in this form are discarded).`, {
          label: "Reload this task",
          run: () => this.reloadEditing(stale),
        });
      } else {
        this.formError(error.text || error.message);
      }
      const first = ["task-title", "task-assignee", "task-deadline"].find((id) => error.details && error.details.some((d) => $(id).name === d.field));
      if (first) $(first).setAttribute("aria-invalid", "true");
    } finally {
      save.disabled = false;
    }
  }

  async reloadEditing(stale) {
    try {
      const latest = await this.api.get(`/tasks/${enc(stale.taskId)}`);
      this.replace(latest);
      this.editing = latest;
      this.fillForm(latest);
      this.formError(null);
      this.render();
      announce("The task was reloaded.");
      $("task-title").focus();
    } catch (error) {
      this.formError(error.text || error.message);
    }
  }

  async remove(task, opener) {
    const confirmed = await confirmAction({
      title: "Delete task?",
      text: `Delete “${task.title}”? This cannot be undone.`,
      confirmLabel: "Delete task",
    });
    if (!confirmed) {
      opener.focus();
      return;
    }
    try {
      await this.api.del(`/tasks/${enc(task.taskId)}`);
    } catch (error) {
      if (error.status !== 404) {
        showError(error);
        return;
      }
    }
    this.tasks = this.tasks.filter((t) => t.taskId !== task.taskId);
    this.render();
    notify(`Deleted “${task.title}”.`, { kind: "success" });
    $("board-heading").focus();
    this.app.changed();
  }
}
