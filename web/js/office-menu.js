// The back office's menu group: licensing screens for administrators. The menu only hides
// what a role cannot use; the licensing service refuses everyone else on its own.

import { roles } from "./session.js";

export const OFFICE_ROLES = ["admin"];
// The product team's screen: releases (the downloads service refuses other roles on its own).
export const RELEASE_ROLES = ["release"];
// Accounts: support engineers verify and unlock, administrators also disable and change roles.
export const ACCOUNT_ROLES = ["admin", "support"];
// Download analytics: the product team, and administrators who answer for the numbers too.
export const ANALYTICS_ROLES = ["release", "admin"];

export const OFFICE_MENU = [
  { key: "menu.office.licenses", path: "/office/licenses", roles: OFFICE_ROLES },
  { key: "menu.office.issue", path: "/office/licenses/new", roles: OFFICE_ROLES },
  { key: "menu.office.contract", path: "/office/contracts/new", roles: OFFICE_ROLES },
  { key: "menu.office.import", path: "/office/import", roles: OFFICE_ROLES },
  { key: "menu.office.audit", path: "/office/audit", roles: OFFICE_ROLES },
  { key: "menu.office.accounts", path: "/office/accounts", roles: ACCOUNT_ROLES },
  { key: "menu.releases", path: "/releases", roles: RELEASE_ROLES },
  { key: "menu.download_analytics", path: "/releases/downloads", roles: ANALYTICS_ROLES },
];

/** Whether the signed-in user may see a menu entry (entries without `roles` are for everyone). */
export function mayUse(entry) {
  if (!entry.roles) return true;
  const held = roles();
  return entry.roles.some((role) => held.includes(role));
}

export function isBackOffice() {
  return mayUse({ roles: OFFICE_ROLES });
}
