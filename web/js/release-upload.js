// A release file's way into the object store: SHA-256 in the browser (checked by the service
// afterwards), then presigned multipart parts PUT straight to MinIO, a few at a time, with
// progress. An unfinished upload of the same bytes is resumed: only missing parts are sent.

import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";
import { sha256OfFile } from "./sha256.js";

const PARALLEL = 3;
const URLS_PER_CALL = 500;

function putPart(url, blob, onSent) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    let reported = 0;
    xhr.upload.addEventListener("progress", (event) => {
      onSent(event.loaded - reported);
      reported = event.loaded;
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { title: t("error.network.title"), detail: t("releases.upload.retry") })));
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onSent(blob.size - reported);
        resolve();
      } else reject(new ApiError(xhr.status, { title: t("error.generic.title"), detail: t("releases.upload.retry") }));
    });
    xhr.send(blob);
  });
}

/**
 * Upload `file` into the release. `onProgress({ phase, share })` with phase "hashing",
 * "uploading" or "verifying". Resolves with the verified upload; rejects with an ApiError.
 */
export async function uploadReleaseFile(release, file, onProgress) {
  const base = `/downloads/admin/releases/${release.release_id}`;
  const sha256 = await sha256OfFile(file, (share) => onProgress({ phase: "hashing", share }));
  const unfinished = release.uploads.find((u) => u.filename === file.name && u.size === file.size && u.sha256 === sha256);
  const upload = unfinished
    ? await api(`${base}/uploads/${unfinished.upload_id}`)
    : await api(`${base}/uploads`, {
        method: "POST",
        body: { filename: file.name, size: file.size, sha256, content_type: /^[\w.+-]+\/[\w.+-]+$/.test(file.type) ? file.type : "application/octet-stream" },
      });
  const partBlob = (number) => file.slice((number - 1) * upload.part_size, number * upload.part_size);
  const done = new Set(upload.uploaded_parts);
  let sent = [...done].reduce((sum, number) => sum + partBlob(number).size, 0);
  const report = (bytes) => {
    sent += bytes;
    onProgress({ phase: "uploading", share: Math.min(1, sent / file.size) });
  };
  report(0);
  const missing = [];
  for (let number = 1; number <= upload.part_count; number++) if (!done.has(number)) missing.push(number);
  for (let start = 0; start < missing.length; start += URLS_PER_CALL) {
    const signed = await api(`${base}/uploads/${upload.upload_id}/part-urls`, { method: "POST", body: { parts: missing.slice(start, start + URLS_PER_CALL) } });
    const queue = [...signed.parts];
    const worker = async () => {
      for (let part = queue.shift(); part; part = queue.shift()) await putPart(part.url, partBlob(part.number), report);
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }
  onProgress({ phase: "verifying", share: 1 });
  return api(`${base}/uploads/${upload.upload_id}/complete`, { method: "POST" });
}
