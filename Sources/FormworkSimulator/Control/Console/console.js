// The Formwork console, served by `formwork simulate` at /_formwork/: a hash router over eight
// pages, and a header with the blueprint and the simulator's clock. No build step: the modules
// are loaded as they are, under a Content-Security-Policy without inline code or styles.

import { $, json, architecture, formatDateTime, showError } from "/_formwork/console/lib.js";
import { createArchitecturePage } from "/_formwork/console/pages/architecture.js";
import { createEndpointsPage } from "/_formwork/console/pages/endpoints.js";
import { createUsersPage } from "/_formwork/console/pages/users.js";
import { createTablesPage } from "/_formwork/console/pages/tables.js";
import { createOutboxPage } from "/_formwork/console/pages/outbox.js";
import { createLogsPage } from "/_formwork/console/pages/logs.js";
import { createSchedulesPage } from "/_formwork/console/pages/schedules.js";
import { createClockPage } from "/_formwork/console/pages/clock.js";

const PAGES = {
  architecture: { title: "Architecture", create: createArchitecturePage },
  endpoints: { title: "Endpoints", create: createEndpointsPage },
  users: { title: "Users", create: createUsersPage },
  tables: { title: "Tables", create: createTablesPage },
  outbox: { title: "Outbox", create: createOutboxPage },
  logs: { title: "Logs", create: createLogsPage },
  schedules: { title: "Schedules", create: createSchedulesPage },
  clock: { title: "Clock", create: createClockPage },
};
const DEFAULT_PAGE = "architecture";
const CLOCK_POLL_MS = 2000;

/**
 * The simulator's clock as last read. Events: "tick" after every read, "moved" after the
 * console moved it (pages that show what the clock causes reload then).
 */
class SimulatorClock extends EventTarget {
  constructor() {
    super();
    this.now = null;
    this.mode = null;
    this.readAt = 0;
  }

  /** The simulator's time now: a real clock runs on between reads, a virtual one stands still. */
  current() {
    if (!this.now) return null;
    const base = new Date(this.now).getTime();
    return new Date(this.mode === "real" ? base + (Date.now() - this.readAt) : base);
  }

  async read() {
    this.update(await json("/_formwork/clock"));
  }

  update(answer) {
    this.now = answer.now;
    this.mode = answer.mode;
    this.readAt = Date.now();
    this.dispatchEvent(new CustomEvent("tick", { detail: answer }));
  }

  /** After the console moved the clock: the answer of POST /_formwork/clock. */
  moved(answer) {
    this.update(answer);
    this.dispatchEvent(new CustomEvent("moved", { detail: answer }));
  }
}

class Console {
  constructor() {
    this.clock = new SimulatorClock();
    this.pages = new Map();
    this.current = null;
  }

  start() {
    window.addEventListener("hashchange", () => this.route(true));
    $("skip-link").addEventListener("click", (event) => {
      event.preventDefault();
      $("main").focus();
    });
    this.clock.addEventListener("tick", () => this.renderClock());
    this.startClock();
    this.loadBlueprint();
    this.route(false);
    document.body.dataset.state = "ready";
  }

  async loadBlueprint() {
    try {
      const blueprint = await architecture();
      $("blueprint-name").textContent = blueprint.name || "Blueprint";
      $("environment").textContent = blueprint.environment || "";
      $("environment").hidden = !blueprint.environment;
    } catch (error) {
      $("blueprint-name").textContent = "Blueprint";
      showError($("header-error"), error);
    }
  }

  startClock() {
    const read = async () => {
      if (document.hidden) return;
      try {
        await this.clock.read();
        showError($("header-error"), null);
      } catch (error) {
        showError($("header-error"), error);
      }
    };
    read();
    setInterval(read, CLOCK_POLL_MS);
    // A real clock runs on between reads; the header shows it by the second.
    setInterval(() => {
      if (this.clock.mode === "real") this.renderClock();
    }, 1000);
    document.addEventListener("visibilitychange", read);
  }

  renderClock() {
    const now = this.clock.current();
    if (!now) return;
    const time = $("header-clock");
    time.textContent = formatDateTime(now);
    time.setAttribute("datetime", now.toISOString());
    $("clock-mode").textContent = this.clock.mode;
    $("clock-mode").dataset.mode = this.clock.mode;
    $("clock-mode").hidden = false;
  }

  /** "#/logs/TaskManagementFunction" -> the logs page, given "TaskManagementFunction". */
  route(moveFocus) {
    const [requested, ...rest] = window.location.hash.replace(/^#\/?/, "").split("/");
    const name = Object.hasOwn(PAGES, requested) ? requested : DEFAULT_PAGE;
    let argument = "";
    try {
      if (name === requested) argument = decodeURIComponent(rest.join("/"));
    } catch {
      argument = "";
    }
    if (name !== requested) history.replaceState(null, "", `#/${name}`);
    if (this.current === name && !argument) return;
    if (this.current && this.current !== name) this.pages.get(this.current).hide();
    for (const key of Object.keys(PAGES)) {
      const link = $(`nav-${key}`);
      if (key === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    let page = this.pages.get(name);
    if (!page) {
      page = PAGES[name].create({ clock: this.clock });
      this.pages.set(name, page);
      $("main").append(page.element);
    }
    for (const [key, other] of this.pages) other.element.hidden = key !== name;
    this.current = name;
    document.title = `${PAGES[name].title} · Formwork console`;
    page.show(argument);
    if (moveFocus) {
      const heading = page.element.querySelector("h2");
      if (heading) heading.focus();
    }
  }
}

new Console().start();
