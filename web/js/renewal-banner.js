// The banner on the licenses and contracts pages when a license's coverage ends soon. The
// notifier decides "soon" (its reminder window) on the business calendar's date.

import { api } from "./api.js";
import { h } from "./dom.js";
import { formatDate, t } from "./i18n.js";
import { notice } from "./ui.js";

/** A slot that fills itself with the banner, or stays empty (also when the lookup fails). */
export function renewalBanner() {
  const slot = h("div", { class: "renewal-banner-slot" });
  api("/notifier/me/coverage-ending")
    .then((found) => {
      const { items } = found;
      if (!items.length) return;
      const banner = notice(
        "warning",
        t("renewal.banner.title"),
        t("renewal.banner.rule"),
        h(
          "ul",
          {},
          items.map((item) =>
            h("li", { dataset: { serial: item.serial } }, t("renewal.banner.item", { product: item.product, serial: item.serial || "—", date: formatDate(item.coverage_end), days: item.days_left })),
          ),
        ),
        location.pathname === "/contracts" ? null : h("p", {}, h("a", { href: "/contracts" }, t("renewal.banner.action"))),
      );
      banner.id = "renewal-banner";
      slot.replaceChildren(banner);
    })
    .catch(() => {}); // a banner is a courtesy: the page works without it
  return slot;
}
