import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { icons } from "../icons.js";
import { query } from "../router.js";
import { notice } from "../ui.js";
import { authHeading, resendForm } from "./auth-common.js";

export const layout = "auth";
export const title = "sent.title";

export function render(view) {
  const email = query("email") ?? "";
  append(view, 
    h("span", { class: "hero-icon", html: icons.mail }),
    authHeading(t("sent.title"), email ? t("sent.lead", { email }) : t("sent.lead_no_email")),
    h("ol", { class: "steps" }, h("li", {}, t("sent.step1")), h("li", {}, t("sent.step2")), h("li", {}, t("sent.step3"))),
    notice("info", t("sent.blocked.title"), t("sent.blocked.detail")),
    h("details", { class: "disclosure" }, h("summary", {}, t("sent.no_mail")), h("p", { class: "muted" }, t("sent.no_mail.detail")), resendForm(email)),
    h("p", { class: "auth-switch" }, h("a", { href: "/signin" }, t("action.back_to_sign_in"))),
  );
}
