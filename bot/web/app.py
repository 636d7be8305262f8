"""The web app: the chat page, the widget's static files, `/health` (with the content state),
and the scorecard pages.

    python -m bot.web.app --host 127.0.0.1 --port 8080

The chat page loads the widget exactly as an intranet page would embed it (`static/embed.js`);
the socket.io client comes from `node_modules` (installed by `npm ci` in bot/web), never a CDN.
The browser talks to Rasa directly over socket.io; this app only serves pages and files.

Environment: RASA_PORT (default 5005) and READINESS_RASA_URL (Rasa's address as the browser
reaches it; default: the page's own host name with RASA_PORT).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound
from sanic.request import Request

from bot.web.scorecards import blueprint as scorecards_blueprint
from readiness.live_content import content_state

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
SOCKET_IO_CLIENT = HERE / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

#: Headers on every page: no framing by other sites, no sniffing, no scorecard token in Referer.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}


#: Error statuses a browser sees as an HTML page (title shown above the plain-text message).
ERROR_TITLES = {400: "Bad request", 401: "Sign-in needed", 403: "Refused", 404: "Not found",
                405: "Not allowed", 429: "Too many attempts"}


@dataclass(frozen=True)
class WebConfig:
    rasa_port: int = 5005
    #: Rasa's address as the browser reaches it; empty: the page's host name with `rasa_port`.
    rasa_url: str = ""

    @classmethod
    def from_env(cls) -> "WebConfig":
        return cls(
            rasa_port=int(os.environ.get("RASA_PORT", "").strip() or 5005),
            rasa_url=os.environ.get("READINESS_RASA_URL", "").strip().rstrip("/"),
        )


def create_app(config: WebConfig | None = None, name: str = "readiness_web") -> Sanic:
    config = config or WebConfig.from_env()
    app = Sanic(name)
    app.config.FORWARDED_SECRET = None
    templates = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))

    @app.get("/")
    async def chat_page(request: Request) -> response.HTTPResponse:
        html = templates.get_template("chat.html").render(
            rasa_url=config.rasa_url,
            rasa_port=config.rasa_port,
            org=request.args.get("org", ""),
        )
        return response.html(html, headers={
            **SECURITY_HEADERS,
            # Scripts only from this app; the socket may go to Rasa on another port.
            "Content-Security-Policy": (
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self' http: https: ws: wss:; frame-ancestors 'self'; base-uri 'none'; "
                "form-action 'none'"
            ),
            "Cache-Control": "no-store",
        })

    @app.get("/health")
    async def health(_: Request) -> response.HTTPResponse:
        # 200 even when a content edit was refused: the bot keeps answering with the last
        # valid content; `content.problem` says (file:line) what to fix in the folder.
        content = content_state()
        return response.json({
            "status": "ok" if content.ok else "content_problem",
            "widget": SOCKET_IO_CLIENT.exists(),
            "content": content.as_dict(),
        })

    # A single file route wins over the directory route below (static paths before dynamic ones).
    app.static("/static/vendor/socket.io.min.js", str(SOCKET_IO_CLIENT), name="socket_io_client",
               content_type="application/javascript; charset=utf-8")
    app.static("/static", str(STATIC), name="widget_static")

    @app.exception(NotFound, MethodNotSupported)
    async def not_found(request: Request, error: Exception) -> response.HTTPResponse:
        status = getattr(error, "status_code", 404)
        return response.text("Not found.\n" if status == 404 else "Method not allowed.\n", status=status,
                             headers={"Cache-Control": "no-store"})

    @app.middleware("response")
    async def security_headers(request: Request, resp: response.HTTPResponse) -> Any:
        # A browser gets error pages as HTML (same message, same for every code: nothing more
        # is revealed); scripts and other clients keep the plain-text bodies.
        if resp.status in ERROR_TITLES and (resp.content_type or "").startswith("text/plain") \
                and "text/html" in request.headers.get("accept", ""):
            from bot.web.console import error_page

            html = error_page(resp.status, ERROR_TITLES[resp.status], resp.body.decode("utf-8").strip())
            for header, value in resp.headers.items():
                if header.lower() not in ("content-type", "content-length", "content-security-policy"):
                    html.headers[header] = value
            resp = html
        for header, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(header, value)
        return resp

    app.blueprint(scorecards_blueprint)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the readiness chat page, widget and scorecards.")
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    args = parser.parse_args(argv)
    if not SOCKET_IO_CLIENT.exists():
        raise SystemExit(f"error: {SOCKET_IO_CLIENT} is missing; run `npm ci --prefix {HERE}` (make run does)")
    app = create_app()
    app.run(host=args.host, port=args.port, access_log=False, workers=1, motd=False)


if __name__ == "__main__":
    main()
