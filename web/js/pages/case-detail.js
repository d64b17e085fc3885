import { api } from "../api.js";
import { userId } from "../session.js";
import { append, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { icons } from "../icons.js";
import { attachmentsPanel } from "./attachments.js";
import { busy, button, facts, field, loading, messageSlot, notice, pageHeader, showProblem, statusBadge, toast } from "../ui.js";

export const layout = "app";
export const title = "cases.detail.title";

let licenseLabel = null;

export async function render(view, { params }) {
  licenseLabel = null;
  const slot = h("div", { "aria-live": "polite" }, loading());
  append(view, h("a", { class: "back-link", href: "/cases" }, h("span", { html: icons.arrowLeft }), t("menu.cases.manage")), slot);
  let item;
  try {
    item = await api(`/cases/cases/${encodeURIComponent(params.id)}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.status === 404 ? t("cases.not_found") : error.problem.detail ?? t("error.load.detail")));
    return;
  }
  // The case names its license by id; show the serial the customer knows (best effort).
  try {
    const license = (await api("/licensing/me/licenses")).find((l) => l.id === item.license_id);
    if (license) licenseLabel = `${license.product} ${license.edition} · ${license.serial}`;
  } catch {
    // Without the list the product name still identifies the license.
  }
  draw(slot, item);
}

function reopenButton(slot, item) {
  if (!item.may_reopen) return null;
  const reopen = button(t("cases.reopen"), { kind: "secondary", id: "case-reopen" });
  reopen.addEventListener("click", () =>
    busy(reopen, async () => {
      try {
        await api(`/cases/cases/${encodeURIComponent(item.id)}/status`, { method: "POST", body: { status: "in_progress" } });
        toast(t("cases.reopened"));
        draw(slot, await api(`/cases/cases/${encodeURIComponent(item.id)}`));
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
      }
    }),
  );
  return reopen;
}

function draw(slot, item) {
  const closed = item.status === "closed";
  const closeBtn = closed ? null : button(t("cases.close"), { kind: "secondary", id: "case-close" });
  closeBtn?.addEventListener("click", () => {
    if (!window.confirm(t("cases.close.confirm"))) return;
    busy(closeBtn, async () => {
      try {
        const updated = await api(`/cases/cases/${encodeURIComponent(item.id)}/status`, { method: "POST", body: { status: "closed" } });
        toast(t("cases.closed"));
        draw(slot, { ...item, ...updated });
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
      }
    });
  });
  const messages = item.messages.filter((m) => !m.internal);
  slot.replaceChildren(
    pageHeader(item.subject, { eyebrow: item.number, actions: [reopenButton(slot, item), closeBtn] }),
    h(
      "div",
      { class: "case-layout" },
      h(
        "section",
        { class: "thread", "aria-label": t("cases.thread") },
        h("article", { class: "message message-customer" }, h("header", {}, h("strong", { id: "case-opened-by" }, item.account_id === userId() ? t("cases.you") : t("cases.opened_by", { name: item.customer?.name ?? "" })), h("span", { class: "sub" }, formatDateTime(item.opened_at))), h("p", {}, item.description)),
        messages.map((m) =>
          h(
            "article",
            { class: `message ${m.by_staff ? "message-staff" : "message-customer"}` },
            h("header", {}, h("strong", {}, m.by_staff ? m.author_name ?? t("cases.support_team") : m.author_id === userId() ? t("cases.you") : m.author_name ?? ""), h("span", { class: "sub" }, formatDateTime(m.created_at))),
            h("p", {}, m.body),
          ),
        ),
        item.status === "resolved" ? notice("info", t("case.resolved"), t("cases.resolved.detail")) : null,
        closed ? notice("info", t("cases.closed.title"), t("cases.closed.detail")) : replyForm(slot, item),
      ),
      h(
        "aside",
        { class: "stack case-facts" },
        h(
          "div",
          { class: "card" },
          facts([
            [t("cases.col.status"), statusBadge(item.status, "case")],
            [t("cases.field.category"), t(`category.${item.category}`)],
            [t("cases.field.severity"), t(`severity.${item.severity}`)],
            [t("cases.field.license"), licenseLabel ?? item.product],
            [t("cases.field.version"), item.product_version ?? null],
            [t("cases.environment"), environmentText(item.environment)],
            [t("cases.opened_at"), formatDateTime(item.opened_at)],
            item.first_response_at
              ? [t("cases.first_response_at"), formatDateTime(item.first_response_at)]
              : [t("cases.first_response_due"), item.first_response_due_at ? formatDateTime(item.first_response_due_at) : t("cases.waiting")],
          ]),
        ),
        attachmentsPanel(item.id, { canUpload: !closed }),
      ),
    ),
  );
}

function environmentText(env) {
  const parts = [env.os, env.database, env.app_server, env.notes].filter(Boolean);
  return parts.length ? parts.join(" · ") : null;
}

function replyForm(slot, item) {
  const send = button(t("cases.reply.send"), { type: "submit", id: "case-reply" });
  const form = h("form", { class: "card stack reply", novalidate: true }, messageSlot(), h("fieldset", { class: "stack" }, field({ name: "body", label: t("cases.reply.label"), type: "textarea", rows: 5 })), h("div", { class: "form-actions" }, send));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = form.elements.body.value.trim();
    if (!body) {
      showProblem(form, { problem: { title: t("error.fields.title"), errors: [{ field: "body", message: t("error.required") }] } });
      return;
    }
    await busy(send, async () => {
      try {
        await api(`/cases/cases/${encodeURIComponent(item.id)}/messages`, { method: "POST", body: { body } });
        const fresh = await api(`/cases/cases/${encodeURIComponent(item.id)}`);
        draw(slot, fresh);
        toast(t("cases.reply.sent"));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}
