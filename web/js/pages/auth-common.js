// Pieces shared by the sign-in, registration and verification pages.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, notice, showProblem } from "../ui.js";

export function authHeading(title, lead) {
  return h("div", { class: "auth-heading" }, h("h1", { id: "page-title", tabindex: "-1" }, title), lead ? h("p", { class: "lead" }, lead) : null);
}

/** "Resend verification" for a known email: one button, answer is the same whether or not it exists. */
export function resendVerification(email) {
  const btn = button(t("action.resend_verification"), { kind: "secondary", class: "btn btn-secondary btn-small", id: "resend-verification" });
  const result = h("div", { "aria-live": "polite" });
  btn.addEventListener("click", async () => {
    await busy(btn, async () => {
      try {
        await api("/identity/auth/verify/resend", { method: "POST", body: { email }, auth: false });
        const done = notice("success", t("resend.sent.title"), t("resend.sent.detail", { email }));
        // The problem that offered the button is answered: show the outcome in its place.
        const slot = btn.closest(".message-slot");
        if (slot) slot.replaceChildren(done);
        else {
          result.replaceChildren(done);
          btn.remove();
        }
      } catch (error) {
        result.replaceChildren(notice("error", error.problem?.title ?? t("error.generic.title"), error.problem?.detail ?? t("error.generic.detail")));
      }
    });
  });
  return h("div", { class: "inline-action" }, btn, result);
}

/** A small form asking for the email to send a fresh verification link to. */
export function resendForm(initialEmail = "") {
  const submit = button(t("action.resend_verification"), { type: "submit", kind: "secondary", class: "btn btn-secondary" });
  const form = h(
    "form",
    { class: "stack resend-form", novalidate: true },
    messageSlot(),
    h("fieldset", { class: "stack" }, field({ name: "email", label: t("field.email"), type: "email", value: initialEmail, autocomplete: "email" })),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.elements.email.value.trim();
    await busy(submit, async () => {
      try {
        await api("/identity/auth/verify/resend", { method: "POST", body: { email }, auth: false });
        form.querySelector(".message-slot").replaceChildren(notice("success", t("resend.sent.title"), t("resend.sent.detail", { email })));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}

export function passwordHint() {
  return t("field.password.hint");
}
