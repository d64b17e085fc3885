// Customer lookup: find a customer by email, name or license serial, and open their file
// (licenses with coverage, cases). Everything comes from the cases service's own records, except
// accounts still waiting for email verification: the cases service learns of a person only once
// they are verified, so those come from identity's staff search, with a way to verify them by
// hand (the fallback when the verification mail is blocked); identity audits that with the reason.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { ACCOUNT_ROLES, mayUse } from "../office-menu.js";
import { navigate } from "../router.js";
import { button, emptyState, field, loading, notice, pageHeader, showProblem, statusBadge } from "../ui.js";
import { reasonForm } from "./account-forms.js";
import { caseLink, staffOnly } from "./desk-common.js";

export const layout = "app";
export const title = "menu.desk.customers";

export async function render(view) {
  append(view, pageHeader(t("menu.desk.customers").split(" / ").pop(), { lead: t("desk.customers.lead") }));
  if (staffOnly(view)) return;
  const params = new URLSearchParams(location.search);
  const q = params.get("q") ?? "";
  const slot = h("div", { "aria-live": "polite" });
  append(view, searchForm(q), slot);
  if (params.get("user")) return showFile(slot, params.get("user"));
  if (q.trim().length >= 2) return showResults(slot, q.trim());
}

function searchForm(q) {
  const submit = button(t("action.search"), { type: "submit", id: "customer-search" });
  const form = h(
    "form",
    { class: "card filters", role: "search", id: "customer-form", novalidate: true },
    h("fieldset", { class: "filter-row" }, h("legend", { class: "sr-only" }, t("action.search")), field({ name: "q", label: t("desk.customers.query"), value: q, minlength: 2, maxlength: 200 })),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = form.elements.q.value.trim();
    if (value.length < 2) {
      showProblem(form, { problem: { title: t("error.fields.title"), errors: [{ field: "q", message: t("error.required") }] } });
      return;
    }
    navigate(`/desk/customers?q=${encodeURIComponent(value)}`);
  });
  return form;
}

function licenseList(licenses) {
  return h(
    "ul",
    { class: "plain-list" },
    licenses.map((l) =>
      h(
        "li",
        {},
        h("code", { class: "serial" }, l.serial),
        ` ${l.product} — `,
        t(l.covered_today ? "desk.case.covered" : "desk.case.not_covered", { date: formatDate(l.coverage_end) }),
      ),
    ),
  );
}

async function showResults(slot, q) {
  slot.replaceChildren(loading());
  let found, accounts;
  try {
    [found, accounts] = await Promise.all([
      api(`/cases/desk/customers?q=${encodeURIComponent(q)}`),
      api(`/identity/admin/users?q=${encodeURIComponent(q)}&limit=20`),
    ]);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const unverified = accounts.items.filter((a) => !a.email_verified);
  if (!found.length && !unverified.length) {
    slot.replaceChildren(emptyState({ icon: "inbox", title: t("desk.customers.none") }));
    return;
  }
  slot.replaceChildren(
    ...(found.length ? [customerList(found)] : []),
    ...(unverified.length ? [unverifiedList(unverified)] : []),
  );
}

function unverifiedList(accounts) {
  return h(
    "section",
    { class: "stack", id: "unverified-accounts" },
    h("h2", {}, t("desk.customers.unverified")),
    h("p", { class: "muted" }, t("desk.customers.unverified_lead")),
    h("ul", { class: "stack plain-list" }, accounts.map((a) => h("li", { class: "card" }, verifyForm(a)))),
  );
}

function verifyForm(account) {
  return reasonForm({
    action: "verify",
    label: t("desk.customers.verify"),
    icon: "check",
    dataset: { user: account.id },
    heading: [h("h3", { class: "card-title" }, account.name || account.email), h("p", { class: "sub" }, account.email)],
    send: (reason) => api(`/identity/admin/users/${encodeURIComponent(account.id)}/verify`, { method: "POST", body: { reason } }),
    done: (_, form) => form.replaceChildren(notice("success", t("desk.customers.verified", { email: account.email }))),
  });
}

function customerList(found) {
  return (
    h(
      "ul",
      { class: "stack plain-list", id: "customer-results" },
      found.map((c) =>
        h(
          "li",
          { class: "card" },
          h("h2", { class: "card-title" }, h("a", { href: `/desk/customers?user=${encodeURIComponent(c.user_id)}` }, c.name ?? c.email ?? c.user_id)),
          h("p", { class: "sub" }, c.email ?? "", " · ", t("desk.customers.open_cases", { open: c.open_cases, total: c.cases })),
          licenseList(c.licenses),
        ),
      ),
    )
  );
}

async function showFile(slot, userId) {
  slot.replaceChildren(loading());
  let file, membership;
  try {
    [file, membership] = await Promise.all([
      api(`/cases/desk/customers/${encodeURIComponent(userId)}`),
      api(`/identity/organizations/of-user/${encodeURIComponent(userId)}`),
    ]);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  slot.replaceChildren(
    h(
      "section",
      { class: "card stack", id: "customer-file" },
      h("h2", {}, file.name ?? file.email ?? file.user_id),
      h("p", { class: "sub" }, file.email ?? "", mayUse({ roles: ACCOUNT_ROLES }) ? [" · ", h("a", { href: `/office/accounts?user=${encodeURIComponent(file.user_id)}`, id: "customer-account-link" }, t("desk.customers.account"))] : null),
      organizationFacts(membership.organization),
      h("h3", {}, t("desk.customers.licenses")),
      file.licenses.length ? licenseList(file.licenses) : h("p", { class: "muted" }, t("desk.case.none")),
      h("h3", {}, t("desk.customers.cases")),
      file.case_list.length
        ? h("ul", { class: "plain-list" }, file.case_list.map((c) => h("li", {}, caseLink(c), " ", c.subject, " ", statusBadge(c.status, "desk.status"))))
        : h("p", { class: "muted" }, t("desk.case.none")),
    ),
  );
}

/** The organization the customer belongs to: colleagues share its licenses and cases. */
function organizationFacts(org) {
  if (!org) return h("p", { class: "muted", id: "customer-organization" }, t("desk.customers.no_organization"));
  return h(
    "div",
    { id: "customer-organization" },
    h("h3", {}, t("menu.profile.organization").split(" / ").pop()),
    h("p", {}, `${org.name} (${org.country}) · ${t(`org.role.${org.my_role}`)}`),
    h("ul", { class: "plain-list" }, org.members.map((m) => h("li", {}, `${m.name} <${m.email}> · ${t(`org.role.${m.role}`)}`))),
  );
}
