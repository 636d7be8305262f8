"""Sharing a campaign: the staff join link and the patients' link, their QR codes (segno) and
A4 posters (WeasyPrint, one template for both audiences).

The join link opens the chat page with the organisation's join code filled in (`/?org=CODE`);
the patients' link adds `audience=patient`. The base address is the web app's public one
(`READINESS_PUBLIC_URL`, else what the caller knows, e.g. the console request's own host).
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlencode

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


def patient_url(join_code: str, base: str | None = None) -> str:
    """The patients' link: the same chat, in patient words, for this organisation."""
    return f"{public_url(base)}/?{urlencode({'audience': 'patient', 'org': join_code}, quote_via=quote)}"


#: Posters for these audiences (poster.html words each).
AUDIENCES = ("staff", "patient")


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


def poster_html(organisation: str, join_code: str, url: str, audience: str = "staff") -> str:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown poster audience {audience!r}; choose one of {', '.join(AUDIENCES)}")
    return _ENV.get_template("poster.html").render(
        organisation=organisation, join_code=join_code, url=url, audience=audience,
        qr=qr_svg(url, scale=10, title=f"QR code of the {'patient survey' if audience == 'patient' else 'join'} link",
                  sized=False))


def poster_pdf(organisation: str, join_code: str, url: str, audience: str = "staff") -> bytes:
    """A printable A4 poster: what the survey is, the QR code, the link and the join code."""
    from weasyprint import HTML

    from readiness.export import no_fetch

    return HTML(string=poster_html(organisation, join_code, url, audience), url_fetcher=no_fetch).write_pdf()
