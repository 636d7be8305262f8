"""Sharing a campaign with staff: the join link, its QR code (segno) and an A4 poster (WeasyPrint).

The join link opens the chat page with the organisation's join code filled in (`/?org=CODE`);
the base address is the web app's public one (`READINESS_PUBLIC_URL`, else what the caller
knows, e.g. the console request's own host).
"""

from __future__ import annotations

import os
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from readiness.export import TEMPLATES_DIR

PUBLIC_URL_ENV = "READINESS_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8080"

_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined)


def public_url(fallback: str | None = None) -> str:
    """The web app's address as staff reach it (no trailing slash)."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    return (configured or fallback or DEFAULT_PUBLIC_URL).rstrip("/")


def join_url(join_code: str, base: str | None = None) -> str:
    """The staff join link: the chat page with the join code filled in."""
    return f"{public_url(base)}/?org={quote(join_code)}"


def qr_svg(url: str, *, scale: int = 8, title: str | None = None, sized: bool = True) -> str:
    """The link as a QR code, an SVG document (error correction M, a 4-module quiet zone);
    `sized=False` leaves out width and height (a viewBox only) so CSS sizes it."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True,
        title=title or url, svgclass="qr", lineclass=None, omitsize=not sized, dark="#000", light="#fff")
    return out.getvalue().decode("utf-8")


def poster_html(organisation: str, join_code: str, url: str) -> str:
    return _ENV.get_template("poster.html").render(
        organisation=organisation, join_code=join_code, url=url, qr=qr_svg(url, scale=10, title="QR code of the join link", sized=False))


def poster_pdf(organisation: str, join_code: str, url: str) -> bytes:
    """A printable A4 poster: what the survey is, the QR code, the link and the join code."""
    from weasyprint import HTML

    from readiness.export import no_fetch

    return HTML(string=poster_html(organisation, join_code, url), url_fetcher=no_fetch).write_pdf()
