// Back office / Issue a contract. The back-pay rule is shown live, before submitting: the
// licensing service answers the required start date and the gap for the dates typed (the rule
// lives in one place, shared/entitlements.py; this page only explains its answer).

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { busy, button, clearProblem, field, messageSlot, notice, pageHeader, showProblem } from "../ui.js";
import { refuseUnlessBackOffice, shownOnce } from "./office-common.js";

export const layout = "app";
export const title = "menu.office.contract";

const PREVIEW_DELAY_MS = 250;

export function render(view) {
  if (refuseUnlessBackOffice(view, title)) return;
  const result = h("div", { class: "result-slot", "aria-live": "polite" });
  const terms = h("div", { id: "contract-terms", "aria-live": "polite" });
  const submit = button(t("office.contract.submit"), { kind: "primary", icon: "check", type: "submit", id: "issue-contract" });
  const serial = new URLSearchParams(location.search).get("serial") ?? "";
  const form = h(
    "form",
    { class: "card stack", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "field-row" },
      field({ name: "serial", label: t("field.license_serial"), value: serial, class: "mono-input", autocomplete: "off", spellcheck: "false" }),
      field({ name: "starts_on", label: t("office.field.starts_on"), type: "date" }),
      field({ name: "ends_on", label: t("office.field.ends_on"), type: "date" }),
    ),
    terms,
    h("div", { class: "form-actions" }, submit),
  );
  const values = () => ({
    serial: form.elements.serial.value.trim(),
    starts_on: form.elements.starts_on.value,
    ends_on: form.elements.ends_on.value,
  });

  let timer = null;
  let asked = 0;
  const preview = async () => {
    const current = values();
    const seq = ++asked;
    if (!current.serial) return terms.replaceChildren();
    const query = new URLSearchParams();
    if (current.starts_on) query.set("starts_on", current.starts_on);
    if (current.ends_on) query.set("ends_on", current.ends_on);
    try {
      const answer = await api(`/licensing/admin/licenses/${encodeURIComponent(current.serial)}/contract-terms?${query}`);
      if (seq === asked) terms.replaceChildren(explain(answer, form, preview));
    } catch (error) {
      if (seq === asked) terms.replaceChildren(notice("error", error.problem.title, error.problem.detail));
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(preview, PREVIEW_DELAY_MS);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(form);
    const body = values();
    const missing = Object.entries(body).filter(([, value]) => !value).map(([name]) => ({ field: name, message: t("error.required") }));
    if (missing.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: missing } });
      return;
    }
    await busy(submit, async () => {
      try {
        const issued = await api(`/licensing/admin/licenses/${encodeURIComponent(body.serial)}/contracts`, {
          method: "POST",
          body: { starts_on: body.starts_on, ends_on: body.ends_on },
        });
        result.replaceChildren(
          shownOnce(t("office.contract.done", { serial: issued.serial }), [
            [t("field.license_serial"), issued.serial, "issued-serial"],
            [t("field.contract_registration"), issued.registration_number, "issued-registration"],
          ]),
        );
        form.elements.starts_on.value = "";
        form.elements.ends_on.value = "";
        await preview();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  append(view, pageHeader(t(title), { lead: t("office.contract.lead") }), result, form);
  if (serial) preview();
}

/** The service's answer in words: current coverage, the required start, and the gap or overlap. */
function explain(answer, form, refresh) {
  const coverage = t("office.terms.coverage", {
    serial: answer.serial,
    start: formatDate(answer.coverage_start),
    end: formatDate(answer.coverage_end),
    required: formatDate(answer.required_start),
  });
  if (answer.license_void) return notice("error", t("office.terms.void"), coverage);
  const useRequired = button(t("office.terms.use_required", { date: formatDate(answer.required_start) }), { kind: "secondary", id: "use-required-start" });
  useRequired.addEventListener("click", () => {
    form.elements.starts_on.value = answer.required_start;
    refresh();
  });
  const offer = h("div", { class: "form-actions" }, useRequired);
  if (answer.gap_start) {
    const gap = t("office.terms.gap", {
      start: formatDate(answer.starts_on),
      days: answer.gap_days,
      gap_start: formatDate(answer.gap_start),
      gap_end: formatDate(answer.gap_end),
      required: formatDate(answer.required_start),
    });
    return notice("warning", t("office.terms.gap.title"), coverage, h("p", { id: "contract-gap" }, gap), offer);
  }
  if (answer.overlap_start) {
    const overlap = t("office.terms.overlap", {
      start: formatDate(answer.overlap_start),
      end: formatDate(answer.overlap_end),
      required: formatDate(answer.required_start),
    });
    return notice("warning", t("office.terms.overlap.title"), coverage, h("p", { id: "contract-overlap" }, overlap), offer);
  }
  if (answer.starts_on) return notice("success", t("office.terms.fits"), coverage);
  return notice("info", t("office.terms.required"), coverage, offer);
}
