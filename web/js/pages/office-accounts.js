// Back office / Accounts: find an account by email or name (narrowed by role or state), see its
// state (verified, disabled, locked, roles, last sign-in) and act on it with a reason identity
// audits. Support engineers verify and unlock; only administrators disable, enable and change
// roles. The menu and the buttons only hide what a role cannot do: identity refuses it anyway.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { ACCOUNT_ROLES } from "../office-menu.js";
import { navigate } from "../router.js";
import { roles as heldRoles, userId } from "../session.js";
import { button, cell, emptyState, facts, field, loading, notice, pageHeader, scrollRegion, toast } from "../ui.js";
import { reasonForm } from "./account-forms.js";

export const layout = "app";
export const title = "menu.office.accounts";

const ROLES = ["customer", "support", "security", "admin", "release"];
const STATES = ["unverified", "disabled", "locked"];
const FILTERS = ["q", "role", "state"];

export async function render(view) {
  append(view, pageHeader(t(title), { lead: t("office.accounts.lead") }));
  if (!heldRoles().some((role) => ACCOUNT_ROLES.includes(role))) {
    append(view, notice("error", t("office.forbidden.title"), t("office.accounts.forbidden")));
    return;
  }
  const params = new URLSearchParams(location.search);
  const slot = h("div", { class: "stack", "aria-live": "polite" });
  append(view, searchForm(params), slot);
  if (params.get("user")) return showAccount(slot, params.get("user"));
  if (FILTERS.some((name) => params.get(name))) return showResults(slot, params);
}

function searchForm(params) {
  const any = { value: "", label: t("office.search.any") };
  const form = h(
    "form",
    { class: "card filters", role: "search", id: "account-search", novalidate: true },
    h(
      "fieldset",
      { class: "filter-row" },
      h("legend", { class: "sr-only" }, t("action.search")),
      field({ name: "q", label: t("office.accounts.query"), required: false, value: params.get("q") ?? "", maxlength: 200 }),
      field({ name: "role", label: t("office.accounts.role"), required: false, value: params.get("role") ?? "", options: [any, ...ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))] }),
      field({ name: "state", label: t("office.accounts.state"), required: false, value: params.get("state") ?? "", options: [any, ...STATES.map((s) => ({ value: s, label: t(`office.accounts.state.${s}`) }))] }),
    ),
    h("div", { class: "form-actions" }, button(t("action.search"), { type: "submit", icon: "search", id: "account-search-run" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    if (!query.size) query.set("q", ""); // an empty search lists the newest accounts
    navigate(`/office/accounts?${query}`);
  });
  return form;
}

