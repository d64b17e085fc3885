// The signed-in user's profile, loaded once per sign-in (name in the top bar, account page).

import { api } from "./api.js";

let user = null;

export async function currentUser({ reload = false } = {}) {
  if (!user || reload) user = await api("/identity/me");
  return user;
}

export function cachedUser() {
  return user;
}

export function rememberUser(profile) {
  user = profile;
  const slot = document.querySelector(".account-name");
  if (slot && profile?.name) slot.textContent = profile.name;
}

export function forgetUser() {
  user = null;
}
