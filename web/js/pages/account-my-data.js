// "Download my data" and "Close my account". Each service answers the caller's own data (GET …/me/export); the portal
// puts the three answers into one JSON file, saved without leaving the page.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, showProblem, toast } from "../ui.js";

export function myDataCard(card) {
  const get = button(t("my_data.download"), { kind: "secondary", icon: "download", id: "my-data-download" });
  get.addEventListener("click", () =>
    busy(get, async () => {
      try {
        const [identity, licensing, cases] = await Promise.all([api("/identity/me/export"), api("/licensing/me/export"), api("/cases/me/export")]);
        const exported = new Date().toISOString();
        save({ exported_at: exported, identity, licensing, cases }, `my-data-${exported.slice(0, 10)}.json`);
      } catch (error) {
        toast(`${error.problem?.title ?? ""} ${error.problem?.detail ?? ""}`);
      }
    }),
  );
  return card(t("my_data.title"), h("div", { class: "stack" }, h("p", { class: "muted" }, t("my_data.text")), h("div", {}, get)));
}

function save(document, filename) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }));
  const link = h("a", { href: url, download: filename, hidden: true });
  window.document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Closing the account: the password confirms (and a code, with two-step sign-in on); afterwards this browser is
 * signed out too. */
export function closeAccountCard(card, { onClosed }) {
  const submit = button(t("close_account.submit"), { type: "submit", kind: "danger", id: "close-account" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h("p", { class: "muted" }, t("close_account.text")),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "password", label: t("field.current_password"), type: "password", autocomplete: "current-password" }),
      field({ name: "code", label: t("field.code"), autocomplete: "one-time-code", hint: t("close_account.code_hint"), required: false }),
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const code = form.elements.code.value.trim();
        await api("/identity/me/close", { method: "POST", body: { password: form.elements.password.value, ...(code ? { code } : {}) } });
      } catch (error) {
        showProblem(form, error);
        return;
      }
      onClosed();
    });
  });
  return card(t("close_account.title"), form);
}
