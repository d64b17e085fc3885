// Releases (the product team): drafts, files uploaded straight to the object store with
// progress, publish, withdraw. The page uses the release API exactly as `support-release` does.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatBytes, formatDate, t } from "../i18n.js";
import { RELEASE_ROLES, mayUse } from "../office-menu.js";
import { uploadReleaseFile } from "../release-upload.js";
import { busy, button, clearProblem, emptyState, field, loading, messageSlot, notice, pageHeader, showProblem, toast } from "../ui.js";

export const layout = "app";
export const title = "menu.releases";

const API = "/downloads/admin/releases";
const OTHER_LANGUAGES = ["zh-TW", "zh-CN", "ja"];

export async function render(view) {
  if (!mayUse({ roles: RELEASE_ROLES })) {
    append(view, pageHeader(t(title)), notice("error", t("releases.forbidden.title"), t("releases.forbidden.detail")));
    return;
  }
  const list = h("div", { id: "release-list", class: "stack", "aria-live": "polite" });
  let form = null;
  const refresh = async () => {
    try {
      const releases = await api(`${API}?limit=100`);
      offerCorrections(form, releases);
      list.replaceChildren(...(releases.length ? releases.map((release) => releaseCard(release, refresh)) : [emptyState({ icon: "inbox", title: t("releases.empty"), text: t("releases.empty.text") })]));
    } catch (error) {
      list.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    }
  };
  list.append(loading());
  form = draftForm(refresh);
  append(view, pageHeader(t(title), { lead: t("releases.lead") }), form, h("h2", { class: "section-heading" }, t("releases.list")), list);
  await refresh();
}

function translations(values) {
  const found = {};
  for (const code of OTHER_LANGUAGES) {
    const title = values[`title-${code}`]?.trim();
    if (title) found[code] = { title, notes: values[`notes-${code}`]?.trim() ?? "" };
  }
  return found;
}

