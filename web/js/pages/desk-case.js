// The case workspace: the conversation with internal notes marked, and everything an engineer
// changes or needs beside it (assignee, severity, status, license coverage, other cases).

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { icons } from "../icons.js";
import * as session from "../session.js";
import { busy, button, facts, field, loading, messageSlot, notice, pageHeader, showProblem, statusBadge, toast } from "../ui.js";
import { attachmentsPanel } from "./attachments.js";
import { SEVERITIES, STATUSES, caseLink, coverageText, severityBadge, slaBadge, staffOnly } from "./desk-common.js";
import { documentsPanel } from "./desk-documents.js";
import { partnerPicker } from "./desk-partners.js";

export const layout = "app";
export const title = "desk.case.title";

export async function render(view, { params }) {
  append(view, h("a", { class: "back-link", href: "/desk/queue" }, h("span", { html: icons.arrowLeft }), t("desk.case.back")));
  if (staffOnly(view)) return;
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, slot);
  await load(slot, params.id);
}

async function load(slot, id) {
  let item;
  let staff = [];
  try {
    [item, staff] = await Promise.all([api(`/cases/desk/cases/${encodeURIComponent(id)}`), api("/cases/desk/staff").catch(() => [])]);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.status === 404 ? t("cases.not_found") : error.problem.detail ?? t("error.load.detail")));
    return;
  }
  draw(slot, item, staff);
}

function draw(slot, item, staff) {
  const reload = () => load(slot, item.id);
  slot.replaceChildren(
    pageHeader(item.subject, { eyebrow: item.number }),
    h(
      "div",
      { class: "case-layout" },
      h(
        "section",
        { class: "thread", "aria-label": t("cases.thread") },
        message({ by_staff: false, author_name: item.customer.name, created_at: item.opened_at, body: item.description }),
        item.messages.map(message),
        item.status === "closed" ? notice("info", t("cases.closed.title"), null) : composer(item, reload),
      ),
      h("aside", { class: "stack case-facts" }, factsCard(item), documentsPanel(item), attachmentsPanel(item.id, { canUpload: item.status !== "closed" }), controls(item, staff, reload), otherCases(item), history(item, staff)),
    ),
  );
}

function message(m) {
  const kind = m.internal ? "message-note" : m.by_staff ? "message-staff" : "message-customer";
  return h(
    "article",
    { class: `message ${kind}`, dataset: { internal: m.internal ? "true" : "false" } },
    h(
      "header",
      {},
      m.internal ? h("span", { class: "badge badge-note" }, t("desk.case.note")) : null,
      h("strong", {}, m.author_name ?? (m.by_staff ? t("cases.support_team") : t("desk.by_customer"))),
      h("span", { class: "sub" }, formatDateTime(m.created_at)),
    ),
    h("p", {}, m.body),
  );
}

