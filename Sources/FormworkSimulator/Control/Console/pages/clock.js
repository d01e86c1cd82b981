// The simulator's clock: move it forward (what falls due on the way runs, in order) or set it,
// then see what the move caused: schedules' fires and new outbox messages.

import { h, fill, json, showError, pageFrame, formatDateTime, formatShort, fromUtcInput, toUtcInput, durationText } from "/_formwork/console/lib.js";

const STEPS = [["PT15M", "+15 min"], ["PT1H", "+1 h"], ["P1D", "+1 day"], ["P1W", "+1 week"]];
const MODE_WORDS = {
  virtual: "Virtual: time stands still until it is moved here (or with formwork clock).",
  real: "Real: the machine's clock, shifted by the moves made here.",
};

export function createClockPage({ clock }) {
  const frame = pageFrame("clock", "Clock", "Move the simulator's time: schedules that fall due on the way run, in order.");
  const time = h("time", { class: "big-time", id: "clock-now" }, "…");
  const mode = h("span", { class: "mode", id: "clock-page-mode" });
  const modeWords = h("p", { class: "muted", id: "clock-mode-words" });

  const stepButtons = STEPS.map(([duration, label]) => h("button", { type: "button", class: "button-primary step", dataset: { duration } }, label));
  const duration = h("input", { id: "clock-duration", name: "duration", placeholder: "PT25H, P1DT30M, P2W", autocomplete: "off", spellcheck: "false" });
  const advance = h("button", { type: "submit", id: "clock-advance" }, "Advance");
  const target = h("input", { id: "clock-set", name: "set", type: "datetime-local" });
  const set = h("button", { type: "submit", id: "clock-set-submit" }, "Set");
  const status = h("p", { class: "muted", id: "clock-status", "aria-live": "polite" });
  const changes = h("div", { id: "clock-changes", "aria-live": "polite" });
  const controls = [...stepButtons, advance, set, duration, target];

  const advanceForm = h("form", { class: "inline-form", id: "clock-advance-form", novalidate: true },
    h("label", { for: "clock-duration" }, "Advance by ", h("span", { class: "muted" }, "(ISO 8601 duration)")),
    h("div", { class: "inline-inputs" }, duration, advance));
  const setForm = h("form", { class: "inline-form", id: "clock-set-form", novalidate: true },
    h("label", { for: "clock-set" }, "Set to ", h("span", { class: "muted" }, "(UTC)")),
    h("div", { class: "inline-inputs" }, target, set));

  frame.body.append(
    h("section", { class: "card clock-card", "aria-labelledby": "clock-now-heading" },
      h("h3", { id: "clock-now-heading", class: "visually-hidden" }, "Now"),
      h("div", { class: "clock-now" }, time, mode),
      modeWords,
      h("div", { class: "steps", role: "group", "aria-label": "Advance by" }, stepButtons),
      h("div", { class: "clock-forms" }, advanceForm, setForm),
      status),
    changes);

  function render() {
    const now = clock.current();
    if (!now) return;
    time.textContent = formatDateTime(now);
    time.setAttribute("datetime", now.toISOString());
    mode.textContent = clock.mode;
    mode.dataset.mode = clock.mode;
    modeWords.textContent = MODE_WORDS[clock.mode] || "";
    if (!target.value || document.activeElement !== target) target.value = toUtcInput(now).slice(0, 16);
    frame.element.dataset.loaded = "true";
  }

  /** What a move can change: the schedules' fire counts and the outbox. */
  async function snapshot() {
    const [schedules, outbox] = await Promise.all([json("/_formwork/schedules"), json("/_formwork/outbox")]);
    return { schedules: schedules.schedules || [], messages: outbox.messages || [] };
  }

  async function move(body, description) {
    showError(frame.errors, null);
    controls.forEach((control) => { control.disabled = true; });
    status.textContent = `Moving the clock (${description})…`;
    frame.element.setAttribute("aria-busy", "true");
    try {
      const from = clock.current();
      const before = await snapshot();
      const answer = await json("/_formwork/clock", { method: "POST", body });
      clock.moved(answer);
      const after = await snapshot();
      status.textContent = "";
      fill(changes, changeReport(from, answer, before, after, description));
    } catch (error) {
      status.textContent = "";
      showError(frame.errors, error);
      if (clock.mode === "real") {
        frame.errors.append(h("p", { class: "hint" }, "Moving the clock is meant for a simulator started with --clock virtual; a real clock follows the machine's time."));
      }
    } finally {
      controls.forEach((control) => { control.disabled = false; });
      frame.element.setAttribute("aria-busy", "false");
    }
  }

  for (const button of stepButtons) {
    button.addEventListener("click", () => move({ advance: button.dataset.duration }, button.textContent));
  }
  advanceForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = duration.value.trim().toUpperCase();
    if (!value) {
      showError(frame.errors, "Enter a duration such as PT25H (25 hours), P1DT30M (a day and a half hour) or P2W (two weeks).");
      duration.focus();
      return;
    }
    move({ advance: value }, value);
  });
  setForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const instant = fromUtcInput(target.value);
    if (!instant) {
      showError(frame.errors, "Choose a date and a time (UTC).");
      target.focus();
      return;
    }
    move({ set: instant }, `to ${instant}`);
  });
  clock.addEventListener("tick", render);

  return {
    element: frame.element,
    show() {
      render();
      clock.read().then(render, (error) => showError(frame.errors, error));
    },
    hide() {},
  };
}

