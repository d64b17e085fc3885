// History-API router: the gateway answers every unknown path with index.html, so deep links
// like /verify?token=… and /cases/<id> load the portal, which then picks the page.

const routes = [];
let renderCurrent = () => {};

/** `pattern` like "/cases/:id"; `page` is a module with { layout, render(main, ctx) }. */
export function route(pattern, load, { signedIn = false } = {}) {
  const names = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return "([^/]+)";
    })}/?$`,
  );
  routes.push({ pattern, regex, names, load, signedIn });
}

export function match(pathname) {
  for (const candidate of routes) {
    const found = candidate.regex.exec(pathname);
    if (found) {
      const params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { ...candidate, params };
    }
  }
  return null;
}

export function onNavigate(render) {
  renderCurrent = render;
  window.addEventListener("popstate", () => renderCurrent());
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  renderCurrent();
}

export function query(name) {
  return new URLSearchParams(location.search).get(name);
}
