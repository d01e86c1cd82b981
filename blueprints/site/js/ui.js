// Messages, announcements and the confirmation dialog, shared by the views.

import { $ } from "./dom.js";

let actionHandler = null;

/**
 * Shows a message above the current view. kind: "info" | "success" | "error".
 * action: { label, run } adds a button (for example "Reload tasks" after a 409).
 */
export function notify(text, { kind = "info", action = null } = {}) {
  const box = $("message");
  const textElement = $("message-text");
  const button = $("message-action");
  box.dataset.kind = kind;
  textElement.setAttribute("aria-live", kind === "error" ? "assertive" : "polite");
  textElement.setAttribute("role", kind === "error" ? "alert" : "status");
  textElement.textContent = text;
  actionHandler = action ? action.run : null;
  button.hidden = !action;
  button.textContent = action ? action.label : "";
  box.hidden = false;
}

export function clearMessage() {
  $("message").hidden = true;
  $("message-text").textContent = "";
  $("message-action").hidden = true;
  actionHandler = null;
}

/** Says something to screen readers only. */
export function announce(text) {
  const element = $("announcer");
  element.textContent = "";
  // A new text node after a tick is announced even when the text repeats.
  setTimeout(() => {
    element.textContent = text;
  }, 50);
}

/** Shows an error from the API or Cognito in words. */
export function showError(error, options = {}) {
  const text = error && error.text ? error.text : (error && error.message) || "Something went wrong.";
  notify(text, { kind: "error", ...options });
}

export function initMessages() {
  $("message-action").addEventListener("click", async () => {
    const run = actionHandler;
    clearMessage();
    if (run) await run();
  });
  $("message-dismiss").addEventListener("click", () => {
    clearMessage();
    $("main").focus();
  });
}

/** A modal confirmation; resolves true when confirmed. */
export function confirmAction({ title, text, confirmLabel }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = confirmLabel || "Confirm";
  return new Promise((resolve) => {
    const finish = (answer) => {
      $("confirm-ok").removeEventListener("click", onOk);
      $("confirm-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onOk = () => finish(true);
    const onCancel = () => finish(false);
    const onClose = () => finish(false);
    $("confirm-ok").addEventListener("click", onOk);
    $("confirm-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}
