import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatBytes, formatDate, formatDateTime, t } from "../i18n.js";
import { icons } from "../icons.js";
import { navigate, query } from "../router.js";
import { busy, emptyState, loading, notice, pageHeader } from "../ui.js";

export const layout = "app";
export const title = () => (location.pathname.endsWith("/updates") ? t("menu.download.updates") : t("menu.download.products"));

export async function render(view, { path }) {
  const wanted = query("release"); // a release mail's link: open the page and tab that show it
  if (wanted && (await redirectedToRelease(wanted, path))) return;
  const updates = path.endsWith("/updates");
  const heading = updates ? t("menu.download.updates") : t("menu.download.products");
  append(view, pageHeader(heading, { lead: t(updates ? "downloads.updates.lead" : "downloads.products.lead") }));
  if (updates) {
    const tabs = tabbed([
      { id: "updates", label: t("downloads.tab.updates"), kind: "update" },
      { id: "documents", label: t("downloads.tab.documents"), kind: "document" },
    ], query("tab") === "documents" ? 1 : 0, wanted);
    append(view, tabs);
  } else {
    const slot = h("div", { class: "list-slot", "aria-live": "polite" });
    append(view, slot);
    await fill(slot, "product", wanted);
  }
}

/** Send a release link to the page of the release's kind (older mails linked /downloads). */
async function redirectedToRelease(releaseId, path) {
  let release;
  try {
    release = await api(`/downloads/releases/${encodeURIComponent(releaseId)}`);
  } catch {
    return false; // not found or not the reader's product: the page shows what they hold
  }
  const page = release.kind === "product" ? "/downloads/products" : "/downloads/updates";
  const documents = release.kind === "document";
  if (path === page && (query("tab") === "documents") === documents) return false;
  navigate(`${page}?release=${encodeURIComponent(releaseId)}${documents ? "&tab=documents" : ""}`, { replace: true });
  return true;
}

/** Accessible tabs (arrow keys move between them); each panel loads its kind on first show. */
function tabbed(specs, selected = 0, wanted = null) {
  const list = h("div", { class: "tabs", role: "tablist", "aria-label": t("downloads.tabs") });
  const panels = [];
  const tabs = specs.map((spec, index) => {
    const tab = h("button", { type: "button", role: "tab", id: `tab-${spec.id}`, "aria-controls": `panel-${spec.id}`, "aria-selected": String(index === selected), tabindex: index === selected ? "0" : "-1", class: "tab" }, spec.label);
    const panel = h("div", { role: "tabpanel", id: `panel-${spec.id}`, "aria-labelledby": `tab-${spec.id}`, hidden: index !== selected, class: "list-slot" });
    panels.push(panel);
    let loaded = false;
    const show = () => {
      tabs.forEach((other, i) => {
        other.setAttribute("aria-selected", String(other === tab));
        other.tabIndex = other === tab ? 0 : -1;
        panels[i].hidden = other !== tab;
      });
      if (!loaded) {
        loaded = true;
        fill(panel, spec.kind, wanted);
      }
    };
    tab.addEventListener("click", show);
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(index + step + tabs.length) % tabs.length];
      next.focus();
      next.click();
    });
    if (index === selected) queueMicrotask(show);
    return tab;
  });
  list.append(...tabs);
  return h("div", {}, list, ...panels);
}

async function fill(slot, kind, wanted = null) {
  slot.replaceChildren(loading());
  let releases;
  try {
    releases = await api(`/downloads/releases?kind=${kind}`);
  } catch (error) {
    slot.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  if (!releases.length) {
    slot.replaceChildren(
      emptyState({
        icon: "download",
        title: t(`downloads.empty.${kind}.title`),
        text: t("downloads.empty.text"),
        action: h("a", { class: "btn btn-secondary", href: "/licenses" }, t("menu.profile.licenses")),
      }),
    );
    return;
  }
  slot.replaceChildren(h("div", { class: "release-list" }, releases.map(releaseCard)));
  const target = wanted ? slot.querySelector(`[data-release="${CSS.escape(wanted)}"]`) : null;
  if (target) {
    target.classList.add("is-target");
    target.setAttribute("aria-current", "true");
    target.tabIndex = -1;
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }
}

function releaseCard(release) {
  const id = release.release_id;
  const { artifacts } = release;
  return h(
    "article",
    { class: `card release ${release.entitled ? "" : "is-locked"}`, dataset: { release: id } },
    h(
      "header",
      { class: "release-head" },
      h("span", { class: "preview-icon", html: icons.box }),
      h("div", {}, h("h2", { class: "release-title" }, release.title || `${release.product} ${release.version}`), h("p", { class: "sub" }, [release.product, release.version, formatDate(release.published_on)].filter(Boolean).join(" · "))),
      release.entitled ? h("span", { class: "badge badge-in-warranty" }, t("downloads.entitled")) : h("span", { class: "badge badge-lapsed" }, t("downloads.not_entitled")),
    ),
    release.notes ? h("p", { class: "release-notes" }, release.notes) : null,
    release.entitled
      ? null
      : notice("warning", t("downloads.locked.title"), release.reason || t("downloads.locked.detail"), h("p", {}, h("a", { href: "/contracts" }, t("downloads.renew")))),
    artifacts.length
      ? h("ul", { class: "artifacts" }, artifacts.map((artifact) => artifactRow(id, artifact, release.entitled)))
      : null,
  );
}

function artifactRow(releaseId, artifact, entitled) {
  const result = h("div", { class: "artifact-result", "aria-live": "polite" });
  const btn = h(
    "button",
    { type: "button", class: "btn btn-secondary btn-small", disabled: !entitled, "aria-label": `${t("action.download")} ${artifact.filename}` },
    h("span", { class: "btn-icon", html: icons.download }),
    h("span", { class: "btn-label" }, t("action.download")),
  );
  btn.addEventListener("click", () =>
    busy(btn, async () => {
      try {
        const grant = await api(`/downloads/releases/${encodeURIComponent(releaseId)}/artifacts/${encodeURIComponent(artifact.filename)}`, { headers: { Prefer: "no-redirect" } });
        result.replaceChildren(checksum(grant.sha256, grant.expires_at));
        window.location.assign(grant.url);
      } catch (error) {
        result.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.generic.detail")));
      }
    }),
  );
  return h(
    "li",
    { class: "artifact" },
    h("span", { class: "artifact-icon", html: icons.file }),
    h("div", { class: "artifact-main" }, h("p", { class: "artifact-name" }, artifact.filename), h("p", { class: "sub" }, formatBytes(artifact.size)), artifact.sha256 ? h("p", { class: "sha" }, h("span", {}, "SHA-256 "), h("code", {}, artifact.sha256)) : null, result),
    btn,
  );
}

function checksum(sha256, expiresAt) {
  return notice("success", t("downloads.started"), t("downloads.verify_hint", { expires: formatDateTime(expiresAt) }), sha256 ? h("p", { class: "sha" }, h("span", {}, "SHA-256 "), h("code", {}, sha256)) : null);
}
