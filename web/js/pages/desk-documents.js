// "Documentation of this version" in the case workspace: a dispute is judged against the
// documentation released for the version the customer gave. The downloads service owns the
// releases; the page asks it directly (staff may list every product's documents and open them).

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { notice } from "../ui.js";

/** Whether a document released for `docVersion` covers `caseVersion`: the same version, or a
 * line it belongs to (documents of "5.2" cover 5.2.1). */
export function covers(docVersion, caseVersion) {
  if (!docVersion || !caseVersion) return false;
  return docVersion === caseVersion || caseVersion.startsWith(`${docVersion}.`);
}

export function documentsPanel(item) {
  const body = h("div", { class: "stack", "aria-live": "polite" }, h("p", { class: "muted" }, t("common.loading")));
  const panel = h(
    "section",
    { class: "card", id: "desk-documents", "aria-labelledby": "desk-documents-title" },
    h("h2", { id: "desk-documents-title", class: "card-title" }, t("desk.docs.title")),
    body,
  );
  fill(body, item);
  return panel;
}

async function fill(body, item) {
  const version = item.product_version && item.product_version !== "other" ? item.product_version : null;
  if (!version) {
    body.replaceChildren(h("p", { class: "muted" }, t("desk.docs.no_version")));
    return;
  }
  let releases;
  try {
    const query = new URLSearchParams({ product: item.product, kind: "document", limit: "200" });
    releases = await api(`/downloads/releases?${query}`);
  } catch (error) {
    body.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  const matching = releases.filter((release) => covers(release.version, version));
  if (!matching.length) {
    body.replaceChildren(h("p", { class: "muted" }, t("desk.docs.none", { product: item.product, version })));
    return;
  }
  body.replaceChildren(
    h("p", { class: "sub" }, t("desk.docs.lead", { product: item.product, version })),
    h("ul", { class: "plain-list desk-docs" }, matching.map(documentRow)),
  );
}

function documentRow(release) {
  const files = release.artifacts ?? [];
  return h(
    "li",
    { dataset: { release: release.release_id } },
    h("strong", {}, release.title || `${release.product} ${release.version}`),
    h("span", { class: "sub" }, ` ${release.version} · ${formatDate(release.published_on)}`),
    files.length ? h("ul", { class: "plain-list" }, files.map((file) => h("li", {}, fileLink(release, file)))) : null,
  );
}

/** The file opens through a short-lived download address the downloads service grants (and audits). */
function fileLink(release, file) {
  const path = `/downloads/releases/${encodeURIComponent(release.release_id)}/artifacts/${encodeURIComponent(file.filename)}`;
  const link = h("a", { href: `/api${path}`, class: "doc-link", rel: "noopener" }, file.filename);
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    try {
      const grant = await api(path, { headers: { Prefer: "no-redirect" } });
      window.location.assign(grant.url); // served as an attachment: the workspace stays open
    } catch (error) {
      link.after(notice("error", error.problem.title, error.problem.detail ?? t("error.generic.detail")));
    } finally {
      link.removeAttribute("aria-busy");
    }
  });
  return link;
}
