// Shared building blocks: labelled fields, busy buttons, problem notices, empty states, badges.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { icons } from "./icons.js";

/** A labelled input (or select/textarea) with hint and an error slot wired by aria-describedby. */
export function field({ name, label, type = "text", value = "", hint, required = true, options, rows, ...rest }) {
  const id = uid(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const common = {
    id,
    name,
    required,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    ...rest,
  };
  let control;
  if (options) {
    control = h(
      "select",
      common,
      options.map((opt) =>
        h("option", { value: opt.value, selected: String(opt.value) === String(value), disabled: opt.disabled }, opt.label),
      ),
    );
  } else if (type === "textarea") {
    control = h("textarea", { ...common, rows: rows ?? 6 });
    control.value = value ?? "";
  } else {
    control = h("input", { ...common, type, value: value ?? "" });
  }
  return h(
    "div",
    { class: "field", dataset: { field: name } },
    h("label", { for: id }, label, required ? null : h("span", { class: "optional" }, ` ${t("common.optional")}`)),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorId, hidden: true }),
  );
}

export function button(label, { kind = "primary", icon, type = "button", ...rest } = {}) {
  return h(
    "button",
    { class: `btn btn-${kind}`, type, ...rest },
    icon ? h("span", { class: "btn-icon", html: icons[icon] }) : null,
    h("span", { class: "btn-label" }, label),
  );
}

/** Disable a button (and its form's fields) and show a spinner while `work` runs. */
export async function busy(btn, work) {
  const form = btn.form;
  const fieldset = form?.querySelector("fieldset");
  btn.disabled = true;
  btn.classList.add("is-busy");
  btn.setAttribute("aria-busy", "true");
  const spinner = h("span", { class: "spinner", "aria-hidden": "true" });
  btn.prepend(spinner);
  if (fieldset) fieldset.disabled = true;
  try {
    return await work();
  } finally {
    spinner.remove();
    btn.classList.remove("is-busy");
    btn.removeAttribute("aria-busy");
    btn.disabled = false;
    if (fieldset) fieldset.disabled = false;
  }
}

/** A message box; role=alert for errors so screen readers announce them at once. */
export function notice(kind, title, detail, ...extra) {
  const icon = { error: icons.alert, warning: icons.alert, success: icons.check, info: icons.info }[kind];
  return h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", { class: "notice-icon", html: icon }),
    h("div", { class: "notice-body" }, h("p", { class: "notice-title" }, title), detail ? h("p", {}, detail) : null, ...extra),
  );
}

/** The live region of a form: shows a problem (title, detail, unmatched field errors). */
export function messageSlot() {
  return h("div", { class: "message-slot", "aria-live": "polite" });
}

export function clearProblem(form) {
  form.querySelectorAll(".field-error").forEach((el) => {
    el.hidden = true;
    el.textContent = "";
  });
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const slot = form.querySelector(".message-slot");
  if (slot) slot.replaceChildren();
}

/** Put an ApiError on a form: field errors next to their fields, the rest in the message slot. */
export function showProblem(form, error, ...extra) {
  clearProblem(form);
  const problem = error?.problem ?? { title: t("error.generic.title"), detail: String(error?.message ?? "") };
  const unmatched = [];
  let firstInvalid = null;
  for (const raw of problem.errors ?? []) {
    // Validators prefix their own messages ("Value error, …"): customers need only the message.
    const item = { ...raw, message: String(raw.message ?? "").replace(/^(Value|Assertion) error,\s*/i, "") };
    const name = String(item.field ?? "").split(".").pop();
    const wrapper = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (wrapper) {
      const slot = wrapper.querySelector(".field-error");
      slot.textContent = slot.textContent ? `${slot.textContent} ${item.message}` : item.message;
      slot.hidden = false;
      const control = wrapper.querySelector("input, select, textarea");
      control?.setAttribute("aria-invalid", "true");
      firstInvalid ??= control;
    } else if (item.message) {
      unmatched.push(item.field ? `${item.field}: ${item.message}` : item.message);
    }
  }
  const list = unmatched.length ? h("ul", { class: "problem-list" }, unmatched.map((m) => h("li", {}, m))) : null;
  const detail = problem.detail || (problem.errors?.length ? t("error.fields.detail") : t("error.generic.detail"));
  const box = notice("error", problem.title, detail, list, ...extra);
  const slot = form.querySelector(".message-slot");
  if (slot) slot.replaceChildren(box);
  else form.prepend(box);
  firstInvalid?.focus();
  return box;
}

/** The attributes of a box a wide table scrolls in: keyboard users can focus it to scroll, and
 * screen readers name it by the table's caption. */
export function scrollRegion(label) {
  return { class: "table-wrap card", tabindex: "0", role: "region", "aria-label": label };
}

export function emptyState({ icon = "inbox", title, text, action }) {
  return h(
    "div",
    { class: "empty" },
    h("span", { class: "empty-icon", html: icons[icon] }),
    h("h2", { class: "empty-title" }, title), // right under the page's h1: no skipped level
    text ? h("p", {}, text) : null,
    action ?? null,
  );
}

export function loading(label = t("common.loading")) {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, label));
}

export function statusBadge(status, prefix = "status") {
  const key = `${prefix}.${status}`;
  return h("span", { class: `badge badge-${String(status).replaceAll("_", "-")}` }, t(key));
}

export function pageHeader(title, { lead, actions, eyebrow } = {}) {
  return h(
    "header",
    { class: "page-header" },
    h(
      "div",
      { class: "page-heading" },
      eyebrow ? h("p", { class: "eyebrow" }, eyebrow) : null,
      h("h1", { tabindex: "-1", id: "page-title" }, title),
      lead ? h("p", { class: "lead" }, lead) : null,
    ),
    actions ? h("div", { class: "page-actions" }, actions) : null,
  );
}

/** Definition list of label/value pairs (license previews, case facts). */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(Boolean).map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value ?? "—"))),
  );
}

let toastTimer = null;
export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.add("is-visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("is-visible"), 4000);
}

/** A table cell that becomes a labelled row on narrow screens (the wrapper keeps its content together). */
export function cell(label, ...children) {
  return h("td", { "data-label": label }, h("div", { class: "cell" }, ...children));
}
