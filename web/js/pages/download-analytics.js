// Product team / Downloads: whole files actually served (the object store's own count, not the
// links handed out), per release and day as a chart and a table, a CSV export, and which
// licenses still run an older version. The chart is SVG drawn here: no chart library.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { ANALYTICS_ROLES, mayUse } from "../office-menu.js";
import { busy, button, cell, emptyState, field, loading, notice, pageHeader, scrollRegion } from "../ui.js";

export const layout = "app";
export const title = "menu.download_analytics";

const API = "/downloads/admin/downloads";
const FILTERS = ["product", "since", "until"];
const SVG = "http://www.w3.org/2000/svg";
// Distinguishable series colours (one per release), repeated when there are more releases.
const COLOURS = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];

export async function render(view) {
  if (!mayUse({ roles: ANALYTICS_ROLES })) {
    append(view, pageHeader(t(title)), notice("error", t("releases.forbidden.title"), t("analytics.forbidden.detail")));
    return;
  }
  const params = new URLSearchParams(location.search);
  const daily = h("div", { class: "stack", id: "download-daily", "aria-live": "polite" });
  const versions = h("div", { class: "list-slot", id: "license-versions", "aria-live": "polite" });
  const apply = button(t("analytics.show"), { icon: "search", type: "submit", id: "analytics-apply" });
  const exportCsv = button(t("analytics.export"), { kind: "secondary", icon: "download", id: "analytics-csv" });
  const form = h(
    "form",
    { class: "card stack", role: "search", novalidate: true },
    h(
      "fieldset",
      { class: "field-row" },
      field({ name: "product", label: t("releases.field.product"), required: false, value: params.get("product") ?? "", class: "mono-input" }),
      field({ name: "since", label: t("analytics.since"), type: "date", required: false, value: params.get("since") ?? "" }),
      field({ name: "until", label: t("analytics.until"), type: "date", required: false, value: params.get("until") ?? "" }),
    ),
    h("div", { class: "form-actions" }, apply, exportCsv),
  );
  const query = () => {
    const found = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) found.set(name, value);
    }
    return found;
  };
  const load = async () => {
    const filters = query();
    history.replaceState(null, "", `${location.pathname}${filters.size ? `?${filters}` : ""}`);
    daily.replaceChildren(loading());
    versions.replaceChildren(loading());
    const product = filters.get("product");
    const outdated = new URLSearchParams({ outdated_only: "true", ...(product ? { product } : {}) });
    try {
      showDaily(daily, await api(`${API}/daily?${filters}`));
    } catch (error) {
      daily.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    }
    try {
      showVersions(versions, await api(`${API}/licenses?${outdated}`));
    } catch (error) {
      versions.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(apply, load);
  });
  exportCsv.addEventListener("click", () => busy(exportCsv, () => download(query())));
  append(
    view,
    pageHeader(t(title), { lead: t("analytics.lead") }),
    form,
    h("h2", { class: "section-heading" }, t("analytics.daily")),
    daily,
    h("h2", { class: "section-heading" }, t("analytics.outdated")),
    h("p", { class: "sub" }, t("analytics.outdated.text")),
    versions,
  );
  await load();
}

async function download(filters) {
  const response = await api(`${API}/daily.csv?${filters}`, { raw: true, headers: { Accept: "text/csv" } });
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "downloads.csv";
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(link.href);
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  append(el, children);
  return el;
}

