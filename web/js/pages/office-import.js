// Back office / License import: upload a CSV, a dry run lists every bad row with its line, then
// the all-or-nothing import with its progress. The answer (serials with their registration
// numbers) exists once: it is downloaded once and then dropped from the page.

import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { busy, button, cell, field, messageSlot, notice, pageHeader, scrollRegion, showProblem } from "../ui.js";
import { refuseUnlessBackOffice, sendFile } from "./office-common.js";

export const layout = "app";
export const title = "menu.office.import";

const IMPORT_PATH = "/licensing/admin/licenses/import";

export function render(view) {
  if (refuseUnlessBackOffice(view, title)) return;
  const report = h("div", { id: "import-report", "aria-live": "polite" });
  const progress = h("progress", { id: "import-progress", class: "form-progress", max: 100, value: 0, hidden: true, "aria-label": t("office.import.progress") });
  const progressText = h("p", { class: "sub", id: "import-progress-text", "aria-live": "polite" });
  const check = button(t("office.import.check"), { kind: "secondary", icon: "search", type: "submit", id: "import-check" });
  const run = button(t("office.import.run"), { kind: "primary", icon: "check", id: "import-run", disabled: true });
  const form = h(
    "form",
    { class: "card stack", novalidate: true },
    h("p", { class: "muted" }, t("office.import.format")),
    messageSlot(),
    field({ name: "file", label: t("office.import.file"), type: "file", accept: ".csv,text/csv" }),
    h("div", { class: "form-actions" }, check, run),
    progress,
    progressText,
  );
  let checked = null; // the file whose dry run was clean

  const chosen = () => form.elements.file.files?.[0] ?? null;
  form.elements.file.addEventListener("change", () => {
    checked = null;
    run.disabled = true;
    report.replaceChildren();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = chosen();
    if (!file) {
      showProblem(form, { problem: { title: t("error.fields.title"), detail: t("office.import.choose"), errors: [{ field: "file", message: t("error.required") }] } });
      return;
    }
    await busy(check, async () => {
      try {
        const answer = await sendFile(`${IMPORT_PATH}?dry_run=true`, file);
        const result = JSON.parse(answer.text);
        checked = result.valid ? file : null;
        run.disabled = !result.valid;
        report.replaceChildren(dryRunReport(result));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });

  run.addEventListener("click", async () => {
    const file = chosen();
    if (!file || file !== checked) return;
    progress.hidden = false;
    progress.value = 0;
    await busy(run, async () => {
      try {
        const answer = await sendFile(IMPORT_PATH, file, {
          onProgress: (share) => {
            progress.value = Math.round(share * 90); // the last tenth is the service's transaction
            progressText.textContent = t("office.import.uploading", { percent: progress.value });
          },
        });
        progress.value = 100;
        progressText.textContent = t("office.import.done", { count: answer.count });
        checked = null;
        form.elements.file.value = "";
        report.replaceChildren(exportOnce(answer.blob, Number(answer.count)));
      } catch (error) {
        progress.hidden = true;
        progressText.textContent = "";
        showProblem(form, error);
      }
    });
    run.disabled = true;
  });
  append(view, pageHeader(t(title), { lead: t("office.import.lead") }), h("div", { class: "stack" }, form, report));
}

function dryRunReport(result) {
  if (result.valid) return notice("success", t("office.import.valid", { rows: result.rows }), t("office.import.valid.detail"));
  const heading = ["office.import.col.line", "office.import.col.field", "office.import.col.message"];
  return h(
    "div",
    { class: "stack" },
    notice("error", t("office.import.invalid", { lines: result.bad_lines }), t("office.import.invalid.detail")),
    h(
      "div",
      scrollRegion(t("office.import.invalid", { lines: result.bad_lines })),
      h(
        "table",
        { class: "table", id: "import-errors" },
        h("caption", { class: "sr-only" }, t("office.import.invalid", { lines: result.bad_lines })),
        h("thead", {}, h("tr", {}, heading.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          result.errors.map((error) =>
            h("tr", { dataset: { line: error.line } }, cell(t(heading[0]), String(error.line)), cell(t(heading[1]), h("code", {}, error.field)), cell(t(heading[2]), error.message)),
          ),
        ),
      ),
    ),
  );
}

/** The issued serials with their registration numbers: one download, then the page forgets them. */
function exportOnce(blob, count) {
  let kept = blob;
  const save = button(t("office.import.save"), { kind: "primary", icon: "download", id: "import-save" });
  save.addEventListener("click", () => {
    if (!kept) return;
    const url = URL.createObjectURL(kept);
    const link = h("a", { href: url, download: "issued-licenses.csv", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    kept = null;
    save.disabled = true;
    save.querySelector(".btn-label").textContent = t("office.import.saved");
  });
  return notice("success", t("office.import.done", { count }), t("office.import.save.detail"), h("div", { class: "form-actions" }, save));
}
