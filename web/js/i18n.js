// Catalogs (web/i18n/<locale>.json), the current locale and locale-aware formatting.

export const LOCALES = ["zh-TW", "zh-CN", "en", "ja"];
export const LOCALE_NAMES = { "zh-TW": "繁體中文", "zh-CN": "简体中文", en: "English", ja: "日本語" };
const STORAGE_KEY = "sp.locale";

let current = "en";
let catalog = {};
const catalogs = new Map();
const listeners = new Set();

/** The remembered choice, else the browser's preferred languages, else English. */
export function detectLocale() {
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  if (LOCALES.includes(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const match = matchLocale(tag);
    if (match) return match;
  }
  return "en";
}

export function matchLocale(tag) {
  const lower = String(tag || "").toLowerCase();
  if (/^zh-(tw|hk|mo|hant)/.test(lower)) return "zh-TW";
  if (lower.startsWith("zh")) return "zh-CN";
  if (lower.startsWith("ja")) return "ja";
  if (lower.startsWith("en")) return "en";
  return null;
}

async function loadCatalog(locale) {
  if (!catalogs.has(locale)) {
    const response = await fetch(`/i18n/${locale}.json`, { cache: "no-cache" });
    if (!response.ok) throw new Error(`catalog ${locale}: ${response.status}`);
    catalogs.set(locale, await response.json());
  }
  return catalogs.get(locale);
}

export async function setLocale(locale, { remember = true } = {}) {
  if (!LOCALES.includes(locale)) locale = "en";
  catalog = await loadCatalog(locale);
  current = locale;
  document.documentElement.lang = locale;
  if (remember) safeStorage()?.setItem(STORAGE_KEY, locale);
  for (const listener of listeners) listener(locale);
}

/** Whether the person picked a language in this browser (else the account's language wins). */
export function localeChosen() {
  return LOCALES.includes(safeStorage()?.getItem(STORAGE_KEY));
}

export function locale() {
  return current;
}

export function onLocaleChange(listener) {
  listeners.add(listener);
}

/** Translate `key`, filling `{name}` placeholders from `params`. */
export function t(key, params = {}) {
  const text = catalog[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Dates from the APIs are ISO strings; a bare YYYY-MM-DD is a calendar day, shown as such. */
export function formatDate(value) {
  if (!value) return "—";
  const bareDay = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(bareDay ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeZone: bareDay ? "UTC" : undefined }).format(date);
}

export function formatDateTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatBytes(bytes) {
  if (typeof bytes !== "number") return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the choice lasts for this page only
  }
}
