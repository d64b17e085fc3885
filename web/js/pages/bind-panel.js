// "+Add License" / "+Add Contract": enter the two numbers, Search shows what they unlock,
// Submit binds it to the account. Submit stays disabled until a search matched these numbers.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, showProblem } from "../ui.js";

export function bindPanel({ id, title, lead, fields, searchPath, submitPath, renderPreview, explain, onBound }) {
  const preview = h("div", { class: "preview-slot", "aria-live": "polite" });
  const searchBtn = button(t("action.search"), { kind: "secondary", icon: "search", type: "submit", id: `${id}-search` });
  const submitBtn = button(t("action.submit"), { kind: "primary", icon: "check", id: `${id}-submit`, disabled: true });
  const form = h(
    "form",
    { class: "stack", novalidate: true, "aria-labelledby": `${id}-title` },
    messageSlot(),
    h("fieldset", { class: "field-row" }, fields.map((spec) => field({ ...spec, autocomplete: "off", spellcheck: "false", class: "mono-input" }))),
    h("div", { class: "form-actions" }, searchBtn, submitBtn),
    preview,
  );
  let searched = null; // the body the current preview belongs to

  const body = () => Object.fromEntries(fields.map(({ name }) => [name, form.elements[name].value.trim()]));
  const sameAsSearched = () => searched && JSON.stringify(body()) === JSON.stringify(searched);

  form.addEventListener("input", () => {
    if (!sameAsSearched()) {
      submitBtn.disabled = true;
      preview.replaceChildren();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const request = body();
    const missing = fields.filter(({ name }) => !request[name]).map(({ name }) => ({ field: name, message: t("error.required") }));
    if (missing.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: missing } });
      return;
    }
    await busy(searchBtn, async () => {
      try {
        const found = await api(searchPath, { method: "POST", body: request });
        searched = request;
        form.querySelector(".message-slot").replaceChildren();
        preview.replaceChildren(renderPreview(found));
        submitBtn.disabled = false;
      } catch (error) {
        searched = null;
        submitBtn.disabled = true;
        preview.replaceChildren();
        showProblem(form, error, explain?.(error));
      }
    });
  });

  submitBtn.addEventListener("click", async () => {
    if (!sameAsSearched()) return;
    await busy(submitBtn, async () => {
      try {
        const bound = await api(submitPath, { method: "POST", body: searched });
        onBound(bound);
      } catch (error) {
        showProblem(form, error, explain?.(error));
      }
    });
    if (!sameAsSearched()) submitBtn.disabled = true;
  });

  return h(
    "section",
    { class: "card bind-panel", id, hidden: true, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title`, class: "card-title" }, title),
    h("p", { class: "muted" }, lead),
    form,
  );
}

/** Show/hide the panel from its "+Add …" button, keeping aria-expanded and focus right. */
export function togglePanel(trigger, panel) {
  trigger.setAttribute("aria-expanded", "false");
  trigger.setAttribute("aria-controls", panel.id);
  trigger.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    trigger.setAttribute("aria-expanded", String(open));
    if (open) panel.querySelector("input")?.focus();
  });
}
