// Back office / Issue a license: the serial and its registration number, shown once.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, clearProblem, field, messageSlot, pageHeader, showProblem } from "../ui.js";
import { refuseUnlessBackOffice, shownOnce } from "./office-common.js";

export const layout = "app";
export const title = "menu.office.issue";

export function render(view) {
  if (refuseUnlessBackOffice(view, title)) return;
  const result = h("div", { class: "result-slot", "aria-live": "polite" });
  const submit = button(t("office.issue.submit"), { kind: "primary", icon: "check", type: "submit", id: "issue-license" });
  const form = h(
    "form",
    { class: "card stack", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "field-row" },
      field({ name: "product", label: t("office.field.product"), value: "OMFLOW", hint: t("office.field.product.hint"), class: "mono-input" }),
      field({ name: "edition", label: t("office.field.edition") }),
      field({ name: "seats", label: t("office.field.seats"), type: "number", min: 1, value: "1" }),
      field({ name: "purchased_on", label: t("office.field.purchased_on"), type: "date" }),
      field({ name: "warranty_ends", label: t("office.field.warranty_ends"), type: "date" }),
      field({ name: "customer_ref", label: t("office.field.customer_ref"), required: false }),
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(form);
    const values = Object.fromEntries(new FormData(form).entries());
    const body = {
      product: values.product.trim().toUpperCase(),
      edition: values.edition.trim(),
      seats: Number(values.seats),
      purchased_on: values.purchased_on,
      warranty_ends: values.warranty_ends,
      customer_ref: values.customer_ref.trim() || null,
    };
    const missing = ["product", "edition", "purchased_on", "warranty_ends"].filter((name) => !body[name]);
    if (missing.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: missing.map((name) => ({ field: name, message: t("error.required") })) } });
      return;
    }
    await busy(submit, async () => {
      try {
        const issued = await api("/licensing/admin/licenses", { method: "POST", body });
        form.reset();
        result.replaceChildren(
          shownOnce(t("office.issue.done", { serial: issued.serial }), [
            [t("field.license_serial"), issued.serial, "issued-serial"],
            [t("field.license_registration"), issued.registration_number, "issued-registration"],
          ]),
        );
        result.querySelector(".notice")?.focus?.();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  append(view, pageHeader(t(title), { lead: t("office.issue.lead") }), result, form);
}
