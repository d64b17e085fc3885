// Support desk / Partner directory: administrators keep the local professional-services partners
// (name, region, contact, products) that engineers recommend from the case workspace. The cases
// service refuses changes from anyone else; the page says so before they try.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { roles } from "../session.js";
import { busy, button, cell, clearProblem, emptyState, field, loading, messageSlot, notice, pageHeader, scrollRegion, showProblem, toast } from "../ui.js";

export const layout = "app";
export const title = "desk.partners.title";

const API = "/cases/desk/partners";

export async function render(view) {
  append(view, pageHeader(t(title), { lead: t("desk.partners.lead") }));
  if (!roles().includes("admin")) {
    append(view, notice("error", t("office.forbidden.title"), t("desk.partners.admin_only")));
    return;
  }
  const list = h("div", { id: "partner-list", "aria-live": "polite" }, loading());
  const editor = h("div", { id: "partner-editor" });
  append(view, h("div", { class: "stack" }, editor, list));
  const refresh = async () => {
    try {
      const partners = await api(API);
      list.replaceChildren(table(partners, { onEdit: edit, onRemove: remove }));
    } catch (error) {
      list.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    }
  };
  const edit = (partner) => {
    editor.replaceChildren(partnerForm(partner, { onSaved: done, onCancel: () => edit(null) }));
    if (partner) editor.querySelector("input")?.focus();
  };
  const done = async (message) => {
    toast(message);
    edit(null);
    await refresh();
  };
  const remove = async (partner, btn) => {
    if (!window.confirm(t("desk.partners.remove_confirm", { name: partner.name }))) return;
    await busy(btn, async () => {
      try {
        await api(`${API}/${encodeURIComponent(partner.id)}`, { method: "DELETE" });
        await done(t("desk.partners.removed", { name: partner.name }));
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
      }
    });
  };
  edit(null);
  await refresh();
}

/** Products are typed as a comma-separated list of product codes. */
export function parseProducts(text) {
  return [...new Set(text.split(/[,\s、，]+/).map((code) => code.trim().toUpperCase()).filter(Boolean))];
}

function partnerForm(partner, { onSaved, onCancel }) {
  const editing = Boolean(partner);
  const submit = button(editing ? t("desk.partners.save") : t("desk.partners.add"), { type: "submit", icon: "check", id: "partner-submit" });
  const cancel = editing ? button(t("desk.partners.cancel"), { kind: "secondary", id: "partner-cancel" }) : null;
  cancel?.addEventListener("click", onCancel);
  const headingId = "partner-form-title";
  const form = h(
    "form",
    { class: "card stack", novalidate: true, id: "partner-form", "aria-labelledby": headingId, dataset: { partner: partner?.id ?? "" } },
    h("h2", { class: "card-title", id: headingId }, editing ? t("desk.partners.edit_title", { name: partner.name }) : t("desk.partners.add_title")),
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      h(
        "div",
        { class: "field-row" },
        field({ name: "name", label: t("desk.partners.name"), value: partner?.name ?? "", maxlength: 200, autocomplete: "organization" }),
        field({ name: "region", label: t("desk.partners.region"), value: partner?.region ?? "", maxlength: 2, hint: t("desk.partners.region_hint"), autocomplete: "off" }),
      ),
      field({ name: "contact", label: t("desk.partners.contact"), type: "textarea", rows: 2, value: partner?.contact ?? "", maxlength: 500, hint: t("desk.partners.contact_hint") }),
      field({ name: "products", label: t("desk.partners.products"), value: (partner?.products ?? []).join(", "), hint: t("desk.partners.products_hint"), autocomplete: "off" }),
    ),
    h("div", { class: "form-actions" }, cancel, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(form);
    const body = {
      name: form.elements.name.value.trim(),
      region: form.elements.region.value.trim().toUpperCase(),
      contact: form.elements.contact.value.trim(),
      products: parseProducts(form.elements.products.value),
    };
    const missing = Object.entries(body)
      .filter(([, value]) => (Array.isArray(value) ? !value.length : !value))
      .map(([name]) => ({ field: name, message: t("error.required") }));
    if (!missing.length && !/^[A-Z]{2}$/.test(body.region)) missing.push({ field: "region", message: t("desk.partners.region_hint") });
    if (missing.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: missing } });
      return;
    }
    await busy(submit, async () => {
      try {
        const path = editing ? `${API}/${encodeURIComponent(partner.id)}` : API;
        const saved = await api(path, { method: editing ? "PUT" : "POST", body });
        await onSaved(t(editing ? "desk.partners.saved" : "desk.partners.added", { name: saved.name }));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}

function table(partners, { onEdit, onRemove }) {
  if (!partners.length) return emptyState({ icon: "inbox", title: t("desk.partners.empty"), text: t("desk.partners.empty_text") });
  const cols = ["desk.partners.name", "desk.partners.region", "desk.partners.contact", "desk.partners.products", "desk.partners.updated", "desk.partners.actions"];
  return h(
    "div",
    scrollRegion(t("desk.partners.title")),
    h(
      "table",
      { class: "table", id: "partner-table" },
      h("caption", { class: "sr-only" }, t("desk.partners.title")),
      h("thead", {}, h("tr", {}, cols.map((key) => h("th", { scope: "col" }, t(key))))),
      h(
        "tbody",
        {},
        partners.map((partner) => {
          const editBtn = button(t("desk.partners.edit"), { kind: "secondary", class: "btn btn-secondary btn-small", "aria-label": `${t("desk.partners.edit")} ${partner.name}` });
          editBtn.addEventListener("click", () => onEdit(partner));
          const removeBtn = button(t("desk.partners.remove"), { kind: "secondary", class: "btn btn-secondary btn-small", "aria-label": `${t("desk.partners.remove")} ${partner.name}` });
          removeBtn.addEventListener("click", () => onRemove(partner, removeBtn));
          return h(
            "tr",
            { dataset: { partner: partner.id } },
            cell(t(cols[0]), h("strong", {}, partner.name)),
            cell(t(cols[1]), partner.region),
            cell(t(cols[2]), h("span", { class: "pre-line wrap-anywhere" }, partner.contact)),
            cell(t(cols[3]), h("span", { class: "wrap-anywhere" }, partner.products.join(", "))),
            cell(t(cols[4]), formatDateTime(partner.updated_at)),
            cell(t(cols[5]), h("div", { class: "row-actions" }, editBtn, removeBtn)),
          );
        }),
      ),
    ),
  );
}
