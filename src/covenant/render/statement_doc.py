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
from covenant.errors import CovenantError
from covenant.render.statement_view import statement_view


class PdfUnavailableError(CovenantError):
    """A PDF cannot be made on this machine: WeasyPrint, or the system libraries it loads
    (Pango, HarfBuzz, fontconfig), are missing (CLI exit 1; HTTP 503). Nothing is written.
    Here rather than in ``covenant.errors``: only a PDF meets it."""

    code = "pdf-unavailable"


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
    return pdf_and_missing_glyphs(html)[0]


def pdf_and_missing_glyphs(html: str) -> tuple[bytes, str]:
    """The PDF, and the characters of its text that no installed font could draw (each once,
    in code-point order; they print as empty boxes): WeasyPrint takes its fonts from the
    system (fontconfig), so a Japanese statement on a machine without a CJK font lacks them."""
    try:
        from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fontTools): only for a PDF
    except (ImportError, OSError) as exc:  # cffi raises OSError when Pango is not installed
        raise PdfUnavailableError(
            f"cannot write a PDF on this machine: WeasyPrint cannot load ({exc})",
            hint="install Pango, which WeasyPrint draws with (Debian/Ubuntu: apt install "
            "libpango-1.0-0 libpangoft2-1.0-0; macOS: brew install pango), or ask for "
            "--format html and print that",
        ) from None

    # WeasyPrint logs every CSS property it ignores (e.g. screen-only ones) as a warning.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html).render()
    pdf: bytes = document.write_pdf()
    missing = {cp for font in document.fonts.values() for cp in getattr(font, "missing", {})}
    return pdf, "".join(chr(cp) for cp in sorted(missing))


def missing_glyphs_warning(missing: str) -> str:
    """The warning for a PDF written with ``missing`` characters drawn as empty boxes."""
    shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing[:8])
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    return (
        f"warning: no installed font has {shown}{more}: the PDF shows empty boxes in their "
        "place — install a font that has them (Japanese and Chinese: Noto Sans CJK, e.g. "
        "Debian's fonts-noto-cjk, or fonts-wqy-microhei) and write the PDF again (docs/sla.md)"
    )


WARNING_HEADER = "Covenant-Warning"


def missing_glyphs_header(missing: str) -> dict[str, str]:
    """The header the API and the web UI answer a PDF with when ``missing`` characters are
    drawn as empty boxes (``{}`` when none is): the CLI's warning, in ASCII (a header value
    is not UTF-8), the characters named by code point."""
    if not missing:
        return {}
    shown = ", ".join(f"U+{ord(c):04X}" for c in missing[:8])
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    return {
        WARNING_HEADER: f"no installed font has {shown}{more}: the PDF shows empty boxes in "
        "their place; install a font that has them (Japanese and Chinese: Noto Sans CJK, e.g. "
        "Debian's fonts-noto-cjk, or fonts-wqy-microhei) and ask again (docs/sla.md)"
    }
