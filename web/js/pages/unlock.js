import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { icons } from "../icons.js";
import { query } from "../router.js";
import { loading, notice } from "../ui.js";
import { authHeading } from "./auth-common.js";

export const layout = "auth";
export const title = "unlock.title";

// The mailed token is single use: remember the outcome so a language switch does not spend it twice.
const outcomes = new Map();

export async function render(view) {
  const token = query("token");
  append(view, authHeading(t("unlock.title")));
  const body = h("div", { class: "stack", "aria-live": "polite" }, loading(t("unlock.checking")));
  append(view, body);
  let outcome = token ? outcomes.get(token) : { ok: false, problem: { title: t("verify.missing.title"), detail: t("verify.missing.detail") } };
  if (!outcome) {
    try {
      await api("/identity/auth/unlock", { method: "POST", body: { token }, auth: false });
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, problem: error.problem };
    }
    outcomes.set(token, outcome);
  }
  if (outcome.ok) {
    body.replaceChildren(
      h("div", { class: "result result-success", id: "unlock-result", dataset: { state: "unlocked" } },
        h("span", { class: "hero-icon hero-success", html: icons.check }),
        h("h2", {}, t("unlock.success.title")),
        h("p", {}, t("unlock.success.detail")),
        h("a", { class: "btn btn-primary btn-block", href: "/signin" }, t("action.sign_in")),
      ),
    );
    return;
  }
  body.replaceChildren(
    h("div", { id: "unlock-result", dataset: { state: "failed" } },
      notice("error", outcome.problem?.title || t("verify.failed.title"), outcome.problem?.detail || t("unlock.failed.detail")),
    ),
    h("p", { class: "auth-switch" }, h("a", { href: "/forgot-password" }, t("unlock.forgot"))),
    h("p", { class: "auth-switch" }, h("a", { href: "/signin" }, t("action.back_to_sign_in"))),
  );
}
