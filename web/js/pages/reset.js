import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { navigate, query } from "../router.js";
import { busy, button, field, messageSlot, showProblem } from "../ui.js";
import { authHeading, passwordHint } from "./auth-common.js";

export const layout = "auth";
export const title = "reset.title";

export function render(view) {
  const token = query("token") ?? "";
  const submit = button(t("action.set_password"), { type: "submit", class: "btn btn-primary btn-block" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "password", label: t("field.new_password"), type: "password", autocomplete: "new-password", hint: passwordHint() }),
      field({ name: "password_confirm", label: t("field.password_confirm"), type: "password", autocomplete: "new-password" }),
    ),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = form.elements.password.value;
    if (password !== form.elements.password_confirm.value) {
      showProblem(form, { problem: { title: t("error.fields.title"), errors: [{ field: "password_confirm", message: t("error.password_mismatch") }] } });
      return;
    }
    await busy(submit, async () => {
      try {
        await api("/identity/auth/password/reset", { method: "POST", body: { token, password }, auth: false });
        navigate("/signin?reset=1");
      } catch (error) {
        const again = error.status === 400 || error.status === 410 ? h("p", {}, h("a", { href: "/forgot-password" }, t("reset.request_new"))) : null;
        showProblem(form, error, again);
      }
    });
  });
  append(view, 
    authHeading(t("reset.title"), t("reset.lead")),
    form,
    h("p", { class: "auth-switch" }, h("a", { href: "/signin" }, t("action.back_to_sign_in"))),
  );
}
