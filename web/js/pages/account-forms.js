// Staff actions on an account (verify by hand, unlock, disable, enable, change roles): each is a
// small form whose reason is required, because identity keeps it in the audit trail. Shared by
// the back office's account screen and the support desk's customer lookup.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, showProblem } from "../ui.js";

/** A form for one action (`data-action` names it): `fields` come before the reason; `send(reason, form)` calls the API
 * and answers the account as it is now, handed to `done`. Problems stay on the form; `boxed`
 * frames it, so several side by side each keep their own reason. */
export function reasonForm({ action, label, icon, kind = "primary", fields = [], send, done, heading, dataset = {}, boxed = false }) {
  const submit = button(label, { type: "submit", icon, kind, dataset: { action } });
  const form = h(
    "form",
    { class: `stack account-action${boxed ? " card" : ""}`, dataset: { ...dataset, action }, novalidate: true },
    heading ?? null,
    messageSlot(),
    h(
      "fieldset",
      {},
      h("legend", { class: "sr-only" }, label),
      ...fields,
      field({ name: "reason", label: t("office.field.reason"), maxlength: 500 }),
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) {
      showProblem(form, { problem: { title: t("error.fields.title"), errors: [{ field: "reason", message: t("office.reason.required") }] } });
      return;
    }
    let answer;
    try {
      answer = await busy(submit, () => send(reason, form));
    } catch (error) {
      showProblem(form, error);
      return;
    }
    done(answer, form);
  });
  return form;
}
