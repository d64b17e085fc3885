"""/docs: Swagger UI served by the service itself, with no script from a CDN.

FastAPI's default page loads Swagger UI from a public CDN and starts it with an inline script;
on the portal's origin both would run with the signed-in customer's privileges, and the
gateway's Content-Security-Policy (`script-src 'self'`) refuses both. Here the page, Swagger
UI's files (from the pinned `fastapi-offline` package) and the start script all come from the
service. Links are relative, so the page works directly (/docs) and behind the gateway
(/api/<service>/docs) alike.
"""

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

from shared.http.problems import NOT_FOUND, Problem

_SWAGGER_UI = files("fastapi_offline") / "static"
_ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (Path(str(_SWAGGER_UI / "swagger-ui-bundle.js")), "text/javascript"),
    "swagger-ui.css": (Path(str(_SWAGGER_UI / "swagger-ui.css")), "text/css"),
    "favicon.png": (Path(str(_SWAGGER_UI / "favicon.png")), "image/png"),
    "start.js": (Path(__file__).with_name("docs_start.js"), "text/javascript"),
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} — API</title>
  <link rel="icon" href="docs/assets/favicon.png">
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="openapi.json"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script src="docs/assets/start.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve /docs and its assets (create the app with `docs_url=None, redoc_url=None`)."""
    page = _PAGE.format(title=escape(app.title))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> FileResponse:
        asset = _ASSETS.get(name)
        if asset is None:
            raise Problem(NOT_FOUND)
        path, media_type = asset
        # The assets change only with the pinned package: a day of caching is safe.
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
