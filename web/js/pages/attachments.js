// Files on a case: listed with short-lived download links; uploaded by the browser straight to
// object storage with the presigned form the cases service hands out, then confirmed (the
// service checks the size and records the SHA-256). Used by the customer's and the staff page.

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatBytes, formatDateTime, t } from "../i18n.js";
import { busy, button, field, messageSlot, showProblem, toast } from "../ui.js";

export function attachmentsPanel(caseId, { canUpload = true } = {}) {
  const list = h("ul", { class: "plain-list attachment-list", id: "attachment-list" });
  const section = h(
    "section",
    { class: "card stack", "aria-labelledby": "attachments-title", id: "attachments" },
    h("h2", { id: "attachments-title", class: "card-title" }, t("attachments.title")),
    list,
    canUpload ? uploadForm(caseId, () => refresh(caseId, list)) : null,
  );
  refresh(caseId, list);
  return section;
}

async function refresh(caseId, list) {
  let items = [];
  try {
    items = await api(`/cases/cases/${encodeURIComponent(caseId)}/attachments`);
  } catch {
    // The case itself is shown; a failed list only leaves this panel empty.
  }
  list.replaceChildren(
    ...(items.length
      ? items.map((a) =>
          h(
            "li",
            {},
            h("a", { href: a.download_url, download: a.filename, class: "attachment-link" }, a.filename),
            h("span", { class: "sub" }, `${formatBytes(a.size)} · ${formatDateTime(a.created_at)} · SHA-256 ${a.sha256.slice(0, 12)}…`),
          ),
        )
      : [h("li", { class: "muted" }, t("attachments.none"))]),
  );
}

function uploadForm(caseId, done) {
  const submit = button(t("attachments.upload"), { type: "submit", kind: "secondary", id: "attachment-upload" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    messageSlot(),
    h("fieldset", { class: "stack" }, h("legend", { class: "sr-only" }, t("attachments.upload")), field({ name: "file", label: t("attachments.file"), type: "file", hint: t("attachments.hint") })),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) {
      showProblem(form, { problem: { title: t("error.fields.title"), errors: [{ field: "file", message: t("error.required") }] } });
      return;
    }
    await busy(submit, async () => {
      try {
        const base = `/cases/cases/${encodeURIComponent(caseId)}/attachments`;
        const contentType = file.type || "application/octet-stream";
        const started = await api(base, { method: "POST", body: { filename: file.name, size: file.size, content_type: contentType } });
        const upload = new FormData();
        for (const [name, value] of Object.entries(started.upload.fields)) upload.append(name, value);
        upload.append("file", file);
        const stored = await fetch(started.upload.url, { method: "POST", body: upload });
        if (!stored.ok) throw { problem: { title: t("attachments.failed"), detail: `${stored.status}` } };
        await api(`${base}/${encodeURIComponent(started.attachment.id)}/complete`, { method: "POST", body: {} });
        form.reset();
        toast(t("attachments.done"));
        await done();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}