function changeReport(from, answer, before, after, description) {
  const fires = new Map(before.schedules.map((s) => [s.name, s.fires]));
  const known = new Set(before.messages.map((m) => m.id));
  const fresh = after.messages.filter((m) => !known.has(m.id));
  const fired = after.schedules.reduce((sum, s) => sum + Math.max(0, s.fires - (fires.get(s.name) ?? 0)), 0);
  return h("section", { class: "card changes", id: "clock-change-report", "aria-labelledby": "changes-heading" },
    h("h3", { id: "changes-heading" }, `Moved ${description}`),
    h("p", null,
      from ? [h("span", { class: "nowrap" }, formatDateTime(from)), " → "] : null,
      h("strong", { class: "nowrap" }, formatDateTime(answer.now)),
      from ? h("span", { class: "muted" }, ` (${moved(from, answer.now)})`) : null),
    h("ul", { class: "change-summary" },
      h("li", { id: "changes-fires" }, h("strong", null, String(fired)), ` schedule ${fired === 1 ? "run" : "runs"}`),
      h("li", { id: "changes-messages" }, h("strong", null, String(fresh.length)), ` new outbox ${fresh.length === 1 ? "message" : "messages"} `,
        fresh.length ? h("a", { href: "#/outbox" }, "open the outbox →") : null)),
    after.schedules.length
      ? h("table", { class: "grid compact", id: "changes-schedules" },
        h("thead", null, h("tr", null, ["Schedule", "Fires before", "After", "Change", "Next fire"].map((text) => h("th", { scope: "col" }, text)))),
        h("tbody", null, after.schedules.map((schedule) => {
          const previous = fires.get(schedule.name) ?? 0;
          const delta = schedule.fires - previous;
          return h("tr", { dataset: { name: schedule.name } },
            h("th", { scope: "row" }, schedule.name),
            h("td", { class: "number" }, String(previous)),
            h("td", { class: "number" }, String(schedule.fires)),
            h("td", { class: `number${delta ? " changed" : ""}` }, delta ? `+${delta}` : "0"),
            h("td", null, schedule.nextFire ? formatShort(schedule.nextFire) : "—"));
        })))
      : null,
    fresh.length
      ? h("ul", { class: "fresh-messages" }, fresh.slice(-8).reverse().map((message) => h("li", null,
        h("span", { class: "muted" }, formatShort(message.createdAt)), " ",
        (message.to || []).join(", "), " — ", message.subject || h("span", { class: "muted" }, "(no subject)"))))
      : null);
}

/** "1 h later", "2 days earlier", "not moved". */
function moved(from, to) {
  const seconds = (new Date(to).getTime() - new Date(from).getTime()) / 1000;
  if (Math.abs(seconds) < 1) return "not moved";
  return `${durationText(seconds)} ${seconds > 0 ? "later" : "earlier"}`;
}
