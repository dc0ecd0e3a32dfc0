"""Login cards as a PDF (reportlab): A4, 2 × 5 cards a page, each with a QR code (segno).

Thai names are drawn with the vendored Sarabun font (its Thai subset, as TrueType: reportlab
cannot read WOFF2); Latin text with Helvetica, split into runs by script.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from flask import current_app
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

COLUMNS, ROWS = 2, 5
CARDS_PER_PAGE = COLUMNS * ROWS
MARGIN = 10 * mm
_fonts_ready = False


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    folder = Path(current_app.static_folder) / "vendor" / "fonts"
    pdfmetrics.registerFont(TTFont("Sarabun", str(folder / "sarabun-5.3.0-thai-400.ttf")))
    pdfmetrics.registerFont(TTFont("Sarabun-Bold", str(folder / "sarabun-5.3.0-thai-700.ttf")))
    _fonts_ready = True


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _runs(text: str) -> list[list]:
    """``[[text, is_thai], ...]``: spaces stay in the run they follow."""
    runs: list[list] = []
    for ch in text:
        thai = runs[-1][1] if ch == " " and runs else _is_thai(ch)
        if runs and runs[-1][1] == thai:
            runs[-1][0] += ch
        else:
            runs.append([ch, thai])
    return runs


def _draw(c, x: float, y: float, text: str, size: float, bold: bool = False, max_width: float | None = None):
    latin, thai = ("Helvetica-Bold", "Sarabun-Bold") if bold else ("Helvetica", "Sarabun")
    runs = _runs(text)
    width = sum(pdfmetrics.stringWidth(r, thai if t else latin, size) for r, t in runs)
    if max_width and width > max_width:
        size = size * max_width / width
    for run, is_thai in runs:
        font = thai if is_thai else latin
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def qr_png(link: str) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def render_cards(cards, *, school: str, labels: dict) -> bytes:
    """The PDF of ``cards`` (``lms.auth.login_cards.Card``); ``labels`` holds the translated words."""
    _register_fonts()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(labels["title"])
    page_w, page_h = A4
    card_w = (page_w - 2 * MARGIN) / COLUMNS
    card_h = (page_h - 2 * MARGIN) / ROWS
    qr_size = card_h - 12 * mm
    for index, card in enumerate(cards):
        if index and index % CARDS_PER_PAGE == 0:
            c.showPage()
        slot = index % CARDS_PER_PAGE
        x = MARGIN + (slot % COLUMNS) * card_w
        y = page_h - MARGIN - (slot // COLUMNS + 1) * card_h
        c.setDash(3, 3)
        c.rect(x, y, card_w, card_h)  # cut along the dashes
        c.setDash()
        text_w = card_w - qr_size - 12 * mm
        tx, ty = x + 5 * mm, y + card_h - 10 * mm
        _draw(c, tx, ty, school, 9, max_width=text_w)
        _draw(c, tx, ty - 8 * mm, card.full_name, 13, bold=True, max_width=text_w)
        _draw(c, tx, ty - 14 * mm, card.classroom, 10, max_width=text_w)
        _draw(c, tx, ty - 23 * mm, labels["username"], 8)
        _draw(c, tx, ty - 28 * mm, card.username, 12, bold=True, max_width=text_w)
        _draw(c, tx, ty - 35 * mm, labels["password"], 8)
        c.setFont("Courier-Bold", 12)
        c.drawString(tx, ty - 40 * mm, card.password)
        c.drawImage(ImageReader(io.BytesIO(qr_png(card.link))), x + card_w - qr_size - 5 * mm,
                    y + (card_h - qr_size) / 2, qr_size, qr_size)
    c.showPage()
    c.save()
    return out.getvalue()
