// Corrections in the back office: void, restore and move, each with a required reason that the
// audit log keeps. A small inline form opens under the buttons of the row it acts on.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, showProblem, toast } from "../ui.js";

export function licenseActions(license, refresh) {
  const serial = encodeURIComponent(license.serial);
  const actions = [];
  if (license.voided_at) {
    actions.push(["restore", `/licensing/admin/licenses/${serial}/restore`, false]);
  } else {
    actions.push(["void", `/licensing/admin/licenses/${serial}/void`, false]);
    if (license.account_id) actions.push(["move", `/licensing/admin/licenses/${serial}/move`, true]);
  }
  const extra = license.voided_at ? [] : [h("a", { class: "btn btn-ghost btn-small", href: `/office/contracts/new?serial=${serial}` }, t("office.action.contract"))];
  return actionBar(license.serial, actions, refresh, extra);
}

export function contractActions(license, contract, refresh) {
  if (license.voided_at) return null;
  const id = encodeURIComponent(contract.id);
  const kind = contract.voided_at ? "restore" : "void";
  return actionBar(license.serial, [[kind, `/licensing/admin/contracts/${id}/${kind}`, false]], refresh, []);
}

function actionBar(serial, actions, refresh, extra) {
  const slot = h("div", { class: "action-form-slot" });
  const buttons = actions.map(([kind, path, needsAccount]) => {
    const btn = button(t(`office.action.${kind}`), { kind: kind === "void" ? "danger" : "ghost", dataset: { action: kind } });
    btn.classList.add("btn-small");
    btn.addEventListener("click", () => slot.replaceChildren(reasonForm(kind, path, needsAccount, serial, refresh, () => slot.replaceChildren())));
    return btn;
  });
  return h("div", { class: "stack" }, h("div", { class: "form-actions" }, ...buttons, ...extra), slot);
}

function reasonForm(kind, path, needsAccount, serial, refresh, close) {
  const confirm = button(t(`office.action.${kind}.confirm`), { kind: kind === "void" ? "danger" : "primary", type: "submit" });
  const cancel = button(t("office.action.cancel"), { kind: "ghost" });
  cancel.addEventListener("click", close);
  const form = h(
    "form",
    { class: "stack action-form", novalidate: true, dataset: { form: kind } },
    messageSlot(),
    needsAccount ? field({ name: "to_account_id", label: t("office.field.to_account"), hint: t("office.field.to_account.hint"), class: "mono-input" }) : null,
    field({ name: "reason", label: t("office.field.reason"), type: "textarea", rows: 2, maxlength: 500 }),
    h("div", { class: "form-actions" }, confirm, cancel),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { reason: form.elements.reason.value.trim() };
    if (needsAccount) body.to_account_id = form.elements.to_account_id.value.trim();
    const missing = Object.entries(body).filter(([, value]) => !value).map(([name]) => ({ field: name, message: t("error.required") }));
    if (missing.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("office.reason.required"), errors: missing } });
      return;
    }
    await busy(confirm, async () => {
      try {
        await api(path, { method: "POST", body });
        toast(t(`office.action.${kind}.done`, { serial }));
        await refresh();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  setTimeout(() => form.querySelector("input, textarea")?.focus());
  return form;
}
