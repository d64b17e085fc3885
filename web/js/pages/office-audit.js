// Back office / Audit log: who did what to which license, when, why, and what changed.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { busy, button, cell, emptyState, field, loading, notice, pageHeader, scrollRegion } from "../ui.js";
import { refuseUnlessBackOffice } from "./office-common.js";

export const layout = "app";
export const title = "menu.office.audit";

const ACTIONS = ["license.issue", "contract.issue", "licenses.import", "license.void", "contract.void", "license.restore", "contract.restore", "license.move"];
const FILTERS = ["actor", "action", "target", "since", "until"];

export async function render(view) {
  if (refuseUnlessBackOffice(view, title)) return;
  const params = new URLSearchParams(location.search);
  const table = h("div", { class: "list-slot", "aria-live": "polite" });
  const apply = button(t("office.audit.filter"), { kind: "primary", icon: "search", type: "submit", id: "audit-filter" });
  const form = h(
    "form",
    { class: "card stack", role: "search", novalidate: true },
    h(
      "fieldset",
      { class: "field-row" },
      field({ name: "actor", label: t("office.audit.who"), hint: t("office.audit.who.hint"), required: false, value: params.get("actor") ?? "" }),
      field({
        name: "action",
        label: t("office.audit.what"),
        required: false,
        value: params.get("action") ?? "",
        options: [{ value: "", label: t("office.search.any") }, ...ACTIONS.map((action) => ({ value: action, label: t(`office.audit.action.${action}`) }))],
      }),
      field({ name: "target", label: t("field.license_serial"), required: false, value: params.get("target") ?? "", class: "mono-input" }),
      field({ name: "since", label: t("office.audit.since"), type: "date", required: false, value: params.get("since") ?? "" }),
      field({ name: "until", label: t("office.audit.until"), type: "date", required: false, value: params.get("until") ?? "" }),
    ),
    h("div", { class: "form-actions" }, apply),
  );
  const load = async () => {
    const query = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    history.replaceState(null, "", `${location.pathname}${query.size ? `?${query}` : ""}`);
    table.replaceChildren(loading());
    try {
      showEntries(table, await api(`/licensing/admin/audit?${query}`));
    } catch (error) {
      table.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(apply, load);
  });
  append(view, pageHeader(t(title), { lead: t("office.audit.lead") }), form, table);
  await load();
}

function showEntries(slot, entries) {
  if (!entries.length) {
    slot.replaceChildren(emptyState({ icon: "inbox", title: t("office.audit.none") }));
    return;
  }
  const headings = ["office.audit.when", "office.audit.who", "office.audit.what", "field.license_serial", "office.field.reason", "office.audit.change"];
  slot.replaceChildren(
    h(
      "div",
      scrollRegion(t(title)),
      h(
        "table",
        { class: "table", id: "audit-table" },
        h("caption", { class: "sr-only" }, t(title)),
        h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          entries.map((entry) =>
            h(
              "tr",
              { dataset: { action: entry.action } },
              cell(t(headings[0]), h("span", { class: "nowrap" }, formatDateTime(entry.at))),
              cell(t(headings[1]), entry.actor_email ?? h("code", {}, entry.actor_id)),
              cell(t(headings[2]), t(`office.audit.action.${entry.action}`)),
              cell(t(headings[3]), h("code", {}, entry.target)),
              cell(t(headings[4]), entry.reason || "—"),
              cell(t(headings[5]), change(entry)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Before → after, field by field (what an issuance or import did is in its details). */
function change(entry) {
  if (!entry.before && !entry.after) {
    const details = Object.entries(entry.details ?? {}).map(([key, value]) => `${fieldName(key)}: ${show(value)}`);
    return details.length ? h("span", { class: "sub" }, details.join(" · ")) : "—";
  }
  const keys = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])].filter(
    (key) => show(entry.before?.[key]) !== show(entry.after?.[key]), // what stayed the same is noise
  );
  return h(
    "ul",
    { class: "plain-list" },
    keys.map((key) => h("li", {}, fieldName(key), `: ${show(entry.before?.[key])} → ${show(entry.after?.[key])}`)),
  );
}

/** The field's name in the reader's language; a field the catalog does not know shows as recorded. */
function fieldName(key) {
  const label = t(`office.audit.field.${key}`);
  return label === `office.audit.field.${key}` ? key : label;
}

function show(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return t(value ? "office.audit.yes" : "office.audit.no");
  return String(value);
}
