// Same-origin calls to /api/<service>/…: Accept-Language (translated problems and texts such as
// release titles), the bearer token, one refresh-and-retry on 401, RFC 9457 problems as ApiError.

import { locale, t } from "./i18n.js";
import * as session from "./session.js";

export class ApiError extends Error {
  constructor(status, problem, headers = new Headers()) {
    super(problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.headers = headers;
  }

  get slug() {
    return String(this.problem.type || "").split("/").pop();
  }

  /** Seconds to wait, from Retry-After (429 answers). */
  get retryAfter() {
    const value = Number(this.headers.get("Retry-After"));
    return Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
  }
}

export async function api(path, { method = "GET", body, auth = true, headers = {}, raw = false } = {}) {
  const send = async () => {
    const request = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json, application/problem+json", "Accept-Language": locale(), ...headers },
    };
    if (body !== undefined) {
      request.headers["Content-Type"] = "application/json";
      request.body = JSON.stringify(body);
    }
    if (auth) {
      const token = await session.accessToken();
      if (token) request.headers.Authorization = `Bearer ${token}`;
    }
    try {
      return await fetch(`/api${path}`, request);
    } catch {
      throw new ApiError(0, { title: t("error.network.title"), detail: t("error.network.detail") });
    }
  };

  let response = await send();
  if (response.status === 401 && auth && session.signedIn()) {
    if (await session.refresh()) response = await send();
  }
  if (!response.ok) throw await toError(response);
  if (raw) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

async function toError(response) {
  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = null;
  }
  if (!problem || typeof problem !== "object") problem = {};
  if (!problem.title) {
    problem.title = response.status >= 500 ? t("error.server.title") : t("error.generic.title");
  }
  if (!problem.detail && response.status >= 500) problem.detail = t("error.server.detail");
  if (response.status === 429 && !problem.detail) problem.detail = t("error.rate.detail");
  return new ApiError(response.status, problem, response.headers);
}
