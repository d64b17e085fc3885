// The signed-in session: the access token lives in sessionStorage (this tab only); the refresh
// token is an HttpOnly cookie scoped to /api/identity/auth, so scripts never see it.

const KEY = "sp.session";
const REFRESH_MARGIN_MS = 60_000;
let refreshTimer = null;
let refreshing = null;
const expiredListeners = new Set();

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export function signedIn() {
  return Boolean(read()?.access_token);
}

export function store({ access_token, expires_in }) {
  const expiresAt = Date.now() + (Number(expires_in) || 600) * 1000;
  sessionStorage.setItem(KEY, JSON.stringify({ access_token, expires_at: expiresAt }));
  schedule(expiresAt);
}

export function clear() {
  sessionStorage.removeItem(KEY);
  clearTimeout(refreshTimer);
}

export function onExpired(listener) {
  expiredListeners.add(listener);
}

/** Refresh shortly before expiry so a user who keeps the portal open is not thrown out. */
function schedule(expiresAt) {
  clearTimeout(refreshTimer);
  const wait = Math.max(5_000, expiresAt - Date.now() - REFRESH_MARGIN_MS);
  refreshTimer = setTimeout(() => refresh(), wait);
}

export function resume() {
  const saved = read();
  if (saved?.access_token) schedule(saved.expires_at);
}

/** A valid access token, refreshed first when it is about to expire; null when signed out. */
export async function accessToken() {
  const saved = read();
  if (!saved?.access_token) return null;
  if (saved.expires_at - Date.now() < 15_000) {
    return (await refresh()) ? read()?.access_token ?? null : null;
  }
  return saved.access_token;
}

/** One refresh at a time: concurrent 401s share the same attempt. */
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const response = await fetch("/api/identity/auth/refresh", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: "{}",
        });
        if (!response.ok) throw new Error(`refresh ${response.status}`);
        store(await response.json());
        return true;
      } catch {
        const hadSession = signedIn();
        clear();
        if (hadSession) for (const listener of expiredListeners) listener();
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

/** The access token's claims, for display only (every service verifies the token itself). */
function claims() {
  const token = read()?.access_token;
  if (!token) return {};
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "="))) ?? {};
  } catch {
    return {};
  }
}

export function roles() {
  const found = claims().roles;
  return Array.isArray(found) ? found : [];
}

export function userId() {
  return claims().sub ?? null;
}

export const STAFF_ROLES = ["support", "security", "admin"];

export function isStaff() {
  return roles().some((role) => STAFF_ROLES.includes(role));
}

/** Where a signed-in user starts: staff at the support desk, customers at their licenses. */
export function homePath() {
  return isStaff() ? "/desk" : "/licenses";
}
