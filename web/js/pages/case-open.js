import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { icons } from "../icons.js";
import { busy, button, emptyState, field, loading, messageSlot, notice, pageHeader, showProblem } from "../ui.js";

export const layout = "app";
export const title = "menu.cases.open";

const CATEGORIES = ["feature_question", "log_interpretation", "bug", "security_issue"];
const SEVERITIES = ["critical", "high", "normal", "low"];
const ENVIRONMENT = ["os", "database", "app_server"];
const COVERED = new Set(["in_warranty", "under_contract"]);

export async function render(view) {
  append(view, pageHeader(t("menu.cases.open"), { lead: t("cases.open.lead") }));
  const scope = h(
    "aside",
    { class: "callout" },
    h("span", { class: "callout-icon", html: icons.info }),
    h("div", {}, h("p", { class: "callout-title" }, t("cases.scope.title")), h("p", {}, t("cases.scope.in")), h("p", {}, t("cases.scope.out"))),
  );
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, scope, slot);

  let licenses;
  try {
    licenses = await api("/licensing/me/licenses");
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!licenses.length) {
    slot.replaceChildren(emptyState({ icon: "key", title: t("cases.no_license.title"), text: t("cases.no_license.text"), action: h("a", { class: "btn btn-secondary", href: "/licenses" }, t("action.add_license")) }));
    return;
  }
  const covered = licenses.filter((license) => COVERED.has(license.status));
  slot.replaceChildren(caseForm(licenses, covered));
  offerVersions(slot.querySelector("#case-form"), licenses);
}

/** Suggest the versions the customer is entitled to for the chosen license (or "other"); the
 * field stays free text, since disputes are judged against the version the customer names. */
async function offerVersions(form, licenses) {
  if (!form) return;
  let releases = [];
  try {
    releases = (await api("/downloads/releases?limit=500")).filter((r) => r.entitled);
  } catch {
    return; // without the catalogue the customer types the version
  }
  const input = form.elements.product_version;
  const list = h("datalist", { id: "case-versions" });
  input.setAttribute("list", "case-versions");
  input.after(list);
  const fill = () => {
    const chosen = form.querySelector("input[name=license_id]:checked")?.value;
    const product = licenses.find((l) => l.id === chosen)?.product;
    const versions = [...new Set(releases.filter((r) => r.product === product).map((r) => r.version))];
    list.replaceChildren(...[...versions, "other"].map((version) => h("option", { value: version })));
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "license_id") fill();
  });
  fill();
}

function caseForm(licenses, covered) {
  const submit = button(t("action.submit"), { type: "submit", id: "case-submit", disabled: !covered.length });
  const licenseChoices = h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, t("cases.field.license")),
    licenses.map((license, index) => {
      const ok = covered.includes(license);
      const id = `case-license-${index}`;
      const { coverage } = license;
      return h(
        "label",
        { class: `choice ${ok ? "" : "is-disabled"}`, for: id },
        h("input", { type: "radio", name: "license_id", id, value: license.id, disabled: !ok, checked: ok && license === covered[0], required: true }),
        h(
          "span",
          { class: "choice-body" },
          h("span", { class: "choice-title" }, `${license.product} ${license.edition}`.trim(), " ", h("code", { class: "serial" }, license.serial)),
          h("span", { class: "sub" }, ok ? t("cases.license.covered_until", { date: formatDate(coverage.end) }) : t("cases.license.not_covered", { date: formatDate(coverage.end) })),
        ),
      );
    }),
  );
  const form = h(
    "form",
    { class: "card stack form-card", novalidate: true, id: "case-form" },
    messageSlot(),
    covered.length ? null : notice("warning", t("cases.none_covered.title"), t("cases.none_covered.detail"), h("p", {}, h("a", { href: "/contracts" }, t("action.add_contract")))),
    h(
      "fieldset",
      { class: "stack" },
      licenseChoices,
      field({ name: "category", label: t("cases.field.category"), value: "feature_question", options: CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) })), hint: t("cases.field.category.hint") }),
      field({ name: "severity", label: t("cases.field.severity"), value: "normal", options: SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), hint: t("cases.field.severity.hint") }),
      field({ name: "product_version", label: t("cases.field.version"), maxlength: 64, required: false, hint: t("cases.field.version.hint") }),
      h(
        "fieldset",
        { class: "stack" },
        h("legend", {}, t("cases.environment")),
        ENVIRONMENT.map((name) => field({ name: `env_${name}`, label: t(`cases.field.env_${name}`), maxlength: 200, required: false })),
        field({ name: "env_notes", label: t("cases.field.env_notes"), type: "textarea", rows: 2, maxlength: 2000, required: false }),
      ),
      field({ name: "subject", label: t("cases.field.subject"), maxlength: 200, hint: t("cases.field.subject.hint") }),
      field({ name: "description", label: t("cases.field.description"), type: "textarea", rows: 8, hint: t("cases.field.description.hint") }),
      h("div", { class: "choices" }, h("label", { class: "choice" }, h("input", { type: "checkbox", name: "private", id: "case-private" }), h("span", {}, t("case.private")))),
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      license_id: form.querySelector("input[name=license_id]:checked")?.value ?? "",
      category: form.elements.category.value,
      severity: form.elements.severity.value,
      environment: environmentOf(form),
      subject: form.elements.subject.value.trim(),
      description: form.elements.description.value.trim(),
      private: form.elements.private.checked,
    };
    const version = form.elements.product_version.value.trim();
    if (version) body.product_version = version;
    const missing = ["subject", "description"].filter((name) => !body[name]).map((name) => ({ field: name, message: t("error.required") }));
    if (!body.license_id) missing.push({ field: "license_id", message: t("cases.pick_license") });
    if (missing.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: missing } });
      return;
    }
    await busy(submit, async () => {
      try {
        const created = await api("/cases/cases", { method: "POST", body });
        form.replaceWith(openedCase(created));
      } catch (error) {
        const renew = error.slug === "no-active-coverage" ? h("p", {}, h("a", { href: "/contracts" }, t("action.add_contract"))) : null;
        showProblem(form, error, renew);
      }
    });
  });
  return form;
}

function environmentOf(form) {
  const env = {};
  for (const name of [...ENVIRONMENT, "notes"]) {
    const value = form.elements[`env_${name}`].value.trim();
    if (value) env[name] = value;
  }
  return env;
}

function openedCase(created) {
  return h(
    "section",
    { class: "card result result-success", id: "case-opened" },
    h("span", { class: "hero-icon hero-success", html: icons.check }),
    h("h2", {}, t("cases.opened.title")),
    h("p", {}, t("cases.opened.number"), " ", h("strong", { class: "case-number" }, created.number)),
    h("p", { class: "muted" }, t("cases.opened.next")),
    h("div", { class: "form-actions center" }, h("a", { class: "btn btn-primary", href: `/cases/${encodeURIComponent(created.id)}` }, t("cases.view")), h("a", { class: "btn btn-secondary", href: "/cases" }, t("menu.cases.manage"))),
  );
}
