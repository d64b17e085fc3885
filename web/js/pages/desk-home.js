// The staff home page: how many cases wait in each view, and the engineer's own cases.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { emptyState, loading, notice, pageHeader } from "../ui.js";
import { VIEWS, caseTable, staffOnly } from "./desk-common.js";

export const layout = "app";
export const title = "menu.desk.home";

export async function render(view) {
  append(view, pageHeader(t("menu.desk.home").split(" / ").pop(), { lead: t("desk.home.lead") }));
  if (staffOnly(view)) return;
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  let page;
  try {
    page = await api("/cases/desk/queue?view=mine&limit=50");
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const tiles = h(
    "ul",
    { class: "desk-tiles", id: "desk-counts" },
    VIEWS.map((name) =>
      h(
        "li",
        { class: "card desk-tile" },
        h("a", { href: `/desk/queue?view=${name}`, dataset: { view: name } }, h("strong", { class: "desk-count" }, String(page.counts[name])), h("span", {}, t(`desk.view.${name}`))),
      ),
    ),
  );
  const mine = page.items.length
    ? caseTable(page.items, { id: "desk-mine", caption: t("desk.view.mine") })
    : emptyState({ icon: "inbox", title: t("desk.queue.empty") });
  slot.replaceChildren(tiles, h("h2", { class: "section-heading" }, t("desk.view.mine")), mine);
}
