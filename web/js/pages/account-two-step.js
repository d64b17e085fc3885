// Two-step sign-in: the account page's card (set up, see what is left, new recovery codes, turn off) and the
// enrolment panel that sign-in shows too when an account's role requires it.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, facts, field, loading, messageSlot, notice, showProblem } from "../ui.js";

export function twoStepCard(card) {
  const body = h("div", { class: "stack", id: "two-step", "aria-live": "polite" }, loading());
  show(body);
  return card(t("two_step.title"), body);
}

async function show(body) {
  let status;
  try {
    status = await api("/identity/me/two-step");
  } catch (error) {
    body.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const state = facts([
    [t("two_step.status"), status.enabled ? t("two_step.on") : t("two_step.off")],
    status.enabled ? [t("two_step.codes_left"), String(status.recovery_codes_left)] : null,
  ]);
  const required = status.required ? notice("info", t("two_step.required")) : null;
  if (status.enabled) {
    body.replaceChildren(state, renewForm(body), h("hr"), disableForm(body));
    return;
  }
  const start = button(t("two_step.set_up"), { id: "two-step-start" });
  start.addEventListener("click", () =>
    busy(start, async () => {
      try {
        const enrolment = await api("/identity/me/two-step", { method: "POST", body: {} });
        body.replaceChildren(
          enrolmentPanel(enrolment, async (code) => {
            const { recovery_codes } = await api("/identity/me/two-step/confirm", { method: "POST", body: { code } });
            body.replaceChildren(recoveryCodes(recovery_codes, () => show(body)));
          }),
        );
      } catch (error) {
        body.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? ""));
      }
    }),
  );
  body.replaceChildren(state, required, h("p", { class: "muted" }, t("two_step.off.text")), h("div", {}, start));
}

/** The key in groups of four: easier to type into an app by hand than one long run. */
function grouped(secret) {
  return secret.match(/.{1,4}/g).join(" ");
}

/** QR code, the key, and a code field; `confirm(code)` throws an ApiError to show on the form. */
export function enrolmentPanel(enrolment, confirm) {
  const submit = button(t("two_step.confirm"), { type: "submit", id: "two-step-confirm" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h("p", {}, t("two_step.scan")),
    h("img", { class: "qr-code", src: enrolment.qr_image, alt: t("two_step.qr_alt"), width: "220", height: "220" }),
    facts([[t("two_step.key"), h("code", { id: "two-step-secret", dataset: { secret: enrolment.secret } }, grouped(enrolment.secret))]]),
    h("fieldset", { class: "stack" }, field({ name: "code", label: t("field.code"), inputmode: "numeric", autocomplete: "one-time-code", hint: t("field.code.hint") })),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        await confirm(form.elements.code.value.trim());
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}

/** Shown once, right after two-step sign-in is turned on or the codes are renewed. */
export function recoveryCodes(codes, done, title = t("two_step.enabled")) {
  const next = button(t("two_step.continue"), { id: "two-step-done" });
  next.addEventListener("click", () => done());
  return h(
    "div",
    { class: "stack" },
    notice("success", title, t("two_step.recovery.text")),
    h("h3", {}, t("two_step.recovery.title")),
    h("ul", { class: "recovery-codes", id: "recovery-codes" }, codes.map((code) => h("li", {}, h("code", {}, code)))),
    h("div", {}, next),
  );
}

/** The password and a code (a recovery code too) make ten new recovery codes; the old ones stop working. */
function renewForm(body) {
  const submit = button(t("two_step.renew"), { type: "submit", kind: "secondary", id: "two-step-renew" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, id: "two-step-renew-form" },
    messageSlot(),
    h("p", { class: "muted" }, t("two_step.renew.text")),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "password", label: t("field.current_password"), type: "password", autocomplete: "current-password" }),
      field({ name: "code", label: t("field.code"), autocomplete: "one-time-code", hint: t("two_step.disable.code_hint") }),
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = { password: form.elements.password.value, code: form.elements.code.value.trim() };
    await busy(submit, async () => {
      try {
        const { recovery_codes } = await api("/identity/me/two-step/recovery-codes", { method: "POST", body: data });
        body.replaceChildren(recoveryCodes(recovery_codes, () => show(body), t("two_step.renewed")));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}

function disableForm(body) {
  const submit = button(t("two_step.disable"), { type: "submit", kind: "danger", id: "two-step-disable" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "password", label: t("field.current_password"), type: "password", autocomplete: "current-password" }),
      field({ name: "code", label: t("field.code"), autocomplete: "one-time-code", hint: t("two_step.disable.code_hint") }),
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = { password: form.elements.password.value, code: form.elements.code.value.trim() };
    await busy(submit, async () => {
      try {
        await api("/identity/me/two-step/disable", { method: "POST", body: data });
        await show(body);
        body.prepend(notice("success", t("two_step.disabled")));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}
