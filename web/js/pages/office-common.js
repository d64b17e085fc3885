// Building blocks of the back-office pages: the administrators-only guard, secrets shown once,
// a reason form for corrections, and file uploads with progress.

import { ApiError } from "../api.js";
import { h } from "../dom.js";
import { locale, t } from "../i18n.js";
import { isBackOffice } from "../office-menu.js";
import * as session from "../session.js";
import { notice, pageHeader } from "../ui.js";

/** Render the "administrators only" answer instead of a page a role cannot use. */
export function refuseUnlessBackOffice(view, titleKey) {
  if (isBackOffice()) return false;
  view.append(pageHeader(t(titleKey)), notice("error", t("office.forbidden.title"), t("office.forbidden.detail")));
  return true;
}

/** A registration number (or the file of them) exists only in this answer: say so. */
export function shownOnce(title, pairs) {
  return notice(
    "success",
    title,
    t("office.shown_once"),
    h(
      "dl",
      { class: "facts" },
      pairs.map(([label, value, id]) => h("div", {}, h("dt", {}, label), h("dd", {}, h("code", { id }, value)))),
    ),
  );
}

/** Upload a file with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export async function sendFile(path, file, { contentType = "text/csv", onProgress } = {}) {
  const token = await session.accessToken();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api${path}`);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.setRequestHeader("Accept", "application/json, text/csv, application/problem+json");
    xhr.setRequestHeader("Accept-Language", locale());
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.responseType = "blob";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded / event.total);
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { title: t("error.network.title"), detail: t("error.network.detail") })));
    xhr.addEventListener("load", async () => {
      const text = await xhr.response.text();
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ status: xhr.status, blob: xhr.response, text, count: xhr.getResponseHeader("X-Imported-Count") });
        return;
      }
      let problem = {};
      try {
        problem = JSON.parse(text) ?? {};
      } catch {
        problem = {};
      }
      if (!problem.title) problem.title = xhr.status >= 500 ? t("error.server.title") : t("error.generic.title");
      reject(new ApiError(xhr.status, problem));
    });
    xhr.send(file);
  });
}

/** The state of a license or contract as the back office names it. */
export function stateOf(item) {
  if (item.voided_at) return "void";
  return item.account_id || item.bound_at ? "bound" : "unbound";
}

export function stateBadge(state) {
  return h("span", { class: `badge badge-${state === "bound" ? "active" : state === "void" ? "void" : "not-started"}` }, t(`office.state.${state}`));
}