async function showResults(slot, params) {
  slot.replaceChildren(loading());
  const query = new URLSearchParams({ limit: "50" });
  for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  let found;
  try {
    found = await api(`/identity/admin/users?${query}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!found.items.length) {
    slot.replaceChildren(emptyState({ icon: "inbox", title: t("office.accounts.none") }));
    return;
  }
  const headings = ["office.accounts.account", "office.accounts.roles", "office.accounts.state", "office.accounts.last_sign_in"];
  slot.replaceChildren(
    h("p", { class: "muted", id: "account-count" }, t("office.accounts.count", { shown: found.items.length, total: found.total })),
    h(
      "div",
      scrollRegion(t(title)),
      h(
        "table",
        { class: "table", id: "account-table" },
        h("caption", { class: "sr-only" }, t(title)),
        h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          found.items.map((row) =>
            h(
              "tr",
              { dataset: { user: row.id } },
              cell(t(headings[0]), h("a", { href: `/office/accounts?user=${encodeURIComponent(row.id)}` }, row.name || row.email), h("span", { class: "sub" }, row.email), row.organization_name ? h("span", { class: "sub organization" }, t("office.organization_of", { name: row.organization_name })) : null),
              cell(t(headings[1]), roleNames(row.roles)),
              cell(t(headings[2]), stateBadges(row)),
              cell(t(headings[3]), row.last_sign_in_at ? formatDateTime(row.last_sign_in_at) : t("office.accounts.never")),
            ),
          ),
        ),
      ),
    ),
  );
}

function roleNames(roles) {
  return roles.map((role) => t(`role.${role}`)).join(t("office.accounts.list_separator"));
}

/** Badges for what needs attention; an account with none of them is simply active. */
function stateBadges(account) {
  const badges = [];
  if (!account.email_verified) badges.push(["not-started", "unverified"]);
  if (account.disabled) badges.push(["void", "disabled"]);
  if (account.locked) badges.push(["not-started", "locked"]);
  if (!badges.length) badges.push(["active", "active"]);
  return h(
    "span",
    { class: "badges", dataset: { states: badges.map(([, state]) => state).join(" ") } },
    badges.map(([style, state]) => h("span", { class: `badge badge-${style}` }, t(`office.accounts.state.${state}`))),
  );
}

async function showAccount(slot, id) {
  slot.replaceChildren(loading());
  let account;
  try {
    account = await api(`/identity/admin/users/${encodeURIComponent(id)}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const history = h("section", { class: "card stack", id: "account-audit", "aria-live": "polite" });
  const file = h("div", { class: "stack" });
  const show = (current) => file.replaceChildren(accountFile(current), actions(current, refresh));
  const refresh = async (current, message) => {
    show(current);
    toast(message);
    await showHistory(history, current.id);
  };
  show(account);
  slot.replaceChildren(file, history);
  await showHistory(history, account.id);
}

function accountFile(account) {
  const lock = account.lock;
  return h(
    "section",
    { class: "card stack", id: "account-file", dataset: { user: account.id } },
    h("h2", {}, account.name || account.email),
    h("p", { class: "sub" }, account.email, " ", stateBadges(account)),
    facts([
      [t("office.accounts.verified"), account.email_verified_at ? formatDateTime(account.email_verified_at) : t("office.accounts.state.unverified")],
      [t("office.accounts.disabled"), account.disabled_at ? formatDateTime(account.disabled_at) : t("office.accounts.no")],
      [t("office.accounts.lock"), lock.locked ? t("office.accounts.locked_until", { until: formatDateTime(lock.until) }) : t("office.accounts.not_locked", { failures: lock.recent_failures })],
      [t("office.accounts.organization"), h("span", { id: "account-organization" }, account.organization_name ?? t("desk.customers.no_organization"))],
      [t("office.accounts.roles"), h("span", { id: "account-roles" }, roleNames(account.roles))],
      [t("office.accounts.last_sign_in"), account.last_sign_in_at ? formatDateTime(account.last_sign_in_at) : t("office.accounts.never")],
      [t("office.accounts.sessions"), String(account.active_sessions)],
      [t("office.accounts.created"), formatDateTime(account.created_at)],
    ]),
  );
}

function actions(account, refresh) {
  const admin = heldRoles().includes("admin");
  const self = account.id === userId();
  const forms = [];
  const path = encodeURIComponent(account.id);
  const after = (key) => (current) => refresh(current, t(key, { email: current.email }));
  const boxed = true;
  if (!account.email_verified) {
    forms.push(
      reasonForm({
        action: "verify",
        boxed,
        label: t("desk.customers.verify"),
        icon: "check",
        send: (reason) => api(`/identity/admin/users/${path}/verify`, { method: "POST", body: { reason } }),
        done: after("office.accounts.done.verify"),
      }),
    );
  }
  if (account.lock.locked || account.lock.recent_failures > 0) {
    forms.push(
      reasonForm({
        action: "unlock",
        boxed,
        label: t("office.accounts.unlock"),
        icon: "key",
        send: (reason) => api(`/identity/admin/users/${path}/unlock`, { method: "POST", body: { reason } }),
        done: after("office.accounts.done.unlock"),
      }),
    );
  }
  if (admin && account.disabled) {
    forms.push(
      reasonForm({
        action: "enable",
        boxed,
        label: t("office.accounts.enable"),
        icon: "check",
        send: (reason) => api(`/identity/admin/users/${path}/enable`, { method: "POST", body: { reason } }),
        done: after("office.accounts.done.enable"),
      }),
    );
  } else if (admin && !self) {
    forms.push(
      reasonForm({
        action: "disable",
        boxed,
        label: t("office.accounts.disable"),
        icon: "alert",
        kind: "danger",
        send: (reason) => api(`/identity/admin/users/${path}/disable`, { method: "POST", body: { reason } }),
        done: after("office.accounts.done.disable"),
      }),
    );
  }
  if (admin) {
    forms.push(
      reasonForm({
        action: "roles",
        boxed,
        label: t("office.accounts.save_roles"),
        icon: "user",
        fields: [roleChoices(account.roles)],
        send: (reason, form) => {
          const roles = ROLES.filter((role) => form.elements[`role-${role}`].checked);
          return api(`/identity/admin/users/${path}/roles`, { method: "PUT", body: { roles, reason } });
        },
        done: after("office.accounts.done.roles"),
      }),
    );
  }
  if (!forms.length) return h("p", { class: "muted", id: "account-actions" }, t("office.accounts.nothing_to_do"));
  return h(
    "section",
    { class: "stack", id: "account-actions" },
    h("h2", {}, t("office.accounts.actions")),
    h("p", { class: "muted" }, t("office.accounts.actions_lead")),
    h("div", { class: "grid-2" }, forms),
  );
}

function roleChoices(held) {
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, t("office.accounts.roles")),
    ROLES.map((role) =>
      h("label", { class: "choice" }, h("input", { type: "checkbox", name: `role-${role}`, value: role, checked: held.includes(role) }), h("span", {}, t(`role.${role}`))),
    ),
  );
}

async function showHistory(slot, id) {
  slot.replaceChildren(h("h2", {}, t("office.accounts.history")), loading());
  let entries;
  try {
    entries = await api(`/identity/admin/audit?target=${encodeURIComponent(id)}&limit=20`);
  } catch (error) {
    slot.replaceChildren(h("h2", {}, t("office.accounts.history")), notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  slot.replaceChildren(
    h("h2", {}, t("office.accounts.history")),
    entries.items.length
      ? h(
          "ul",
          { class: "plain-list stack", id: "account-history" },
          entries.items.map((entry) =>
            h(
              "li",
              { dataset: { action: entry.action } },
              h("strong", {}, t(`office.accounts.action.${entry.action}`)),
              ` · ${formatDateTime(entry.at)} · ${entry.actor_email}`,
              h("p", { class: "sub" }, entry.reason || "—"),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("office.accounts.no_history")),
  );
}