function composer(item, reload) {
  const replyBtn = button(t("desk.case.send_reply"), { type: "submit", id: "desk-reply", value: "reply" });
  const noteBtn = button(t("desk.case.add_note"), { type: "submit", kind: "secondary", id: "desk-note", value: "note" });
  const after = ["waiting_on_customer", "in_progress", "resolved"].map((s) => ({ value: s, label: t(`desk.status.${s}`) }));
  const form = h(
    "form",
    { class: "card stack reply", novalidate: true, id: "desk-composer" },
    messageSlot(),
    h(
      "fieldset",
      { class: "stack" },
      cannedPicker(item),
      partnerPicker(item),
      field({ name: "body", label: t("desk.case.reply"), type: "textarea", rows: 6, hint: t("desk.case.note.hint") }),
      field({ name: "then_status", label: t("desk.case.then_status"), options: after, value: "waiting_on_customer" }),
    ),
    h("div", { class: "form-actions" }, noteBtn, replyBtn),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const internal = event.submitter?.value === "note";
    const body = form.elements.body.value.trim();
    if (!body) {
      showProblem(form, { problem: { title: t("error.fields.title"), errors: [{ field: "body", message: t("error.required") }] } });
      return;
    }
    const payload = internal ? { body, internal: true } : { body, status: form.elements.then_status.value };
    await busy(internal ? noteBtn : replyBtn, async () => {
      try {
        await api(`/cases/cases/${encodeURIComponent(item.id)}/messages`, { method: "POST", body: payload });
        toast(internal ? t("desk.case.note") : t("cases.reply.sent"));
        await reload();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}

const CANNED = ["operating_system", "database", "network", "hardware", "virus", "custom_forms", "installation"];

/** Out-of-scope answers in the customer's language, put into the reply box to edit and send. */
function cannedPicker(item) {
  const options = [{ value: "", label: t("desk.canned.none") }, ...CANNED.map((topic) => ({ value: topic, label: t(`canned.${topic}`) }))];
  const wrapper = field({ name: "canned", label: t("desk.canned.label"), options, required: false, hint: t("desk.canned.hint") });
  const select = wrapper.querySelector("select");
  let answers = null;
  select.addEventListener("change", async () => {
    if (!select.value) return;
    try {
      answers ??= await api(`/cases/desk/canned-answers?locale=${encodeURIComponent(item.customer.locale ?? "en")}`);
    } catch (error) {
      toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
      return;
    }
    const found = answers.find((answer) => answer.topic === select.value);
    const box = select.form.elements.body;
    if (found) box.value = box.value.trim() ? `${box.value.trim()}\n\n${found.body}` : found.body;
    box.focus();
  });
  return wrapper;
}

function factsCard(item) {
  const env = item.environment ?? {};
  const envText = [env.os, env.database, env.app_server, env.notes].filter(Boolean).join(" · ");
  return h(
    "div",
    { class: "card", id: "desk-facts" },
    facts([
      [t("desk.case.status"), statusBadge(item.status, "desk.status")],
      [t("desk.case.severity"), severityBadge(item.severity)],
      [t("desk.case.assignee"), item.assignee?.name ?? item.assignee?.email ?? t("desk.case.unassigned")],
      [t("desk.case.customer"), [item.customer.name ?? "—", item.customer.email ? h("span", { class: "sub" }, ` ${item.customer.email}`) : null]],
      [t("cases.field.category"), t(`category.${item.category}`)],
      [t("desk.case.license"), coverageText(item.license) ?? item.product],
      [t("desk.case.version"), item.product_version ?? "—"],
      [t("desk.case.environment"), envText || "—"],
      [t("desk.col.sla"), slaBadge(item.sla_state)],
      [t("desk.case.first_due"), item.first_response_at ? `${t("sla.met")} (${formatDateTime(item.first_response_at)})` : formatDateTime(item.first_response_due_at)],
      [t("desk.case.resolution_due"), item.resolution_due_at ? formatDateTime(item.resolution_due_at) : "—"],
    ]),
  );
}

function controls(item, staff, reload) {
  const me = session.userId();
  const post = (btn, path, body) =>
    busy(btn, async () => {
      try {
        await api(`/cases/cases/${encodeURIComponent(item.id)}/${path}`, { method: "POST", body });
        toast(t("desk.case.updated"));
        await reload();
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
      }
    });
  const people = [{ value: "", label: t("desk.case.unassigned") }, ...staff.map((s) => ({ value: s.user_id, label: s.name ?? s.email ?? s.user_id }))];
  const assignField = field({ name: "assignee", label: t("desk.case.assignee"), options: people, value: item.assignee_id ?? "", required: false });
  const assignBtn = button(t("desk.case.assign"), { kind: "secondary", id: "desk-assign" });
  assignBtn.addEventListener("click", () => post(assignBtn, "assignee", { assignee_id: assignField.querySelector("select").value || null }));
  const meBtn = button(t("desk.case.assign_me"), { kind: "secondary", id: "desk-assign-me", disabled: item.assignee_id === me });
  meBtn.addEventListener("click", () => post(meBtn, "assignee", { assignee_id: me }));
  const severityField = field({ name: "severity", label: t("desk.case.severity"), options: SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) })), value: item.severity });
  const severityBtn = button(t("desk.case.save"), { kind: "secondary", id: "desk-severity" });
  severityBtn.addEventListener("click", () => post(severityBtn, "severity", { severity: severityField.querySelector("select").value }));
  const statusField = field({ name: "status", label: t("desk.case.status"), options: STATUSES.map((s) => ({ value: s, label: t(`desk.status.${s}`) })), value: item.status });
  const statusBtn = button(t("desk.case.save"), { kind: "secondary", id: "desk-status" });
  statusBtn.addEventListener("click", () => post(statusBtn, "status", { status: statusField.querySelector("select").value }));
  return h(
    "div",
    { class: "card stack desk-controls" },
    h("div", { class: "form-actions" }, meBtn),
    assignField,
    h("div", { class: "form-actions" }, assignBtn),
    severityField,
    h("div", { class: "form-actions" }, severityBtn),
    statusField,
    h("div", { class: "form-actions" }, statusBtn),
  );
}

function otherCases(item) {
  return h(
    "section",
    { class: "card", "aria-labelledby": "other-cases" },
    h("h2", { id: "other-cases", class: "card-title" }, t("desk.case.other_cases")),
    item.other_cases.length
      ? h("ul", { class: "plain-list" }, item.other_cases.map((c) => h("li", {}, caseLink(c), " ", c.subject, " ", statusBadge(c.status, "desk.status"))))
      : h("p", { class: "muted" }, t("desk.case.none")),
  );
}

function history(item, staff) {
  const names = new Map(staff.map((s) => [s.user_id, s.name ?? s.email]));
  const label = (change) => {
    if (change.kind === "status") return t(`desk.status.${change.new_value}`);
    if (change.kind === "severity") return t(`severity.${change.new_value}`);
    // Someone who has since left the staff list is still shown as assigned, without a name.
    const assignee = change.new_value ? (names.get(change.new_value) ?? "✓") : t("desk.case.unassigned");
    return `${t("desk.case.assignee")}: ${assignee}`;
  };
  return h(
    "section",
    { class: "card", "aria-labelledby": "case-history" },
    h("h2", { id: "case-history", class: "card-title" }, t("desk.case.history")),
    h("ol", { class: "plain-list history" }, item.history.map((c) => h("li", {}, formatDateTime(c.at), " — ", label(c), " · ", c.actor_name ?? (c.actor_id ? "—" : t("desk.by_system"))))),
  );
}
