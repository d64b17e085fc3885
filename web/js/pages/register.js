import { api } from "../api.js";
import { append, h } from "../dom.js";
import { LOCALES, LOCALE_NAMES, locale, t } from "../i18n.js";
import { navigate } from "../router.js";
import { busy, button, field, messageSlot, showProblem } from "../ui.js";
import { authHeading, passwordHint } from "./auth-common.js";

export const layout = "auth";
export const title = "register";

const REGIONS = ["TW", "CN", "HK", "MO", "JP", "SG", "MY", "TH", "VN", "KR", "US", "GB"];
const DEFAULT_REGION = { "zh-TW": "TW", "zh-CN": "CN", ja: "JP", en: "TW" };

export function render(view) {
  const regionNames = new Intl.DisplayNames([locale()], { type: "region" });
  const submit = button(t("action.create_account"), { type: "submit", class: "btn btn-primary btn-block", id: "register-submit" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, "aria-labelledby": "page-title" },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "name", label: t("field.name"), autocomplete: "name" }),
      h(
        "div",
        { class: "field-row" },
        field({
          name: "phone_region",
          label: t("field.phone_region"),
          value: DEFAULT_REGION[locale()],
          required: false,
          options: REGIONS.map((code) => ({ value: code, label: `${regionNames.of(code)} (${code})` })),
        }),
        field({ name: "phone", label: t("field.phone"), type: "tel", autocomplete: "tel", hint: t("field.phone.hint") }),
      ),
      field({ name: "email", label: t("field.email"), type: "email", autocomplete: "email", inputmode: "email" }),
      field({ name: "password", label: t("field.password"), type: "password", autocomplete: "new-password", hint: passwordHint(), minlength: 10, maxlength: 128 }),
      field({ name: "password_confirm", label: t("field.password_confirm"), type: "password", autocomplete: "new-password" }),
      field({
        name: "locale",
        label: t("field.locale"),
        value: locale(),
        hint: t("field.locale.hint"),
        options: LOCALES.map((code) => ({ value: code, label: LOCALE_NAMES[code] })),
      }),
    ),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = {
      name: form.elements.name.value.trim(),
      phone: form.elements.phone.value.trim(),
      phone_region: form.elements.phone_region.value,
      email: form.elements.email.value.trim(),
      password: form.elements.password.value,
      locale: form.elements.locale.value,
    };
    const local = localErrors(values, form.elements.password_confirm.value);
    if (local.length) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: local } });
      return;
    }
    await busy(submit, async () => {
      try {
        await api("/identity/auth/register", { method: "POST", body: values, auth: false });
        navigate(`/register/sent?email=${encodeURIComponent(values.email)}`);
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  append(view, 
    authHeading(t("register"), t("register.lead")),
    form,
    h("p", { class: "auth-switch" }, t("register.have_account"), " ", h("a", { href: "/signin" }, t("action.sign_in"))),
  );
}

/** Checks the browser can make before a round trip; the service re-checks everything. */
function localErrors(values, confirmation) {
  const errors = [];
  const required = t("error.required");
  for (const name of ["name", "phone", "email", "password"]) if (!values[name]) errors.push({ field: name, message: required });
  if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) errors.push({ field: "email", message: t("error.email") });
  if (values.password && values.password.length < 10) errors.push({ field: "password", message: t("error.password_short") });
  if (values.password && confirmation !== values.password) errors.push({ field: "password_confirm", message: t("error.password_mismatch") });
  return errors;
}
