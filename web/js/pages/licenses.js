import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { icons } from "../icons.js";
import { busy, button, cell, emptyState, facts, loading, notice, pageHeader, scrollRegion, statusBadge, toast } from "../ui.js";
import { renewalBanner } from "../renewal-banner.js";
import { bindPanel, togglePanel } from "./bind-panel.js";

export const layout = "app";
export const title = "menu.profile.licenses";

export async function render(view) {
  const addBtn = button(t("action.add_license"), { kind: "primary", id: "add-license" });
  const list = h("div", { class: "list-slot", "aria-live": "polite" }, loading());
  const panel = bindPanel({
    id: "add-license-panel",
    title: t("licenses.add.title"),
    lead: t("licenses.add.lead"),
    fields: [
      { name: "serial", label: t("field.license_serial"), hint: t("field.license_serial.hint") },
      { name: "registration_number", label: t("field.license_registration"), hint: t("field.license_registration.hint") },
    ],
    searchPath: "/licensing/me/licenses/search",
    submitPath: "/licensing/me/licenses",
    renderPreview: licensePreview,
    onBound: async (bound) => {
      panel.hidden = true;
      addBtn.setAttribute("aria-expanded", "false");
      panel.querySelector("form").reset();
      toast(t("licenses.added", { serial: bound.serial }));
      await load(list, addBtn, bound.serial);
      addBtn.focus();
    },
  });
  togglePanel(addBtn, panel);
  append(view, pageHeader(t("menu.profile.licenses"), { lead: t("licenses.lead"), actions: addBtn }), renewalBanner(), panel, list);
  await load(list, addBtn);
}

async function load(slot, addBtn, highlightSerial) {
  let licenses;
  try {
    licenses = await api("/licensing/me/licenses");
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!licenses.length) {
    const start = button(t("action.add_license"), { kind: "secondary" });
    start.addEventListener("click", () => addBtn.click());
    slot.replaceChildren(emptyState({ icon: "key", title: t("licenses.empty.title"), text: t("licenses.empty.text"), action: start }));
    return;
  }
  slot.replaceChildren(
    h(
      "div",
      scrollRegion(t("menu.profile.licenses")),
      h(
        "table",
        { class: "table", id: "license-table" },
        h("caption", { class: "sr-only" }, t("menu.profile.licenses")),
        h(
          "thead",
          {},
          h("tr", {}, ["licenses.col.product", "licenses.col.seats", "field.license_serial", "licenses.col.coverage", "licenses.col.status", "licenses.col.file"].map((key) => h("th", { scope: "col" }, t(key)))),
        ),
        h("tbody", {}, licenses.map((license) => licenseRow(license, license.serial === highlightSerial))),
      ),
    ),
  );
}

function licenseRow(license, highlight) {
  const { coverage, status } = license;
  return h(
    "tr",
    { class: highlight ? "is-new" : null, dataset: { serial: license.serial } },
    cell(t("licenses.col.product"), h("strong", {}, license.product), h("span", { class: "sub" }, license.edition)),
    cell(t("licenses.col.seats"), String(license.seats)),
    cell(t("field.license_serial"), h("code", { class: "serial" }, license.serial), license.bound_by ? h("span", { class: "sub bound-by" }, t("licenses.bound_by", { name: license.bound_by })) : null),
    cell(t("licenses.col.coverage"), h("span", { class: "nowrap" }, `${formatDate(coverage.start)} – ${formatDate(coverage.end)}`), timeline(license.timeline)),
    cell(t("licenses.col.status"), statusBadge(status), lapsedHint(status, coverage)),
    cellAction(t("licenses.col.file"), downloadButton(license)),
  );
}

function cellAction(label, control) {
  const td = cell(label, control);
  td.classList.add("cell-action");
  return td;
}

function lapsedHint(status, coverage) {
  const since = coverage.lapsed_since ?? coverage.end;
  if (status !== "lapsed" || !since) return null;
  return h("span", { class: "sub" }, t("licenses.lapsed_since", { date: formatDate(since) }));
}

function timeline(periods) {
  if (!periods.length) return null;
  return h(
    "details",
    { class: "timeline" },
    h("summary", {}, t("licenses.timeline")),
    h(
      "ol",
      {},
      periods.map((period) => {
        const label = period.kind === "warranty" ? t("licenses.period.warranty") : t("licenses.period.contract");
        return h("li", {}, h("span", { class: `dot dot-${period.kind}` }), h("span", {}, label), h("span", { class: "sub" }, `${formatDate(period.start)} – ${formatDate(period.end)}`));
      }),
    ),
  );
}

function downloadButton(license) {
  const btn = h(
    "button",
    { type: "button", class: "icon-btn icon-btn-primary", "aria-label": t("licenses.download_file", { serial: license.serial }), title: t("licenses.download_file", { serial: license.serial }), dataset: { download: license.serial } },
    h("span", { html: icons.download }),
  );
  btn.addEventListener("click", () =>
    busy(btn, async () => {
      try {
        const response = await api(`/licensing/me/licenses/${encodeURIComponent(license.id)}/file`, { raw: true });
        saveBlob(await response.blob(), `${license.serial}.lic`);
        toast(t("licenses.file_saved", { file: `${license.serial}.lic` }));
      } catch (error) {
        toast(`${error.problem?.title ?? t("error.generic.title")} ${error.problem?.detail ?? ""}`);
      }
    }),
  );
  return btn;
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function licensePreview(found) {
  const { coverage } = found;
  return h(
    "div",
    { class: "preview", id: "license-preview" },
    h("div", { class: "preview-head" }, h("span", { class: "preview-icon", html: icons.box }), h("div", {}, h("p", { class: "preview-title" }, `${found.product} ${found.edition}`.trim()), h("p", { class: "sub" }, t("licenses.preview.lead"))), statusBadge(coverage.status)),
    facts([
      [t("licenses.col.product"), found.product],
      [t("licenses.col.edition"), found.edition],
      [t("licenses.col.seats"), String(found.seats)],
      [t("licenses.purchased_on"), formatDate(found.purchased_on)],
      [t("licenses.warranty_ends"), formatDate(found.warranty_ends)],
      [t("licenses.col.coverage"), `${formatDate(coverage.start)} – ${formatDate(coverage.end)}`],
    ]),
    found.already_bound_to_you ? notice("info", t("licenses.already_yours")) : null,
  );
}
