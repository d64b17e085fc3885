// "Recommend partners" in the case workspace: installation, migration and custom work go to a
// local professional-services partner, so the engineer puts the partners of the customer's region
// for the case's product into the reply box, written in the customer's language (like the canned
// answers), to edit and send.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, toast } from "../ui.js";

// The customer's language says where they most likely are; the engineer can change it.
const REGION_OF_LOCALE = { "zh-TW": "TW", "zh-CN": "CN", ja: "JP" };

export function partnerPicker(item) {
  const locale = item.customer.locale ?? "en";
  const region = field({
    name: "partner_region",
    label: t("desk.partners.region"),
    value: REGION_OF_LOCALE[locale] ?? "",
    required: false,
    maxlength: 2,
    hint: t("desk.partners.region_hint"),
  });
  const recommend = button(t("desk.partners.recommend"), { kind: "secondary", id: "desk-partners" });
  recommend.addEventListener("click", () =>
    busy(recommend, async () => {
      const code = region.querySelector("input").value.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(code)) {
        toast(t("desk.partners.region_hint"));
        return;
      }
      const query = new URLSearchParams({ region: code, product: item.product, locale });
      let found;
      try {
        found = await api(`/cases/desk/partners/recommendation?${query}`);
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
        return;
      }
      if (!found.partners.length) {
        toast(t("desk.partners.none", { region: code, product: item.product }));
        return;
      }
      const box = recommend.form.elements.body;
      box.value = box.value.trim() ? `${box.value.trim()}\n\n${found.body}` : found.body;
      box.focus();
    }),
  );
  return h("div", { class: "filter-row", id: "desk-partner-picker" }, region, h("div", { class: "form-actions" }, recommend));
}