// An SVG square (an inline style would be refused by the portal's Content-Security-Policy).
function swatch(colour) {
  return svg("svg", { width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" }, svg("rect", { width: 12, height: 12, rx: 2, fill: colour }));
}

function releaseName(row) {
  return `${row.product} ${row.version}`;
}

/** Downloads per day, one line per release; the table below carries the same numbers. */
function chart(rows) {
  const days = [...new Set(rows.map((row) => row.day))].sort();
  const releases = [...new Map(rows.map((row) => [row.release_id, releaseName(row)])).entries()];
  const top = Math.max(1, ...rows.map((row) => row.downloads));
  const [width, height, left, bottom, pad] = [640, 240, 40, 28, 12];
  const x = (day) => left + (days.length === 1 ? (width - left - pad) / 2 : (days.indexOf(day) * (width - left - pad)) / (days.length - 1));
  const y = (count) => height - bottom - (count * (height - bottom - pad)) / top;
  const series = releases.map(([id, name], index) => {
    const points = rows.filter((row) => row.release_id === id).map((row) => [x(row.day), y(row.downloads), row]);
    const colour = COLOURS[index % COLOURS.length];
    return svg(
      "g",
      { "data-release": id },
      svg("title", {}, name),
      svg("polyline", { points: points.map(([px, py]) => `${px},${py}`).join(" "), fill: "none", stroke: colour, "stroke-width": 2 }),
      points.map(([px, py, row]) => svg("circle", { cx: px, cy: py, r: 3.5, fill: colour }, svg("title", {}, `${name} · ${formatDate(row.day)}: ${row.downloads}`))),
    );
  });
  const axis = [
    svg("line", { x1: left, y1: height - bottom, x2: width - pad, y2: height - bottom, stroke: "currentColor", "stroke-opacity": 0.4 }),
    svg("text", { x: left - 6, y: y(top) + 4, "text-anchor": "end", "font-size": 11 }, String(top)),
    svg("text", { x: left - 6, y: height - bottom + 4, "text-anchor": "end", "font-size": 11 }, "0"),
    svg("text", { x: x(days[0]), y: height - 8, "text-anchor": "start", "font-size": 11 }, formatDate(days[0])),
    days.length > 1 ? svg("text", { x: x(days.at(-1)), y: height - 8, "text-anchor": "end", "font-size": 11 }, formatDate(days.at(-1))) : null,
  ];
  const legend = h(
    "ul",
    { class: "plain-list chart-legend" },
    releases.map(([, name], index) => h("li", {}, swatch(COLOURS[index % COLOURS.length]), " ", name)),
  );
  const figure = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", width: "100%", id: "download-chart" }, svg("title", {}, t("analytics.chart")), axis, series);
  return h("figure", { class: "card" }, figure, h("figcaption", {}, legend));
}

function showDaily(slot, rows) {
  if (!rows.length) {
    slot.replaceChildren(emptyState({ icon: "inbox", title: t("analytics.none") }));
    return;
  }
  const headings = ["analytics.day", "analytics.release", "analytics.downloads", "analytics.grants", "analytics.unused"];
  slot.replaceChildren(
    chart(rows),
    h(
      "div",
      scrollRegion(t("analytics.daily")),
      h(
        "table",
        { class: "table", id: "download-table" },
        h("caption", { class: "sr-only" }, t("analytics.daily")),
        h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          rows.map((row) =>
            h(
              "tr",
              { dataset: { release: row.release_id, day: row.day } },
              cell(t(headings[0]), h("span", { class: "nowrap" }, formatDate(row.day))),
              cell(t(headings[1]), releaseName(row)),
              cell(t(headings[2]), String(row.downloads)),
              cell(t(headings[3]), String(row.grants)),
              cell(t(headings[4]), String(row.unused_grants)),
            ),
          ),
        ),
      ),
    ),
  );
}

function showVersions(slot, rows) {
  if (!rows.length) {
    slot.replaceChildren(emptyState({ icon: "check", title: t("analytics.outdated.none") }));
    return;
  }
  const headings = ["field.license_serial", "releases.field.product", "analytics.last_version", "analytics.last_download", "analytics.latest_version"];
  slot.replaceChildren(
    h(
      "div",
      scrollRegion(t("analytics.outdated")),
      h(
        "table",
        { class: "table", id: "outdated-table" },
        h("caption", { class: "sr-only" }, t("analytics.outdated")),
        h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          rows.map((row) =>
            h(
              "tr",
              { dataset: { license: row.license_id } },
              cell(t(headings[0]), h("code", {}, row.serial ?? row.license_id)),
              cell(t(headings[1]), row.product),
              cell(t(headings[2]), row.last_version),
              cell(t(headings[3]), h("span", { class: "nowrap" }, formatDateTime(row.last_downloaded_at))),
              cell(t(headings[4]), row.latest_version),
            ),
          ),
        ),
      ),
    ),
  );
}
