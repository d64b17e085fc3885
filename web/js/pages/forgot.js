import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, field, messageSlot, notice, showProblem } from "../ui.js";
import { authHeading } from "./auth-common.js";

export const layout = "auth";
export const title = "forgot.title";

export function render(view) {
  const submit = button(t("action.send_reset_link"), { type: "submit", class: "btn btn-primary btn-block" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h("fieldset", { class: "stack" }, field({ name: "email", label: t("field.email"), type: "email", autocomplete: "email" })),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.elements.email.value.trim();
    await busy(submit, async () => {
      try {
        await api("/identity/auth/password/forgot", { method: "POST", body: { email }, auth: false });
        form.replaceWith(notice("success", t("forgot.sent.title"), t("forgot.sent.detail", { email })));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  append(view, 
    authHeading(t("forgot.title"), t("forgot.lead")),
    form,
    h("p", { class: "auth-switch" }, h("a", { href: "/signin" }, t("action.back_to_sign_in"))),
  );
}
