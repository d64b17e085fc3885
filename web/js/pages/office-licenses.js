// Back office / Licenses: search by serial, customer, product, organization and state; each license with its
// contracts, and the corrections (void, restore, move), each asking for a reason.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { busy, button, cell, emptyState, field, loading, notice, pageHeader, scrollRegion } from "../ui.js";
import { licenseActions, contractActions } from "./office-actions.js";
import { refuseUnlessBackOffice, stateBadge, stateOf } from "./office-common.js";

export const layout = "app";
export const title = "menu.office.licenses";

const STATES = ["unbound", "bound", "void"];

export async function render(view) {
  if (refuseUnlessBackOffice(view, title)) return;
  const params = new URLSearchParams(location.search);
  const results = h("div", { class: "list-slot", "aria-live": "polite" });
  const searchBtn = button(t("action.search"), { kind: "primary", icon: "search", type: "submit", id: "office-search" });
  const form = h(
    "form",
    { class: "card stack", role: "search", novalidate: true },
    h(
      "fieldset",
      { class: "field-row" },
      field({ name: "q", label: t("office.search.q"), hint: t("office.search.q.hint"), required: false, value: params.get("q") ?? "" }),
      field({ name: "product", label: t("office.field.product"), required: false, value: params.get("product") ?? "" }),
      field({ name: "organization", label: t("office.search.organization"), hint: t("office.search.organization.hint"), required: false, value: params.get("organization") ?? "" }),
      field({
        name: "state",
        label: t("office.search.state"),
        required: false,
        value: params.get("state") ?? "",
        options: [{ value: "", label: t("office.search.any") }, ...STATES.map((state) => ({ value: state, label: t(`office.state.${state}`) }))],
      }),
    ),
    h("div", { class: "form-actions" }, searchBtn),
  );
  const search = async () => {
    const query = new URLSearchParams();
    for (const name of ["q", "product", "organization", "state"]) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    history.replaceState(null, "", `${location.pathname}${query.size ? `?${query}` : ""}`);
    results.replaceChildren(loading());
    try {
      const found = await api(`/licensing/admin/licenses?${query}`);
      showResults(results, found, search);
    } catch (error) {
      results.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(searchBtn, search);
  });
  const issue = h("a", { class: "btn btn-secondary", href: "/office/licenses/new" }, t("menu.office.issue").split(" / ").pop());
  append(view, pageHeader(t(title), { lead: t("office.licenses.lead"), actions: issue }), form, results);
  await search();
}

function showResults(slot, licenses, refresh) {
  if (!licenses.length) {
    slot.replaceChildren(emptyState({ icon: "key", title: t("office.search.none"), text: t("office.search.none.text") }));
    return;
  }
  const headings = ["field.license_serial", "office.col.product", "office.col.customer", "office.col.warranty", "office.col.state", "office.col.actions"];
  slot.replaceChildren(
    h(
      "div",
      scrollRegion(t(title)),
      h(
        "table",
        { class: "table", id: "office-licenses" },
        h("caption", { class: "sr-only" }, t(title)),
        h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, licenses.flatMap((license) => [licenseRow(license, refresh), ...license.contracts.map((c) => contractRow(license, c, refresh))])),
      ),
    ),
  );
}

function licenseRow(license, refresh) {
  const state = stateOf(license);
  return h(
    "tr",
    { dataset: { serial: license.serial, state } },
    cell(t("field.license_serial"), h("code", { class: "serial" }, license.serial)),
    cell(t("office.col.product"), h("strong", {}, license.product), h("span", { class: "sub" }, `${license.edition} · ${t("office.seats", { seats: license.seats })}`)),
    cell(
      t("office.col.customer"),
      license.account_email ?? "—",
      license.organization_id ? h("span", { class: "sub organization" }, t("office.organization_of", { name: license.organization_name ?? license.organization_id })) : null,
      license.customer_ref ? h("span", { class: "sub" }, license.customer_ref) : null,
    ),
    cell(t("office.col.warranty"), h("span", { class: "nowrap" }, `${formatDate(license.purchased_on)} – ${formatDate(license.warranty_ends)}`)),
    cell(t("office.col.state"), stateBadge(state), license.void_reason ? h("span", { class: "sub" }, license.void_reason) : null),
    cell(t("office.col.actions"), licenseActions(license, refresh)),
  );
}

function contractRow(license, contract, refresh) {
  const state = contract.voided_at ? "void" : contract.bound_at ? "bound" : "unbound";
  return h(
    "tr",
    { class: "contract-row", dataset: { contract: contract.id, state } },
    cell(t("field.license_serial"), h("span", { class: "sub" }, t("office.contract_of", { serial: license.serial }))),
    cell(t("office.col.product"), t("licenses.period.contract")),
    cell(t("office.col.customer"), "—"),
    cell(t("office.col.warranty"), h("span", { class: "nowrap" }, `${formatDate(contract.starts_on)} – ${formatDate(contract.ends_on)}`)),
    cell(t("office.col.state"), stateBadge(state), contract.void_reason ? h("span", { class: "sub" }, contract.void_reason) : null),
    cell(t("office.col.actions"), contractActions(license, contract, refresh)),
  );
}
