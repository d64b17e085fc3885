// Mail preferences: which optional mails the notifier sends this account. Case and account
// mails have no switch (they answer the customer's own requests), and the page says so.
// Preview releases are opted into here too: the downloads service keeps that choice, and both
// the catalog and the release mail follow it.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, loading, messageSlot, notice, pageHeader, showProblem, toast } from "../ui.js";

export const layout = "app";
export const title = "prefs.title";

const GROUPS = [
  { legend: "prefs.release.legend", switches: ["release_product", "release_update", "release_document"] },
  { legend: "prefs.renewal.legend", switches: ["renewal_reminder"] },
];

export async function render(view) {
  append(view, pageHeader(t("prefs.title"), { lead: t("prefs.lead") }));
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  let current;
  try {
    const [mail, channels] = await Promise.all([api("/notifier/me/preferences"), api("/downloads/me/channels")]);
    current = { ...mail, preview: channels.preview };
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  slot.replaceChildren(preferencesForm(current));
}

function checkbox(name, checked) {
  return h("label", { class: "choice" }, h("input", { type: "checkbox", id: `pref-${name}`, name, checked }), h("span", {}, t(`prefs.${name}`)));
}

function preferencesForm(current) {
  const save = button(t("action.save"), { type: "submit", id: "save-preferences" });
  const form = h(
    "form",
    { class: "card stack", id: "mail-preferences", novalidate: true },
    messageSlot(),
    ...GROUPS.map((group) =>
      h("fieldset", { class: "choices" }, h("legend", {}, t(group.legend)), group.switches.map((name) => checkbox(name, Boolean(current[name])))),
    ),
    h("fieldset", { class: "choices" }, h("legend", {}, t("prefs.preview.legend")), checkbox("preview", Boolean(current.preview))),
    h(
      "fieldset",
      { class: "stack" },
      h("legend", {}, t("prefs.always.legend")),
      h("p", { id: "prefs-cases" }, t("prefs.cases")),
      h("p", { class: "sub" }, t("prefs.account")),
    ),
    h("div", { class: "form-actions" }, save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const group of GROUPS) for (const name of group.switches) body[name] = form.elements[name].checked;
    await busy(save, async () => {
      try {
        await api("/notifier/me/preferences", { method: "PUT", body });
        await api("/downloads/me/channels", { method: "PUT", body: { preview: form.elements.preview.checked } });
        form.querySelector(".message-slot").replaceChildren(notice("success", t("prefs.saved")));
        toast(t("prefs.saved"));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}
