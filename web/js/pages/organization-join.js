// The invitation link of the mail: shows which organization invites the account, asks whether
// the account's own licenses go along, and joins. Signing in (or registering with the invited
// address first) happens before: the route needs a signed-in account.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { navigate, query } from "../router.js";
import { busy, button, facts, loading, messageSlot, notice, pageHeader, showProblem, toast } from "../ui.js";

export const layout = "app";
export const title = "org.join.title";

export async function render(view) {
  append(view, pageHeader(t("org.join.title")));
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  const token = query("token") ?? "";
  let preview;
  try {
    preview = await api("/identity/organizations/invitations/preview", { method: "POST", body: { token } });
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const accept = button(t("org.join.accept"), { type: "submit", id: "accept-invitation" });
  const form = h(
    "form",
    { class: "card stack", id: "join-form", novalidate: true },
    messageSlot(),
    h("p", {}, t("org.join.text", { inviter: preview.inviter_name, organization: preview.organization_name })),
    facts([
      [t("org.field.name"), preview.organization_name],
      [t("field.email"), preview.email],
      [t("org.col.role"), t(`org.role.${preview.role}`)],
      [t("org.col.expires"), formatDateTime(preview.expires_at)],
    ]),
    h("fieldset", { class: "choices" }, h("legend", {}, t("org.bring_licenses.legend")), h("label", { class: "choice" }, h("input", { type: "checkbox", name: "bring_licenses", id: "bring-licenses" }), h("span", {}, t("org.bring_licenses")))),
    h("div", { class: "form-actions" }, accept),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(accept, async () => {
      try {
        await api("/identity/organizations/invitations/accept", { method: "POST", body: { token, bring_licenses: form.elements.bring_licenses.checked } });
        toast(t("org.joined", { organization: preview.organization_name }));
        navigate("/organization");
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  slot.replaceChildren(form);
}
