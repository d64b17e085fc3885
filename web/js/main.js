// Boot: pick the language, register the pages, render the current path into the right frame.

import { api } from "./api.js";
import { detectLocale, locale, localeChosen, onLocaleChange, setLocale, t } from "./i18n.js";
import { match, navigate, onNavigate, route } from "./router.js";
import * as session from "./session.js";
import { cachedUser, currentUser, forgetUser } from "./me.js";
import { appFrame, authFrame, markCurrent } from "./shell.js";
import { busy, toast } from "./ui.js";

const page = (name) => () => import(`./pages/${name}.js`);

route("/signin", page("signin"));
route("/login", page("signin")); // the address used in account mails
route("/register", page("register"));
route("/register/sent", page("register-sent"));
route("/verify", page("verify"));
route("/unlock", page("unlock")); // the link of the mail sent when wrong passwords pile up
route("/forgot-password", page("forgot"));
route("/reset-password", page("reset"));
route("/licenses", page("licenses"), { signedIn: true });
route("/contracts", page("contracts"), { signedIn: true });
route("/organization", page("organization"), { signedIn: true });
route("/organization/join", page("organization-join"), { signedIn: true }); // the invitation mail's link
route("/downloads/products", page("downloads"), { signedIn: true });
route("/downloads", page("downloads"), { signedIn: true });
route("/downloads/updates", page("downloads"), { signedIn: true });
route("/cases/new", page("case-open"), { signedIn: true });
route("/cases", page("cases"), { signedIn: true });
route("/cases/:id", page("case-detail"), { signedIn: true });
route("/office/licenses", page("office-licenses"), { signedIn: true });
route("/office/licenses/new", page("office-issue"), { signedIn: true });
route("/office/contracts/new", page("office-contract"), { signedIn: true });
route("/office/import", page("office-import"), { signedIn: true });
route("/office/audit", page("office-audit"), { signedIn: true });
route("/office/accounts", page("office-accounts"), { signedIn: true });
route("/releases", page("releases"), { signedIn: true });
route("/releases/downloads", page("download-analytics"), { signedIn: true });
route("/account", page("account"), { signedIn: true });
route("/desk", page("desk-home"), { signedIn: true });
route("/desk/queue", page("desk-queue"), { signedIn: true });
route("/desk/cases/:id", page("desk-case"), { signedIn: true });
route("/desk/customers", page("desk-customers"), { signedIn: true });
route("/desk/partners", page("desk-partner-directory"), { signedIn: true });
route("/preferences", page("mail-preferences"), { signedIn: true });
route("/profile", page("mail-preferences"), { signedIn: true }); // the address older release mails carry
route("/unsubscribe", page("unsubscribe"));

const root = document.getElementById("app");
let frame = null; // { kind, main, nav }
let firstRender = true;
let renderSeq = 0;

async function render({ keepInputs = false } = {}) {
  const seq = ++renderSeq;
  const path = location.pathname;
  if (path === "/" || path === "/index.html") {
    return navigate(session.signedIn() ? session.homePath() : "/signin", { replace: true });
  }
  const found = match(path);
  if (!found) return navigate(session.signedIn() ? session.homePath() : "/signin", { replace: true });
  if (found.signedIn && !session.signedIn()) {
    return navigate(`/signin?next=${encodeURIComponent(path + location.search)}`, { replace: true });
  }
  if ((path === "/signin" || path === "/login") && session.signedIn()) return navigate(session.homePath(), { replace: true });

  const saved = keepInputs ? snapshotInputs() : null;
  const module = await found.load();
  if (seq !== renderSeq) return; // a newer navigation won
  const kind = module.layout ?? "auth";
  if (kind === "app") {
    if (!cachedUser()) currentUser().then(adoptAccount).catch(() => {});
    if (!frame || frame.kind !== "app" || keepInputs) {
      mountFrame(appFrame({ onLocale, onSignOut, user: cachedUser(), currentPath: path }), "app");
    }
    else markCurrent(frame.nav, path);
  } else if (!frame || frame.kind !== "auth" || keepInputs) {
    mountFrame(authFrame({ onLocale }), "auth");
  }
  const view = document.createElement("div");
  view.className = "view";
  frame.main.replaceChildren(view);
  const title = typeof module.title === "function" ? module.title(found) : t(module.title ?? "app.name");
  document.title = `${title} · ${t("app.name")}`;
  root.removeAttribute("aria-busy");
  await module.render(view, { params: found.params, path });
  if (saved) restoreInputs(saved);
  if (!firstRender && !keepInputs) (view.querySelector("h1") ?? frame.main).focus({ preventScroll: false });
  firstRender = false;
}

function mountFrame(built, kind) {
  frame = { ...built, kind };
  root.replaceChildren(built.frame);
}

function updateUserName(profile) {
  const slot = document.querySelector(".account-name");
  if (slot && profile?.name) slot.textContent = profile.name;
}

/** After sign-in: show the account's name, and its language unless this browser chose one. */
function adoptAccount(user) {
  updateUserName(user);
  if (user?.locale && !localeChosen() && user.locale !== locale()) setLocale(user.locale, { remember: false });
}

async function onLocale(code) {
  await setLocale(code);
}

async function onSignOut(btn) {
  await busy(btn, async () => {
    try {
      await api("/identity/auth/logout", { method: "POST", body: {} });
    } catch {
      // Signing out locally still protects this browser; the session dies with its token.
    }
  });
  session.clear();
  forgetUser();
  navigate("/signin?signed_out=1");
}

/** Keep what the user typed (not passwords) when the language changes under a form. */
function snapshotInputs() {
  const values = {};
  document.querySelectorAll("main input[name], main textarea[name], main select[name]").forEach((el) => {
    if (el.type !== "password" && el.type !== "hidden") values[el.name] = el.value;
  });
  return values;
}

function restoreInputs(values) {
  for (const [name, value] of Object.entries(values)) {
    const el = document.querySelector(`main [name="${CSS.escape(name)}"]`);
    if (el && el.type !== "password" && value) el.value = value;
  }
}

session.onExpired(() => {
  forgetUser();
  toast(t("session.expired"));
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
});

function translateStatic() {
  document.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
}

onLocaleChange(() => {
  translateStatic();
  if (frame) render({ keepInputs: true });
});

async function boot() {
  await setLocale(detectLocale(), { remember: false });
  session.resume();
  onNavigate(() => render());
  await render();
}

boot().catch((error) => {
  root.removeAttribute("aria-busy");
  root.textContent = `The portal could not start (${error.message}). Reload the page; if it persists, contact support.`;
});
