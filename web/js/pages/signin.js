import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { forgetUser } from "../me.js";
import { navigate, query } from "../router.js";
import * as session from "../session.js";
import { busy, button, field, messageSlot, notice, showProblem } from "../ui.js";
import { authHeading, resendVerification } from "./auth-common.js";
import { secondStep } from "./signin-two-step.js";

export const layout = "auth";
export const title = "signin.title";

export function render(view) {
  const banner = arrivalNotice();
  const submit = button(t("action.sign_in"), { type: "submit", class: "btn btn-primary btn-block", id: "sign-in" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, "aria-labelledby": "page-title" },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "email", label: t("field.email"), type: "email", autocomplete: "username", inputmode: "email" }),
      field({ name: "password", label: t("field.password"), type: "password", autocomplete: "current-password" }),
    ),
    h("p", { class: "form-aside" }, h("a", { href: "/forgot-password" }, t("signin.forgot"))),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    if (!email || !password) {
      showProblem(form, { problem: { title: t("signin.missing.title"), detail: t("signin.missing.detail") } });
      return;
    }
    await busy(submit, async () => {
      try {
        const answer = await api("/identity/auth/login", { method: "POST", body: { email, password }, auth: false });
        if (answer.next_step) form.replaceWith(secondStep(answer, finish));
        else finish(answer);
      } catch (error) {
        if (error.slug === "email-not-verified" || error.status === 403) {
          showProblem(form, error, resendVerification(email));
        } else if (error.status === 429) {
          const wait = error.retryAfter;
          const box = showProblem(form, error);
          if (wait) {
            const hint = wait < 60 ? t("signin.locked.wait_seconds", { seconds: wait }) : t("signin.locked.wait", { minutes: Math.ceil(wait / 60) });
            box.querySelector(".notice-body").append(h("p", {}, hint));
          }
        } else {
          showProblem(form, error);
        }
        form.elements.password.value = "";
      }
    });
  });
  append(view, 
    authHeading(t("signin.title"), t("signin.lead")),
    banner,
    form,
    h("p", { class: "auth-switch" }, t("signin.new"), " ", h("a", { href: "/register", id: "register-link" }, t("register"))),
  );
}

function finish(tokens) {
  session.store(tokens);
  forgetUser();
  const next = query("next");
  navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : session.homePath());
}

function arrivalNotice() {
  if (query("signed_out")) return notice("success", t("signin.signed_out"));
  if (query("closed")) return notice("success", t("close_account.done"), t("close_account.done.detail"));
  if (query("verified")) return notice("success", t("verify.success.title"), t("signin.after_verify"));
  if (query("reset")) return notice("success", t("reset.success.title"), t("signin.after_reset"));
  if (query("next")) return notice("info", t("signin.required"));
  return null;
}
