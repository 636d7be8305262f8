"""A printable A4 poster (PDF) with a QR code for an organisation's patient survey link.

Drawn with reportlab (already installed with xhtml2pdf) and segno for the QR code, whose modules
are drawn as vector squares: sharp at any print size, no image library needed.
"""

from __future__ import annotations

import io
import os
from urllib.parse import quote, urlencode

PUBLIC_URL_ENV = "READINESS_PUBLIC_URL"


def patient_link(join_code: str, base_url: str | None = None) -> str:
    """The chat address that opens the patients' survey for this organisation."""
    base = (base_url or os.environ.get(PUBLIC_URL_ENV) or
            f"http://localhost:{os.environ.get('WEB_PORT', '8080')}").rstrip("/")
    return f"{base}/?{urlencode({'audience': 'patient', 'org': join_code}, quote_via=quote)}"


def poster_pdf(organisation: str, join_code: str, link: str) -> bytes:
    """An A4 poster: plain-language invitation, the QR code, the link and the code."""
    import segno
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from readiness.export import _pdf_font

    font, bold = "Helvetica", "Helvetica-Bold"
    found = _pdf_font()
    if found is not None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("PosterSans", found[0]))
        pdfmetrics.registerFont(TTFont("PosterSans-Bold", found[1]))
        font, bold = "PosterSans", "PosterSans-Bold"
    out = io.BytesIO()
    width, height = A4
    page = canvas.Canvas(out, pagesize=A4)
    page.setTitle(f"Patient survey poster — {organisation}")
    page.setFont(bold, 30)
    page.drawCentredString(width / 2, height - 90, "AI in your care:")
    page.drawCentredString(width / 2, height - 128, "tell us what you think")
    page.setFont(font, 16)
    y = height - 170
    for line in (f"{organisation} is starting to use AI (computer programs that help",
                 "doctors and nurses). We want to know if you were told about it,",
                 "and how you feel about it. It takes about 2 minutes.",
                 "We do not ask your name or anything about your health."):
        page.drawCentredString(width / 2, y, line)
        y -= 22
    qr = segno.make(link, error="m")
    modules = list(qr.matrix)
    size = 300.0
    cell = size / (len(modules) + 8)  # quiet zone of 4 modules each side
    left, top = (width - size) / 2, y - 30
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                page.rect(left + (c + 4) * cell, top - (r + 5) * cell, cell, cell, stroke=0, fill=1)
    y = top - size - 30
    page.setFont(bold, 18)
    page.drawCentredString(width / 2, y, "Scan the code with your phone camera")
    page.setFont(font, 12)
    page.drawCentredString(width / 2, y - 26, "or type this address:")
    page.setFont(font, 11 if len(link) < 80 else 8)
    page.drawCentredString(width / 2, y - 44, link)
    page.setFont(font, 14)
    page.drawCentredString(width / 2, y - 76, f"Hospital code: {join_code}")
    page.setFont(font, 10)
    page.drawCentredString(width / 2, 50, "Taking part is your choice and does not change your care. "
                                          "You can stop at any time.")
    page.showPage()
    page.save()
    return out.getvalue()
