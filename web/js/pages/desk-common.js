// Building blocks of the support desk pages: badges, case tables, the staff-only guard.

import { h } from "../dom.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { isStaff } from "../session.js";
import { cell, notice, scrollRegion, statusBadge } from "../ui.js";

export const STATUSES = ["new", "in_progress", "waiting_on_customer", "resolved", "closed"];
export const SEVERITIES = ["critical", "high", "normal", "low"];
export const CATEGORIES = ["feature_question", "log_interpretation", "bug", "security_issue"];
export const SLA_STATES = ["breached", "breaching_soon", "on_track", "paused"];
export const VIEWS = ["all", "mine", "unassigned", "breaching_soon"];

/** Customers who open a desk address get a plain notice (the API would refuse them anyway). */
export function staffOnly(view) {
  if (isStaff()) return false;
  view.append(notice("error", t("error.generic.title"), t("cases.not_found")));
  return true;
}

export function slaBadge(state) {
  return h("span", { class: `badge sla sla-${String(state).replaceAll("_", "-")}` }, t(`sla.${state}`));
}

export function severityBadge(severity) {
  return h("span", { class: `badge severity severity-${severity}` }, t(`severity.${severity}`));
}

export const caseLink = (item) => h("a", { href: `/desk/cases/${encodeURIComponent(item.id)}`, class: "case-link" }, item.number);

/** A table of cases for staff (queue, home, customer file). */
export function caseTable(cases, { id, caption }) {
  const cols = ["cases.col.number", "cases.field.subject", "desk.col.customer", "desk.case.severity", "cases.col.status", "desk.case.assignee", "desk.col.sla_due"];
  return h(
    "div",
    scrollRegion(caption),
    h(
      "table",
      { class: "table table-dense", id },
      h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, cols.map((key) => h("th", { scope: "col" }, t(key))))),
      h(
        "tbody",
        {},
        cases.map((item) =>
          h(
            "tr",
            { dataset: { caseId: item.id } },
            cell(t(cols[0]), caseLink(item)),
            subjectCell(t(cols[1]), item.subject, h("span", { class: "sub" }, t(`category.${item.category}`))),
            cell(t(cols[2]), item.customer_name ?? "—"),
            cell(t(cols[3]), severityBadge(item.severity)),
            cell(t(cols[4]), statusBadge(item.status, "desk.status")),
            cell(t(cols[5]), item.assignee_name ?? (item.assignee_id ? "—" : t("desk.case.unassigned"))),
            // The due time under the badge: side by side they crowd the subject out of a narrow table.
            cell(t(cols[6]), slaBadge(item.sla_state), item.sla_due_at ? h("span", { class: "sub" }, formatDateTime(item.sla_due_at)) : ""),
          ),
        ),
      ),
    ),
  );
}

function subjectCell(label, ...children) {
  const td = cell(label, ...children);
  td.classList.add("subject-cell");
  return td;
}

export function coverageText(license) {
  if (!license) return null;
  const key = license.covered_today ? "desk.case.covered" : "desk.case.not_covered";
  return `${license.product} · ${license.serial} — ${t(key, { date: formatDate(license.coverage_end) })}`;
}
