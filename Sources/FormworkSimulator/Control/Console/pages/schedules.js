// Schedules on the simulator's clock: when each fired and fires next, a way to run its target
// now, and the deliveries that failed (with what happens to them next).

import { h, fill, json, architecture, loading, showError, busy, pageFrame, formatDateTime, formatShort, formatClockTime, relativeTime, prettyText } from "/_formwork/console/lib.js";

const REFRESH_MS = 5000;
const NEXT_WORDS = { retry: "retry", "dead-letter": "dead-letter queue", dropped: "dropped" };

export function createSchedulesPage({ clock }) {
  const frame = pageFrame("schedules", "Schedules", "What runs by itself, on the simulator's clock.");
  const reload = h("button", { type: "button", id: "schedules-reload", class: "button-quiet" }, "Reload");
  const moveClock = h("a", { href: "#/clock", class: "button-link" }, "Move the clock…");
  frame.toolbar.append(moveClock, reload);

  const scheduleArea = h("div", { id: "schedule-list" });
  const runOutput = h("div", { id: "run-output", "aria-live": "polite" });
  const failureArea = h("div", { id: "failure-list" });
  frame.body.append(
    h("section", { class: "card", "aria-labelledby": "schedules-list-heading" },
      h("div", { class: "section-head" }, h("h3", { id: "schedules-list-heading" }, "Schedules"), h("span", { class: "muted", id: "schedules-now" })),
      scheduleArea),
    runOutput,
    h("section", { class: "card", "aria-labelledby": "failures-heading" },
      h("div", { class: "section-head" },
        h("h3", { id: "failures-heading" }, "Delivery failures"),
        h("span", { class: "muted small" }, "Failed attempts of asynchronous invocations (schedules, topics), with what happens next.")),
      failureArea));

  let functionIds = new Map(); // local name -> logical id
  let shown = ""; // what is on the page, so a refresh that finds nothing new changes nothing
  let timer = null;
  let visible = false;

  async function refresh() {
    try {
      await loading(frame.element, async () => {
        const [schedules, failures, blueprint] = await Promise.all([
          json("/_formwork/schedules"),
          json("/_formwork/failures"),
          architecture().catch(() => ({ resources: [] })),
        ]);
        functionIds = new Map(blueprint.resources.filter((r) => r.kind === "function").flatMap((r) => [[r.name, r.id], [r.id, r.id]]));
        const fingerprint = JSON.stringify([schedules, failures]);
        if (fingerprint === shown) return;
        shown = fingerprint;
        renderSchedules(schedules);
        renderFailures(failures.failures || [], schedules.now);
      });
      showError(frame.errors, null);
    } catch (error) {
      showError(frame.errors, error);
    }
  }

  function renderSchedules({ now, schedules = [] }) {
    frame.element.querySelector("#schedules-now").textContent = `Simulator clock: ${formatDateTime(now)}`;
    if (!schedules.length) {
      fill(scheduleArea, h("p", { class: "muted" }, "The blueprint has no schedules."));
      return;
    }
    fill(scheduleArea, h("div", { class: "table-scroll" }, h("table", { class: "grid", id: "schedules-table" },
      h("thead", null, h("tr", null, ["Name", "Expression", "Target", "State", "Fires", "Last fire", "Next fire", ""]
        .map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", null, schedules.map((schedule) => scheduleRow(schedule, now))))));
  }

  function scheduleRow(schedule, now) {
    const run = h("button", { type: "button", class: "button-small", dataset: { action: "run-now" } }, "Run now");
    run.addEventListener("click", () => runNow(schedule, run));
    const logicalId = functionIds.get(schedule.target);
    return h("tr", { class: "schedule-row", dataset: { name: schedule.name, fires: schedule.fires } },
      h("th", { scope: "row", title: schedule.arn }, schedule.name),
      h("td", null, h("code", null, schedule.expression), h("span", { class: "muted small block" }, schedule.timeZone || "UTC")),
      h("td", null, logicalId
        ? h("a", { href: `#/logs/${encodeURIComponent(logicalId)}`, title: `${schedule.target}: its logs` }, logicalId)
        : schedule.target),
      h("td", null, h("span", { class: schedule.state === "ENABLED" ? "badge badge-ok" : "badge badge-off" }, schedule.state.toLowerCase())),
      h("td", { class: "number schedule-fires" }, String(schedule.fires)),
      h("td", { class: "nowrap" }, when(schedule.lastFire, now)),
      h("td", { class: "nowrap" }, when(schedule.nextFire, now)),
      h("td", null, run));
  }

  async function runNow(schedule, button) {
    const target = functionIds.get(schedule.target) || schedule.target;
    const started = clock.current();
    showError(frame.errors, null);
    let answer;
    let failure = null;
    try {
      answer = await busy(button, () => json(`/_formwork/functions/${encodeURIComponent(target)}/invoke?event=scheduled`, { method: "POST" }));
      // The simulator answers a run that failed inside the function with 200 and status "failed".
      if (answer && answer.status === "failed") failure = new Error(`${target} failed: ${answer.error || "no reason given"}`);
    } catch (error) {
      failure = error;
      answer = error.data ?? { message: error.message };
    }
    if (failure) showError(frame.errors, failure);
    fill(runOutput, h("section", { class: `card run-result${failure ? " run-failed" : ""}`, id: "run-result", dataset: { status: failure ? "failed" : "succeeded" } },
      h("div", { class: "section-head" },
        h("h3", null, `${failure ? "Failed" : "Ran"}: ${target}`, h("span", { class: "muted" }, ` for ${schedule.name}${started ? `, at ${formatShort(started)}` : ""}`)),
        h("a", { href: `#/logs/${encodeURIComponent(target)}` }, "Its logs →")),
      runAnswer(answer)));
    refresh();
  }

  function renderFailures(failures, now) {
    if (!failures.length) {
      fill(failureArea, h("p", { class: "muted", id: "no-failures" }, "No failed deliveries."));
      return;
    }
    const rows = failures.slice().reverse().flatMap((failure) => {
      const eventRow = h("tr", { class: "failure-event", hidden: true },
        h("td", { colspan: "7" }, h("pre", { class: "json" }, prettyText(typeof failure.event === "string" ? failure.event : JSON.stringify(failure.event)))));
      const toggle = h("button", { type: "button", class: "button-small", "aria-expanded": "false" }, "Event");
      toggle.addEventListener("click", () => {
        eventRow.hidden = !eventRow.hidden;
        toggle.setAttribute("aria-expanded", String(!eventRow.hidden));
      });
      const next = NEXT_WORDS[failure.next] || failure.next;
      return [h("tr", { class: "failure-row", dataset: { next: failure.next } },
        h("td", { class: "nowrap" }, h("time", { datetime: failure.at, title: formatDateTime(failure.at) }, formatShort(failure.at))),
        h("td", { title: failure.target }, functionIds.get(failure.target) || failure.target),
        h("td", null, failure.source),
        h("td", { class: "number" }, String(failure.attempt)),
        h("td", { class: "failure-error" }, failure.error),
        h("td", { class: "nowrap" }, h("span", { class: `badge next-${failure.next}` }, next),
          failure.retryAt ? h("span", { class: "muted small block" }, when(failure.retryAt, now)) : null,
          failure.deadLetterQueue ? h("span", { class: "muted small block", title: failure.deadLetterQueue }, failure.deadLetterQueue.split(":").pop()) : null),
        h("td", null, toggle)), eventRow];
    });
    fill(failureArea, h("div", { class: "table-scroll" }, h("table", { class: "grid", id: "failures-table" },
      h("thead", null, h("tr", null, ["At", "Target", "Source", "Attempt", "Error", "Next", ""].map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", null, rows))));
  }

  reload.addEventListener("click", () => busy(reload, refresh));
  clock.addEventListener("moved", () => {
    if (visible) refresh();
  });

  return {
    element: frame.element,
    show() {
      visible = true;
      refresh();
      clearInterval(timer);
      timer = setInterval(() => {
        if (!document.hidden) refresh();
      }, REFRESH_MS);
    },
    hide() {
      visible = false;
      clearInterval(timer);
    },
  };
}

/** A direct invocation's answer: its response and log lines when it has them, else its JSON. */
function runAnswer(answer) {
  if (!answer || typeof answer !== "object" || !Array.isArray(answer.log)) {
    return h("pre", { class: "json" }, prettyText(JSON.stringify(answer ?? null)));
  }
  return [
    h("dl", { class: "facts facts-inline" },
      h("dt", null, "Status"), h("dd", null, h("span", { class: answer.status === "failed" ? "badge next-dropped" : "badge badge-ok" }, answer.status || "—")),
      h("dt", null, "Request"), h("dd", null, h("code", null, answer.requestId || "—"))),
    "response" in answer ? [h("h4", null, "Response"), h("pre", { class: "json" }, prettyText(JSON.stringify(answer.response)))] : null,
    h("h4", null, "Log"),
    h("div", { class: "log-view log-inline" }, answer.log.map((line) => h("div", { class: "log-line log-line-short" },
      h("time", { class: "log-time", datetime: line.timestamp }, formatClockTime(line.timestamp)),
      h("span", { class: "log-message" }, String(line.message ?? ""))))),
  ];
}

/** "in 42 min" with the exact time beside it; "—" when there is none. */
function when(value, now) {
  if (!value) return h("span", { class: "muted" }, "—");
  return h("time", { datetime: value, title: formatDateTime(value) },
    relativeTime(value, now), h("span", { class: "muted small block" }, formatShort(value)));
}
