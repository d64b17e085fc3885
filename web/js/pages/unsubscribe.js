// One-click unsubscribe from a mail, without signing in. Opening the page changes nothing
// (mail scanners open links); the button POSTs the signed token, and repeating it is harmless.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { icons } from "../icons.js";
import { query } from "../router.js";
import { busy, button, loading, notice } from "../ui.js";
import { authHeading } from "./auth-common.js";

export const layout = "auth";
export const title = "unsubscribe.title";

const topicLabel = (topic) => t(`unsubscribe.topic.${topic}`);

export async function render(view) {
  const token = query("token");
  append(view, authHeading(t("unsubscribe.title")));
  const body = h("div", { class: "stack", "aria-live": "polite", id: "unsubscribe" }, loading());
  append(view, body);
  if (!token) {
    body.replaceChildren(notice("error", t("unsubscribe.missing.title"), t("unsubscribe.missing.detail")), manageLink());
    return;
  }
  const path = `/notifier/unsubscribe?token=${encodeURIComponent(token)}`;
  let state;
  try {
    state = await api(`/notifier/unsubscribe/topic?token=${encodeURIComponent(token)}`, { auth: false });
  } catch (error) {
    body.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("unsubscribe.missing.detail")), manageLink());
    return;
  }
  if (!state.subscribed) {
    body.replaceChildren(done(state.topic));
    return;
  }
  const confirm = button(t("unsubscribe.action"), { kind: "primary", id: "confirm-unsubscribe" });
  confirm.classList.add("btn-block");
  confirm.addEventListener("click", () =>
    busy(confirm, async () => {
      try {
        const result = await api(path, { method: "POST", body: {}, auth: false });
        body.replaceChildren(done(result.topic));
      } catch (error) {
        body.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.generic.detail")), manageLink());
      }
    }),
  );
  body.replaceChildren(
    h("p", { class: "lead" }, t("unsubscribe.confirm", { topic: topicLabel(state.topic) })),
    h("p", { class: "sub" }, t("unsubscribe.confirm.detail")),
    confirm,
    manageLink(),
  );
}

function done(topic) {
  return h(
    "div",
    { class: "result result-success", id: "unsubscribe-result", dataset: { state: "unsubscribed" } },
    h("span", { class: "hero-icon hero-success", html: icons.check }),
    h("h2", {}, t("unsubscribe.done.title")),
    h("p", {}, t("unsubscribe.done.detail", { topic: topicLabel(topic) })),
    manageLink(),
  );
}

function manageLink() {
  return h("p", {}, h("a", { href: "/preferences", id: "manage-preferences" }, t("unsubscribe.manage")));
}
