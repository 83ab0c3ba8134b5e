"""A statement as a document: HTML (one self-contained page) and PDF (the same HTML printed by
WeasyPrint, imported only here and only when a PDF is asked for).

``statement_html`` and ``statement_pdf`` are what the CLI (``covenant report sla --format
html|pdf``) and the API's statement route serve; the web UI links to or embeds the same route.
"""

from __future__ import annotations

import logging
from functools import cache

from jinja2 import Environment, PackageLoader, Template, select_autoescape

from covenant.core.statement import IssueMark, Statement
from covenant.render.statement_view import statement_view

TEMPLATE = "statement.html"  # the whole document (browser, PDF)
FRAGMENT = "statement_body.html"  # the statement alone, to embed in another page


@cache
def _template(name: str) -> Template:
    env = Environment(
        loader=PackageLoader("covenant.render", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    return env.get_template(name)


def statement_html(st: Statement, issued: IssueMark | None = None) -> str:
    """The statement as one HTML page (no external stylesheet, font or script); ``issued``:
    the copy issued to the customer, its footer saying when, which revision and its digest."""
    return _template(TEMPLATE).render(v=statement_view(st, issued))


def statement_fragment(st: Statement) -> str:
    """The statement as one ``<article class="statement">`` with its scoped ``<style>``: for a
    page that embeds it (the web UI); the same content as :func:`statement_html`."""
    return _template(FRAGMENT).render(v=statement_view(st))


def statement_pdf(st: Statement, issued: IssueMark | None = None) -> bytes:
    """The statement as PDF: the HTML page printed (A4, page numbers and the statement number
    in the footer)."""
    return html_to_pdf(statement_html(st, issued))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fontTools): only for a PDF

    # WeasyPrint logs every CSS property it ignores (e.g. screen-only ones) as a warning.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
