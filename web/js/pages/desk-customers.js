// Customer lookup: find a customer by email, name or license serial, and open their file
// (licenses with coverage, cases). Everything comes from the cases service's own records.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { navigate } from "../router.js";
import { button, emptyState, field, loading, notice, pageHeader, showProblem, statusBadge } from "../ui.js";
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
  let found;
  try {
    found = await api(`/cases/desk/customers?q=${encodeURIComponent(q)}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!found.length) {
    slot.replaceChildren(emptyState({ icon: "inbox", title: t("desk.customers.none") }));
    return;
  }
  slot.replaceChildren(
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
    ),
  );
}

async function showFile(slot, userId) {
  slot.replaceChildren(loading());
  let file;
  try {
    file = await api(`/cases/desk/customers/${encodeURIComponent(userId)}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  slot.replaceChildren(
    h(
      "section",
      { class: "card stack", id: "customer-file" },
      h("h2", {}, file.name ?? file.email ?? file.user_id),
      h("p", { class: "sub" }, file.email ?? ""),
      h("h3", {}, t("desk.customers.licenses")),
      file.licenses.length ? licenseList(file.licenses) : h("p", { class: "muted" }, t("desk.case.none")),
      h("h3", {}, t("desk.customers.cases")),
      file.case_list.length
        ? h("ul", { class: "plain-list" }, file.case_list.map((c) => h("li", {}, caseLink(c), " ", c.subject, " ", statusBadge(c.status, "desk.status"))))
        : h("p", { class: "muted" }, t("desk.case.none")),
    ),
  );
}
