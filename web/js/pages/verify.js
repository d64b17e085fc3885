import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { icons } from "../icons.js";
import { query } from "../router.js";
import { loading, notice } from "../ui.js";
import { authHeading, resendForm } from "./auth-common.js";

export const layout = "auth";
export const title = "verify.title";

// The token is single use: remember the outcome so a language switch does not spend it twice.
const outcomes = new Map();

export async function render(view) {
  const token = query("token");
  append(view, authHeading(t("verify.title")));
  const body = h("div", { class: "stack", "aria-live": "polite" }, loading(t("verify.checking")));
  append(view, body);
  let outcome = token ? outcomes.get(token) : { ok: false, problem: { title: t("verify.missing.title"), detail: t("verify.missing.detail") } };
  if (!outcome) {
    try {
      await api("/identity/auth/verify", { method: "POST", body: { token }, auth: false });
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, problem: error.problem, slug: error.slug };
    }
    outcomes.set(token, outcome);
  }
  if (outcome.ok) {
    body.replaceChildren(
      h("div", { class: "result result-success", id: "verify-result", dataset: { state: "verified" } },
        h("span", { class: "hero-icon hero-success", html: icons.check }),
        h("h2", {}, t("verify.success.title")),
        h("p", {}, t("verify.success.detail")),
        h("a", { class: "btn btn-primary btn-block", href: "/signin?verified=1" }, t("action.sign_in")),
      ),
    );
    return;
  }
  const expired = outcome.slug === "verification-expired";
  body.replaceChildren(
    h("div", { id: "verify-result", dataset: { state: "failed" } },
      notice("error", outcome.problem?.title || t("verify.failed.title"), outcome.problem?.detail || t(expired ? "verify.expired.detail" : "verify.invalid.detail")),
    ),
    h("h2", { class: "section-title" }, t("verify.resend.title")),
    h("p", { class: "muted" }, t("verify.resend.lead")),
    resendForm(),
    h("p", { class: "auth-switch" }, h("a", { href: "/signin" }, t("action.back_to_sign_in"))),
  );
}
