import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { navigate, query } from "../router.js";
import { cell, emptyState, loading, notice, pageHeader, scrollRegion, statusBadge } from "../ui.js";

export const layout = "app";
export const title = "menu.cases.manage";

export async function render(view) {
  // Case mails link to /cases?case=<id>: open that case (the page checks it is the reader's).
  const linked = query("case");
  if (linked) return navigate(`/cases/${encodeURIComponent(linked)}`, { replace: true });
  const open = h("a", { class: "btn btn-primary", href: "/cases/new" }, t("menu.cases.open").split(" / ").pop());
  append(view, pageHeader(t("menu.cases.manage"), { lead: t("cases.manage.lead"), actions: open }));
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  let cases;
  try {
    cases = await api("/cases/cases");
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!cases.length) {
    slot.replaceChildren(emptyState({ icon: "chat", title: t("cases.empty.title"), text: t("cases.empty.text"), action: h("a", { class: "btn btn-secondary", href: "/cases/new" }, t("menu.cases.open")) }));
    return;
  }
  const cols = ["cases.col.number", "cases.field.subject", "cases.field.category", "cases.col.status", "cases.col.updated"];
  slot.replaceChildren(
    h(
      "div",
      scrollRegion(t("menu.cases.manage")),
      h(
        "table",
        { class: "table", id: "case-table" },
        h("caption", { class: "sr-only" }, t("menu.cases.manage")),
        h("thead", {}, h("tr", {}, cols.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          cases.map((item) =>
            h(
              "tr",
              {},
              cell(t(cols[0]), h("a", { href: `/cases/${encodeURIComponent(item.id)}`, class: "case-link" }, item.number)),
              cell(t(cols[1]), item.subject),
              cell(t(cols[2]), t(`category.${item.category}`)),
              cell(t(cols[3]), statusBadge(item.status, "case")),
              cell(t(cols[4]), formatDateTime(item.updated_at)),
            ),
          ),
        ),
      ),
    ),
  );
}
