// The account page's "Signed-in devices": every live session with its browser, system, address
// and last use; sign out one of them, every other one, or all of them (this one too).

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { forgetUser } from "../me.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { busy, button, loading, notice, toast } from "../ui.js";

export function sessionsCard(card) {
  const list = h("div", { class: "stack", id: "session-list", "aria-live": "polite" }, loading());
  const others = button(t("sessions.end_others"), { kind: "secondary", id: "sign-out-others" });
  const everywhere = button(t("action.sign_out_everywhere"), { kind: "danger", id: "sign-out-everywhere" });
  others.addEventListener("click", () =>
    busy(others, async () => {
      try {
        await api("/identity/me/sessions/sign-out-others", { method: "POST", body: {} });
        toast(t("sessions.others_ended"));
        await show(list);
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
      }
    }),
  );
  everywhere.addEventListener("click", () =>
    busy(everywhere, async () => {
      try {
        await api("/identity/auth/logout-all", { method: "POST", body: {} });
      } catch (error) {
        toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
        return;
      }
      session.clear();
      forgetUser();
      navigate("/signin?signed_out=1");
    }),
  );
  show(list);
  return card(
    t("account.sessions"),
    h("div", { class: "stack" }, list, h("p", { class: "muted" }, t("account.sessions.text")), h("div", { class: "form-actions" }, others, everywhere)),
  );
}

async function show(list) {
  let sessions;
  try {
    sessions = await api("/identity/me/sessions");
  } catch (error) {
    list.replaceChildren(notice("error", error.problem.title, error.problem.detail ?? t("error.load.detail")));
    return;
  }
  list.replaceChildren(h("ul", { class: "session-list" }, sessions.map((item) => row(list, item))));
}

function deviceName(item) {
  const parts = [item.browser, item.system].filter(Boolean);
  return parts.length ? parts.join(" · ") : t("sessions.unknown_device");
}

function row(list, item) {
  const name = deviceName(item);
  const end = item.current
    ? h("span", { class: "badge badge-active" }, t("sessions.current"))
    : button(t("sessions.end"), { kind: "secondary", class: "btn btn-secondary end-session", "aria-label": t("sessions.end.label", { device: name }), dataset: { session: item.id } });
  if (!item.current) {
    end.addEventListener("click", () =>
      busy(end, async () => {
        try {
          await api(`/identity/me/sessions/${encodeURIComponent(item.id)}`, { method: "DELETE" });
          toast(t("sessions.ended"));
        } catch (error) {
          toast(`${error.problem.title} ${error.problem.detail ?? ""}`);
        }
        await show(list);
      }),
    );
  }
  return h(
    "li",
    { class: "session-row", dataset: { session: item.id, current: item.current ? "true" : "false" } },
    h(
      "div",
      { class: "session-facts" },
      h("p", { class: "session-device" }, name),
      h(
        "p",
        { class: "muted" },
        `${t("sessions.address")}: ${item.address} · ${t("sessions.signed_in")}: ${formatDateTime(item.created_at)} · ${t("sessions.last_used")}: ${formatDateTime(item.last_used_at)}`,
      ),
    ),
    end,
  );
}
