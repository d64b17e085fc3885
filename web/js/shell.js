// The two page frames: the sign-in frame (brand panel + card) and the portal frame (top bar,
// menus exactly as in the support-site manual, content).

import { OFFICE_MENU, mayUse } from "./office-menu.js";
import { h } from "./dom.js";
import { LOCALES, LOCALE_NAMES, locale, t } from "./i18n.js";
import { icons } from "./icons.js";
import { isStaff } from "./session.js";

export const MENU = [
  { key: "menu.profile.licenses", path: "/licenses" },
  { key: "menu.profile.contracts", path: "/contracts" },
  { key: "menu.profile.organization", path: "/organization" },
  { key: "menu.download.products", path: "/downloads/products" },
  { key: "menu.download.updates", path: "/downloads/updates" },
  { key: "menu.cases.open", path: "/cases/new" },
  { key: "menu.cases.manage", path: "/cases" },
  // The support desk: shown to staff roles only (the services refuse everyone else anyway).
  { key: "menu.desk.home", path: "/desk", staff: true },
  { key: "menu.desk.queue", path: "/desk/queue", staff: true },
  { key: "menu.desk.customers", path: "/desk/customers", staff: true },
  { key: "menu.desk.partners", path: "/desk/partners", staff: true, roles: ["admin"] },
];
MENU.push(...OFFICE_MENU); // the back office: entries carry the roles that see them

export function languageSelect(onChange) {
  const select = h(
    "select",
    { id: "language", class: "lang-select", "aria-label": t("common.language") },
    LOCALES.map((code) => h("option", { value: code, lang: code, selected: code === locale() }, LOCALE_NAMES[code])),
  );
  select.addEventListener("change", () => onChange(select.value));
  return h("div", { class: "lang" }, h("span", { class: "lang-icon", html: icons.globe }), select);
}

function brand() {
  return h(
    "a",
    { class: "brand", href: "/" },
    h("img", { src: "/img/logo.svg", alt: "", width: 32, height: 32 }),
    h("span", { class: "brand-text" }, h("strong", {}, t("app.name")), h("small", {}, t("app.vendor"))),
  );
}

export function authFrame({ onLocale }) {
  const main = h("main", { id: "main", class: "auth-main", tabindex: "-1" });
  const frame = h(
    "div",
    { class: "auth" },
    h(
      "aside",
      { class: "auth-brand" },
      brand(),
      h(
        "div",
        { class: "auth-pitch" },
        h("h2", {}, t("auth.pitch.title")),
        h("p", {}, t("auth.pitch.text")),
        h(
          "ul",
          { class: "pitch-list" },
          [
            ["key", "auth.pitch.licenses"],
            ["download", "auth.pitch.downloads"],
            ["chat", "auth.pitch.cases"],
          ].map(([icon, key]) => h("li", {}, h("span", { class: "pitch-icon", html: icons[icon] }), t(key))),
        ),
      ),
      h("p", { class: "auth-foot" }, t("auth.pitch.scope")),
    ),
    h(
      "div",
      { class: "auth-side" },
      // A banner landmark: the language switch is page chrome, not content outside every landmark.
      h("header", { class: "auth-top" }, h("div", { class: "auth-top-brand" }, brand()), languageSelect(onLocale)),
      main,
      h("footer", { class: "auth-footer" }, `© ${new Date().getFullYear()} ${t("app.vendor")}`),
    ),
  );
  return { frame, main };
}

export function appFrame({ onLocale, onSignOut, user, currentPath }) {
  const main = h("main", { id: "main", class: "content", tabindex: "-1" });
  const nav = h(
    "nav",
    { class: "sidebar", id: "sidebar", "aria-label": t("nav.label") },
    menuGroups().map(({ group, items }) =>
      h(
        "div",
        { class: "nav-group" },
        h("p", { class: "nav-heading", "aria-hidden": "true" }, group),
        h(
          "ul",
          {},
          items.map(({ key, path, item }) =>
            h(
              "li",
              {},
              // The link's text is the full manual label ("Personal File / Product Licenses"):
              // the group part is visually shown as the heading above, and kept for screen readers.
              h(
                "a",
                { href: path, class: "nav-link", dataset: { menu: key }, "aria-current": isCurrent(path, currentPath) ? "page" : null },
                h("span", { class: "sr-only" }, `${group} / `),
                item,
              ),
            ),
          ),
        ),
      ),
    ),
  );
  const toggle = h(
    "button",
    { class: "icon-btn nav-toggle", type: "button", "aria-controls": "sidebar", "aria-expanded": "false", "aria-label": t("nav.toggle") },
    h("span", { html: icons.menu }),
  );
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });
  nav.addEventListener("click", (event) => {
    if (event.target.closest("a")) {
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("is-open");
    }
  });
  const signOut = h(
    "button",
    { class: "btn btn-ghost btn-small", type: "button", id: "sign-out" },
    h("span", { class: "btn-icon", html: icons.logout }),
    h("span", { class: "btn-label" }, t("action.sign_out")),
  );
  signOut.addEventListener("click", () => onSignOut(signOut));
  const frame = h(
    "div",
    { class: "app" },
    h(
      "header",
      { class: "topbar" },
      toggle,
      brand(),
      h("div", { class: "topbar-spacer" }),
      languageSelect(onLocale),
      h(
        "a",
        { class: "account-link", href: "/account", "aria-current": currentPath === "/account" ? "page" : null },
        h("span", { class: "avatar", html: icons.user }),
        h("span", { class: "account-name" }, user?.name || t("menu.account")),
      ),
      signOut,
    ),
    h("div", { class: "app-body" }, nav, main),
  );
  return { frame, main, nav };
}

export function menuGroups() {
  const groups = [];
  const staff = isStaff();
  for (const entry of MENU) {
    if (entry.staff && !staff) continue;
    const [group, item] = splitLabel(t(entry.key));
    if (!mayUse(entry)) continue;
    let bucket = groups.find((g) => g.group === group);
    if (!bucket) groups.push((bucket = { group, items: [] }));
    bucket.items.push({ ...entry, item });
  }
  return groups;
}

function splitLabel(label) {
  const at = label.indexOf(" / ");
  return at < 0 ? ["", label] : [label.slice(0, at), label.slice(at + 3)];
}

function isCurrent(path, currentPath) {
  if (path === "/desk/queue") return currentPath === path || currentPath.startsWith("/desk/cases/");
  if (path === "/cases") return currentPath === "/cases" || (/^\/cases\/[^/]+$/.test(currentPath) && currentPath !== "/cases/new");
  return currentPath === path;
}

export function markCurrent(nav, currentPath) {
  nav.querySelectorAll("a.nav-link").forEach((link) => {
    const current = isCurrent(link.getAttribute("href"), currentPath);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
}
