// Personal File / Organization: the company the account belongs to. Members share its licenses,
// contracts, downloads and cases; administrators invite colleagues by email, change roles and
// remove members. Without an organization, the page offers to create one (and asks whether the
// account's own licenses go along: never silently).

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { LOCALES, LOCALE_NAMES, formatDate, formatDateTime, locale, t } from "../i18n.js";
import { navigate } from "../router.js";
import { userId } from "../session.js";
import { busy, button, cell, facts, field, loading, messageSlot, notice, pageHeader, scrollRegion, showProblem, statusBadge, toast } from "../ui.js";

export const layout = "app";
export const title = "menu.profile.organization";

const ORGS = "/identity/organizations";

export async function render(view) {
  append(view, pageHeader(t("menu.profile.organization").split(" / ").pop(), { lead: t("org.lead") }));
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  await show(slot);
}

async function show(slot) {
  let mine;
  try {
    mine = await api(`${ORGS}/mine`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const reload = () => show(slot);
  const company = mine.organization;
  if (!company) {
    slot.replaceChildren(createCard(reload));
    return;
  }
  const admin = company.my_role === "admin";
  slot.replaceChildren(
    h(
      "div",
      { class: "stack", id: "organization" },
      card(t("org.about"), facts([[t("org.field.name"), company.name], [t("org.field.country"), company.country], [t("org.your_role"), t(`org.role.${company.my_role}`)]])),
      membersCard(company, admin, reload),
      admin ? inviteCard(company, reload) : null,
      admin ? invitationsCard(company, reload) : null,
      // The last member (necessarily an administrator) cannot leave, but may dissolve it.
      admin && company.members.length === 1 ? dissolveCard(company) : leaveCard(company),
    ),
  );
}

function card(title, body, id) {
  return h("section", { class: "card", id }, h("h2", { class: "card-title" }, title), body);
}

function bringLicenses() {
  return h("label", { class: "choice" }, h("input", { type: "checkbox", name: "bring_licenses", id: "bring-licenses" }), h("span", {}, t("org.bring_licenses")));
}

function createCard(reload) {
  const save = button(t("org.create"), { type: "submit", id: "create-organization" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "name", label: t("org.field.name"), autocomplete: "organization", maxlength: 200 }),
      field({ name: "country", label: t("org.field.country"), hint: t("org.field.country.hint"), maxlength: 2, autocomplete: "country" }),
      h("div", { class: "choices" }, bringLicenses()),
    ),
    h("div", { class: "form-actions" }, save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: form.elements.name.value.trim(), country: form.elements.country.value.trim(), bring_licenses: form.elements.bring_licenses.checked };
    await busy(save, async () => {
      try {
        await api(ORGS, { method: "POST", body });
        toast(t("org.created"));
        await reload();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return card(t("org.none.title"), h("div", { class: "stack" }, h("p", { class: "muted" }, t("org.none.text")), form), "create-organization-card");
}

function membersCard(company, admin, reload) {
  const cols = ["org.col.name", "org.col.email", "org.col.role", "org.col.joined"];
  if (admin) cols.push("org.col.actions");
  const status = messageSlot();
  const rows = company.members.map((member) => {
    const actions = [];
    if (admin && member.user_id !== userId()) {
      const role = member.role === "admin" ? "member" : "admin";
      const change = button(t(role === "admin" ? "org.make_admin" : "org.make_member"), { kind: "secondary", class: "btn btn-secondary btn-small" });
      change.addEventListener("click", () =>
        busy(change, () => act(status, () => api(`${ORGS}/${company.id}/members/${member.user_id}/role`, { method: "PUT", body: { role } }), reload)),
      );
      const remove = button(t("org.remove"), { kind: "danger", class: "btn btn-danger btn-small" });
      remove.addEventListener("click", () => {
        if (!confirm(t("org.remove.confirm", { name: member.name }))) return;
        busy(remove, () => act(status, () => api(`${ORGS}/${company.id}/members/${member.user_id}`, { method: "DELETE" }), reload));
      });
      actions.push(change, " ", remove);
    }
    return h(
      "tr",
      { dataset: { member: member.email } },
      cell(t(cols[0]), member.name),
      cell(t(cols[1]), member.email),
      cell(t(cols[2]), t(`org.role.${member.role}`)),
      cell(t(cols[3]), formatDate(member.joined_at)),
      admin ? cell(t("org.col.actions"), ...actions) : null,
    );
  });
  return card(
    t("org.members"),
    h(
      "div",
      { class: "stack" },
      status,
      h(
        "div",
        scrollRegion(t("org.members")),
        h("table", { class: "table", id: "members" }, h("caption", { class: "sr-only" }, t("org.members")), h("thead", {}, h("tr", {}, cols.map((key) => h("th", { scope: "col" }, t(key))))), h("tbody", {}, rows)),
      ),
    ),
  );
}

async function act(status, call, reload) {
  try {
    await call();
    await reload();
  } catch (error) {
    status.replaceChildren(notice("error", error.problem?.title ?? t("error.generic.title"), error.problem?.detail ?? ""));
  }
}

function inviteCard(company, reload) {
  const send = button(t("org.invite"), { type: "submit", id: "send-invitation" });
  const form = h(
    "form",
    { class: "stack", id: "invite-form", novalidate: true },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      field({ name: "email", label: t("field.email"), type: "email", autocomplete: "off" }),
      field({ name: "role", label: t("org.col.role"), options: ["member", "admin"].map((value) => ({ value, label: t(`org.role.${value}`) })), value: "member" }),
      field({ name: "locale", label: t("org.invite.locale"), hint: t("org.invite.locale.hint"), value: locale(), options: LOCALES.map((code) => ({ value: code, label: LOCALE_NAMES[code] })) }),
    ),
    h("div", { class: "form-actions" }, send),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { email: form.elements.email.value.trim(), role: form.elements.role.value, locale: form.elements.locale.value };
    await busy(send, async () => {
      try {
        await api(`${ORGS}/${company.id}/invitations`, { method: "POST", body });
        toast(t("org.invited", { email: body.email }));
        await reload();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return card(t("org.invite.title"), form);
}

function invitationsCard(company, reload) {
  if (!company.invitations.length) return card(t("org.invitations"), h("p", { class: "muted" }, t("org.invitations.none")));
  const cols = ["org.col.email", "org.col.role", "org.col.status", "org.col.expires", "org.col.actions"];
  const status = messageSlot();
  const rows = company.invitations.map((invitation) => {
    let action = null;
    if (invitation.status === "pending") {
      action = button(t("org.revoke"), { kind: "secondary", class: "btn btn-secondary btn-small" });
      action.addEventListener("click", () => busy(action, () => act(status, () => api(`${ORGS}/${company.id}/invitations/${invitation.id}`, { method: "DELETE" }), reload)));
    }
    return h(
      "tr",
      { dataset: { invitation: invitation.email } },
      cell(t(cols[0]), invitation.email),
      cell(t(cols[1]), t(`org.role.${invitation.role}`)),
      cell(t(cols[2]), statusBadge(invitation.status, "org.invitation")),
      cell(t(cols[3]), formatDateTime(invitation.expires_at)),
      cell(t(cols[4]), action),
    );
  });
  return card(
    t("org.invitations"),
    h(
      "div",
      { class: "stack" },
      status,
      h(
        "div",
        scrollRegion(t("org.invitations")),
        h("table", { class: "table", id: "invitations" }, h("caption", { class: "sr-only" }, t("org.invitations")), h("thead", {}, h("tr", {}, cols.map((key) => h("th", { scope: "col" }, t(key))))), h("tbody", {}, rows)),
      ),
    ),
  );
}

function leaveCard(company) {
  const status = messageSlot();
  const leave = button(t("org.leave"), { kind: "danger", id: "leave-organization" });
  leave.addEventListener("click", () => {
    if (!confirm(t("org.leave.confirm", { name: company.name }))) return;
    busy(leave, () => act(status, () => api(`${ORGS}/${company.id}/members/${userId()}`, { method: "DELETE" }), () => navigate("/organization", { replace: true })));
  });
  return card(t("org.leave"), h("div", { class: "stack" }, status, h("p", { class: "muted" }, t("org.leave.text")), h("div", {}, leave)));
}

function dissolveCard(company) {
  const status = messageSlot();
  const dissolve = button(t("org.dissolve"), { kind: "danger", id: "dissolve-organization" });
  dissolve.addEventListener("click", () => {
    if (!confirm(t("org.dissolve.confirm", { name: company.name }))) return;
    busy(dissolve, () => act(status, () => api(`${ORGS}/${company.id}`, { method: "DELETE" }), () => navigate("/organization", { replace: true })));
  });
  return card(t("org.dissolve"), h("div", { class: "stack" }, status, h("p", { class: "muted" }, t("org.dissolve.text")), h("div", {}, dissolve)));
}
