// The queue: open cases by SLA due time, one tab per view (with counts) and filters in the URL.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { button, emptyState, field, loading, notice, pageHeader } from "../ui.js";
import { CATEGORIES, SEVERITIES, SLA_STATES, STATUSES, VIEWS, caseTable, staffOnly } from "./desk-common.js";

export const layout = "app";
export const title = "menu.desk.queue";

const FILTERS = ["status", "category", "severity", "sla", "product", "assignee_id"];

export async function render(view) {
  append(view, pageHeader(t("menu.desk.queue").split(" / ").pop(), { lead: t("desk.queue.lead") }));
  if (staffOnly(view)) return;
  const params = new URLSearchParams(location.search);
  const current = VIEWS.includes(params.get("view")) ? params.get("view") : "all";
  const slot = h("div", { "aria-live": "polite" }, loading());
  let staff = [];
  try {
    staff = await api("/cases/desk/staff");
  } catch {
    // Without the staff list the assignee filter offers "any" only.
  }
  append(view, filterForm(params, staff), slot);
  const query = new URLSearchParams({ view: current, limit: "100" });
  for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  let page;
  try {
    page = await api(`/cases/desk/queue?${query}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": t("menu.desk.queue") },
    VIEWS.map((name) => {
      const next = new URLSearchParams(params);
      next.set("view", name);
      return h(
        "a",
        { href: `/desk/queue?${next}`, class: "tab", "aria-current": name === current ? "page" : null, dataset: { view: name } },
        t(`desk.view.${name}`),
        " ",
        h("span", { class: "count" }, String(page.counts[name])),
      );
    }),
  );
  slot.replaceChildren(
    tabs,
    page.items.length ? caseTable(page.items, { id: "queue-table", caption: t(`desk.view.${current}`) }) : emptyState({ icon: "inbox", title: t("desk.queue.empty") }),
  );
}

function choices(values, prefix) {
  return [{ value: "", label: t("desk.filter.any") }, ...values.map((value) => ({ value, label: t(`${prefix}.${value}`) }))];
}

function filterForm(params, staff) {
  const value = (name) => params.get(name) ?? "";
  const people = [{ value: "", label: t("desk.filter.any") }, ...staff.map((s) => ({ value: s.user_id, label: s.name ?? s.email ?? s.user_id }))];
  const form = h(
    "form",
    { class: "card filters", id: "queue-filters" },
    h(
      "fieldset",
      { class: "filter-row" },
      h("legend", { class: "sr-only" }, t("desk.filter.apply")),
      field({ name: "status", label: t("desk.case.status"), options: choices(STATUSES, "desk.status"), value: value("status"), required: false }),
      field({ name: "category", label: t("cases.field.category"), options: choices(CATEGORIES, "category"), value: value("category"), required: false }),
      field({ name: "severity", label: t("desk.case.severity"), options: choices(SEVERITIES, "severity"), value: value("severity"), required: false }),
      field({ name: "sla", label: t("desk.col.sla"), options: choices(SLA_STATES, "sla"), value: value("sla"), required: false }),
      field({ name: "product", label: t("desk.filter.product"), value: value("product"), required: false, maxlength: 64 }),
      field({ name: "assignee_id", label: t("desk.filter.assignee"), options: people, value: value("assignee_id"), required: false }),
    ),
    h("div", { class: "form-actions" }, button(t("desk.filter.apply"), { type: "submit", kind: "secondary", id: "queue-filter" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    next.set("view", params.get("view") ?? "all");
    for (const name of FILTERS) {
      const chosen = form.elements[name].value.trim();
      if (chosen) next.set(name, chosen);
    }
    navigate(`/desk/queue?${next}`);
  });
  return form;
}
