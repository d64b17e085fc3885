// Sign-in's second step, after a right password: a code from the authenticator app (or a
// recovery code); or, when the account's role requires two-step sign-in and it has none yet,
// setting one up first. The challenge is short-lived and is not a session.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, notice, showProblem } from "../ui.js";
import { enrolmentPanel, recoveryCodes } from "./account-two-step.js";

/** The panel that replaces the password form; `finish(tokens)` completes the sign-in. */
export function secondStep(answer, finish) {
  return answer.next_step === "two_step_enrolment" ? enrolment(answer.challenge, finish) : codeForm(answer.challenge, finish);
}

function codeForm(challenge, finish) {
  const submit = button(t("signin.code.submit"), { type: "submit", class: "btn btn-primary btn-block", id: "sign-in-code" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, id: "two-step-sign-in" },
    h("h2", {}, t("signin.code.title")),
    h("p", { class: "muted" }, t("signin.code.lead")),
    messageSlot(),
    h("fieldset", { class: "stack" }, field({ name: "code", label: t("field.code"), autocomplete: "one-time-code", hint: t("two_step.disable.code_hint") })),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = form.elements.code.value.trim();
    await busy(submit, async () => {
      try {
        finish(await api("/identity/auth/login/two-step", { method: "POST", body: { challenge, code }, auth: false }));
      } catch (error) {
        showProblem(form, error);
        form.elements.code.value = "";
      }
    });
  });
  return form;
}

function enrolment(challenge, finish) {
  const panel = h("div", { class: "stack", id: "two-step-enrolment" }, h("h2", {}, t("signin.enrol.title")), notice("info", t("two_step.required"), t("signin.enrol.lead")));
  const start = button(t("two_step.set_up"), { id: "two-step-start" });
  start.addEventListener("click", () =>
    busy(start, async () => {
      try {
        const found = await api("/identity/auth/two-step/enrol", { method: "POST", body: { challenge }, auth: false });
        start.replaceWith(
          enrolmentPanel(found, async (code) => {
            const tokens = await api("/identity/auth/two-step/enrol/confirm", { method: "POST", body: { challenge, code }, auth: false });
            panel.replaceChildren(recoveryCodes(tokens.recovery_codes, () => finish(tokens)));
          }),
        );
      } catch (error) {
        panel.append(notice("error", error.problem.title, error.problem.detail ?? ""));
      }
    }),
  );
  panel.append(h("div", {}, start));
  return panel;
}