function draftForm(refresh) {
  const create = button(t("releases.create"), { type: "submit", icon: "check", id: "create-release" });
  const option = (prefix) => (value) => ({ value, label: t(`${prefix}.${value}`) });
  const form = h(
    "form",
    { class: "card stack", id: "release-draft", novalidate: true },
    h("h2", {}, t("releases.new")),
    messageSlot(),
    h(
      "fieldset",
      { class: "field-row" },
      field({ name: "product", label: t("releases.field.product"), value: "OMFLOW", class: "mono-input" }),
      field({ name: "version", label: t("releases.field.version"), hint: t("releases.field.version.hint"), class: "mono-input" }),
      field({ name: "kind", label: t("releases.field.kind"), value: "update", options: ["product", "update", "document"].map(option("releases.kind")) }),
      field({ name: "channel", label: t("releases.field.channel"), value: "stable", options: ["stable", "preview"].map(option("releases.channel")) }),
    ),
    field({ name: "corrects", label: t("releases.field.corrects"), hint: t("releases.field.corrects.hint"), required: false, options: [{ value: "", label: t("releases.corrects.none") }] }),
    field({ name: "title", label: t("releases.field.title"), hint: t("releases.field.title.hint") }),
    field({ name: "notes", label: t("releases.field.notes"), type: "textarea", rows: 4, required: false }),
    h(
      "details",
      {},
      h("summary", {}, t("releases.translations")),
      ...OTHER_LANGUAGES.map((code) =>
        h("fieldset", { class: "stack", lang: code }, h("legend", {}, code), field({ name: `title-${code}`, label: t("releases.field.title"), required: false }), field({ name: `notes-${code}`, label: t("releases.field.notes"), type: "textarea", rows: 3, required: false })),
      ),
    ),
    h("div", { class: "form-actions" }, create),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(form);
    const values = Object.fromEntries(new FormData(form).entries());
    const body = {
      product: values.product.trim(),
      version: values.version.trim(),
      kind: values.kind,
      channel: values.channel,
      title: values.title.trim(),
      notes: values.notes.trim(),
      translations: translations(values),
      corrects: values.corrects || null,
    };
    await busy(create, async () => {
      try {
        const release = await api(API, { method: "POST", body });
        toast(t("releases.created", { version: `${release.product} ${release.version}` }));
        form.reset();
        await refresh();
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
  return form;
}

/** A corrected version replaces a published release of the same product and kind. */
function offerCorrections(form, releases) {
  const select = form?.elements.corrects;
  if (!select) return;
  const chosen = select.value;
  const none = h("option", { value: "" }, t("releases.corrects.none"));
  const published = releases.filter((release) => release.state === "published");
  select.replaceChildren(none, ...published.map((r) => h("option", { value: r.release_id, selected: r.release_id === chosen }, `${r.product} ${r.version} (${t(`releases.kind.${r.kind}`)})`)));
}

function badge(kind, label) {
  return h("span", { class: `badge badge-${kind}` }, label);
}

const STATE_BADGE = { draft: "not-started", published: "active", withdrawn: "void" };

function releaseCard(release, refresh) {
  const name = `${release.product} ${release.version}`;
  const slot = messageSlot();
  const card = h(
    "article",
    { class: "card stack release-card", dataset: { releaseId: release.release_id, product: release.product, version: release.version, state: release.state } },
    h(
      "header",
      { class: "release-head" },
      h("h3", {}, name, " — ", release.title),
      h("p", {}, badge(STATE_BADGE[release.state], t(`releases.state.${release.state}`)), " ", badge("kind", t(`releases.kind.${release.kind}`)), " ", badge(release.channel === "preview" ? "not-started" : "kind", t(`releases.channel.${release.channel}`)), release.published_on ? ` ${t("releases.published_on", { date: formatDate(release.published_on) })}` : ""),
    ),
    slot,
    filesList(release),
  );
  if (release.state === "withdrawn") {
    card.append(h("p", { class: "sub withdrawn-reason" }, t("releases.withdrawn.reason", { reason: release.withdrawn_reason ?? "" })));
    return card;
  }
  card.append(uploader(release, refresh, card), actions(release, refresh, card, name));
  return card;
}

function filesList(release) {
  if (!release.artifacts.length) return h("p", { class: "sub" }, t("releases.no_files"));
  return h(
    "ul",
    { class: "release-files" },
    release.artifacts.map((a) => h("li", {}, h("code", {}, a.filename), ` ${formatBytes(a.size)} · SHA-256 `, h("code", { class: "sha" }, a.sha256.slice(0, 16)), "…")),
  );
}

function uploader(release, refresh, card) {
  const input = h("input", { type: "file", class: "release-file", "aria-label": t("releases.upload.choose") });
  const send = button(t("releases.upload"), { kind: "secondary", icon: "file", class: "btn btn-secondary upload-file" });
  const progress = h("progress", { class: "form-progress upload-progress", max: 100, value: 0, hidden: true, "aria-label": t("releases.upload.progress") });
  const status = h("p", { class: "sub upload-status", "aria-live": "polite" });
  send.addEventListener("click", async () => {
    const file = input.files?.[0];
    if (!file) {
      status.textContent = t("releases.upload.choose");
      return;
    }
    progress.hidden = false;
    await busy(send, async () => {
      try {
        await uploadReleaseFile(release, file, ({ phase, share }) => {
          progress.value = Math.round(share * 100);
          status.textContent = t(`releases.upload.${phase}`, { name: file.name, percent: progress.value });
        });
        toast(t("releases.upload.done", { name: file.name }));
        await refresh();
      } catch (error) {
        showProblem(card, error);
      }
    });
  });
  return h("div", { class: "stack release-upload" }, h("div", { class: "form-actions" }, input, send), progress, status);
}

function actions(release, refresh, card, name) {
  const publish = button(t(release.state === "draft" ? "releases.publish" : "releases.republish"), { icon: "check", class: "btn btn-primary publish-release" });
  publish.addEventListener("click", () =>
    busy(publish, async () => {
      try {
        const outcome = await api(`${API}/${release.release_id}/publish`, { method: "POST", body: {} });
        toast(t(outcome.announced ? "releases.published" : "releases.unchanged", { name }));
        await refresh();
      } catch (error) {
        showProblem(card, error);
      }
    }),
  );
  const row = h("div", { class: "form-actions" }, publish);
  if (release.state === "published") row.append(withdrawForm(release, refresh, card, name));
  return row;
}

function withdrawForm(release, refresh, card, name) {
  const reason = field({ name: "reason", label: t("releases.withdraw.reason"), hint: t("releases.withdraw.hint") });
  const confirm = button(t("releases.withdraw.confirm", { name }), { kind: "danger", type: "submit", class: "btn btn-danger confirm-withdraw" });
  const form = h("form", { class: "stack withdraw-form", novalidate: true, hidden: true }, reason, h("div", { class: "form-actions" }, confirm));
  const open = button(t("releases.withdraw"), { kind: "secondary", class: "btn btn-secondary withdraw-release" });
  open.addEventListener("click", () => {
    form.hidden = false;
    form.querySelector("input").focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = form.elements.reason.value.trim();
    if (!text) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("error.fields.detail"), errors: [{ field: "reason", message: t("error.required") }] } });
      return;
    }
    await busy(confirm, async () => {
      try {
        await api(`${API}/${release.release_id}/withdraw`, { method: "POST", body: { reason: text } });
        toast(t("releases.withdrawn", { name }));
        await refresh();
      } catch (error) {
        showProblem(card, error);
      }
    });
  });
  return h("div", { class: "stack" }, open, form);
}
