import { api } from "../api.js";
import { append, h } from "../dom.js";
import { LOCALES, LOCALE_NAMES, formatDateTime, setLocale, t } from "../i18n.js";
import { currentUser, forgetUser, rememberUser } from "../me.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { busy, button, facts, field, loading, messageSlot, notice, pageHeader, showProblem, toast } from "../ui.js";
import { closeAccountCard, myDataCard } from "./account-my-data.js";
import { sessionsCard } from "./account-sessions.js";
import { twoStepCard } from "./account-two-step.js";
import { passwordHint } from "./auth-common.js";

export const layout = "app";
export const title = "menu.account";

export async function render(view) {
  append(view, pageHeader(t("menu.account"), { lead: t("account.lead") }));
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  let me;
  try {
    me = await currentUser({ reload: true });
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  slot.replaceChildren(
    h(
      "div",
      { class: "grid-2" },
      h("div", { class: "stack" }, profileCard(me), emailCard(me), twoStepCard(card)),
      h("div", { class: "stack" }, passwordCard(), sessionsCard(card), mailCard(), myDataCard(card), closeAccountCard(card, { onClosed: closed })),
    ),
  );
}

function profileCard(me) {
  const save = button(t("action.save"), { type: "submit" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    facts([
      [t("field.email"), me.email],
      [t("account.member_since"), formatDateTime(me.created_at)],
    ]),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "name", label: t("field.name"), value: me.name, autocomplete: "name" }),
      field({ name: "phone", label: t("field.phone"), type: "tel", value: me.phone, autocomplete: "tel", hint: t("field.phone.hint") }),
      field({ name: "locale", label: t("field.locale"), value: me.locale, hint: t("field.locale.hint"), options: LOCALES.map((code) => ({ value: code, label: LOCALE_NAMES[code] })) }),
    ),
    h("div", { class: "form-actions" }, save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changes = {};
    for (const name of ["name", "phone", "locale"]) {
      const value = form.elements[name].value.trim();
      if (value !== (me[name] ?? "")) changes[name] = value;
    }
    if (!Object.keys(changes).length) {
      form.querySelector(".message-slot").replaceChildren(notice("info", t("account.nothing_changed")));
      return;
    }
    await busy(save, async () => {
      try {
        const updated = await api("/identity/me", { method: "PATCH", body: changes });
        rememberUser(updated);
        toast(t("account.saved"));
        if (changes.locale) await setLocale(changes.locale);
        else form.querySelector(".message-slot").replaceChildren(notice("success", t("account.saved")));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return card(t("account.profile"), form);
}

function passwordCard() {
  const save = button(t("action.change_password"), { type: "submit", kind: "secondary" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "current_password", label: t("field.current_password"), type: "password", autocomplete: "current-password" }),
      field({ name: "new_password", label: t("field.new_password"), type: "password", autocomplete: "new-password", hint: passwordHint() }),
    ),
    h("div", { class: "form-actions" }, save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { current_password: form.elements.current_password.value, new_password: form.elements.new_password.value };
    await busy(save, async () => {
      try {
        await api("/identity/me/password", { method: "POST", body });
        form.reset();
        form.querySelector(".message-slot").replaceChildren(notice("success", t("account.password_changed"), t("account.password_changed.detail")));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return card(t("action.change_password"), form);
}

/** The address changes only when the link mailed to the new one is opened; the old one is told. */
function emailCard(me) {
  const send = button(t("email_change.submit"), { type: "submit", kind: "secondary", id: "email-change" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h("p", { class: "muted" }, t("email_change.text")),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "new_email", label: t("field.new_email"), type: "email", autocomplete: "email", inputmode: "email" }),
      field({ name: "password", label: t("field.current_password"), type: "password", autocomplete: "current-password" }),
    ),
    h("div", { class: "form-actions" }, send),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { new_email: form.elements.new_email.value.trim(), password: form.elements.password.value };
    if (body.new_email.toLowerCase() === me.email.toLowerCase()) {
      form.querySelector(".message-slot").replaceChildren(notice("info", t("account.nothing_changed")));
      return;
    }
    await busy(send, async () => {
      try {
        await api("/identity/me/email", { method: "POST", body });
        form.reset();
        form.querySelector(".message-slot").replaceChildren(notice("success", t("email_change.sent"), t("email_change.sent.detail", { email: body.new_email })));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return card(t("email_change.title"), form);
}

function closed() {
  session.clear();
  forgetUser();
  navigate("/signin?closed=1");
}

function mailCard() {
  return card(t("prefs.title"), h("div", { class: "stack" }, h("p", { class: "muted" }, t("account.mail_prefs.text")), h("div", {}, h("a", { class: "btn btn-secondary", href: "/preferences", id: "mail-preferences-link" }, t("prefs.title")))));
}

function card(title, body) {
  return h("section", { class: "card" }, h("h2", { class: "card-title" }, title), body);
}
