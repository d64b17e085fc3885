import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { icons } from "../icons.js";
import { button, cell, emptyState, facts, loading, notice, pageHeader, scrollRegion, statusBadge, toast } from "../ui.js";
import { renewalBanner } from "../renewal-banner.js";
import { bindPanel, togglePanel } from "./bind-panel.js";

export const layout = "app";
export const title = "menu.profile.contracts";

export async function render(view) {
  const addBtn = button(t("action.add_contract"), { kind: "primary", id: "add-contract" });
  const list = h("div", { class: "list-slot", "aria-live": "polite" }, loading());
  const panel = bindPanel({
    id: "add-contract-panel",
    title: t("contracts.add.title"),
    lead: t("contracts.add.lead"),
    fields: [
      { name: "serial", label: t("field.license_serial"), hint: t("field.license_serial.hint") },
      { name: "registration_number", label: t("field.contract_registration"), hint: t("field.contract_registration.hint") },
    ],
    searchPath: "/licensing/me/contracts/search",
    submitPath: "/licensing/me/contracts",
    renderPreview: contractPreview,
    explain: explainCoverage,
    onBound: async () => {
      panel.hidden = true;
      addBtn.setAttribute("aria-expanded", "false");
      panel.querySelector("form").reset();
      toast(t("contracts.added"));
      await load(list, addBtn);
      addBtn.focus();
    },
  });
  togglePanel(addBtn, panel);
  append(view, 
    pageHeader(t("menu.profile.contracts"), { lead: t("contracts.lead"), actions: addBtn }),
    renewalBanner(),
    h("aside", { class: "callout" }, h("span", { class: "callout-icon", html: icons.info }), h("div", {}, h("p", { class: "callout-title" }, t("contracts.backpay.title")), h("p", {}, t("contracts.backpay.text")))),
    panel,
    list,
  );
  await load(list, addBtn);
}

async function load(slot, addBtn) {
  let contracts;
  try {
    contracts = await api("/licensing/me/contracts");
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!contracts.length) {
    const start = button(t("action.add_contract"), { kind: "secondary" });
    start.addEventListener("click", () => addBtn.click());
    slot.replaceChildren(emptyState({ icon: "shield", title: t("contracts.empty.title"), text: t("contracts.empty.text"), action: start }));
    return;
  }
  const cols = ["field.license_serial", "licenses.col.product", "contracts.col.period", "licenses.col.status"];
  slot.replaceChildren(
    h(
      "div",
      scrollRegion(t("menu.profile.contracts")),
      h(
        "table",
        { class: "table" },
        h("caption", { class: "sr-only" }, t("menu.profile.contracts")),
        h("thead", {}, h("tr", {}, cols.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          contracts.map((contract) => {
            const state = contractState(contract);
            return h(
              "tr",
              {},
              cell(t(cols[0]), h("code", { class: "serial" }, contract.serial)),
              cell(t(cols[1]), contract.product),
              cell(t(cols[2]), h("span", { class: "nowrap" }, `${formatDate(contract.starts_on)} – ${formatDate(contract.ends_on)}`)),
              cell(t(cols[3]), statusBadge(state, "contract")),
            );
          }),
        ),
      ),
    ),
  );
}

/** A contract's state on the customer's calendar day (the list shows bound, unvoided contracts). */
function contractState(contract) {
  const today = new Date().toISOString().slice(0, 10);
  if (contract.starts_on > today) return "upcoming";
  if (contract.ends_on < today) return "ended";
  return "active";
}

function contractPreview(found) {
  const coverage = found.coverage_after;
  return h(
    "div",
    { class: "preview", id: "contract-preview" },
    h("div", { class: "preview-head" }, h("span", { class: "preview-icon", html: icons.shield }), h("div", {}, h("p", { class: "preview-title" }, `${found.product} ${found.edition}`.trim()), h("p", { class: "sub" }, t("contracts.preview.lead")))),
    facts([
      [t("field.license_serial"), found.serial],
      [t("contracts.col.period"), `${formatDate(found.starts_on)} – ${formatDate(found.ends_on)}`],
      [t("contracts.coverage_after"), `${formatDate(coverage.start)} – ${formatDate(coverage.end)}`],
    ]),
    found.already_bound_to_you ? notice("info", t("contracts.already_yours")) : null,
  );
}

/** The back-pay rule in plain words when the service refuses a gap or an overlap. */
function explainCoverage(error) {
  const p = error.problem ?? {};
  if (error.slug === "coverage-gap") {
    return h("p", { class: "explain" }, t("contracts.gap.explain", { gap_start: formatDate(p.gap_start), gap_end: formatDate(p.gap_end), required_start: formatDate(p.required_start) }));
  }
  if (error.slug === "coverage-overlap") {
    return h("p", { class: "explain" }, t("contracts.overlap.explain", { required_start: formatDate(p.required_start) }));
  }
  if (["license-not-bound", "license-not-bound-to-you"].includes(error.slug)) {
    return h("p", { class: "explain" }, t("contracts.bind_license_first"), " ", h("a", { href: "/licenses" }, t("menu.profile.licenses")));
  }
  return null;
}
