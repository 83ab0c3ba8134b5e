"""The statement's words per language: a small message catalogue (English and German).

A statement takes its language from the agreement's ``locale`` (``de_DE`` → German); numbers,
money and dates follow the full locale through Babel. A language without a catalogue here is
written in English (with that locale's number and date formats). Each entry is a
``str.format`` template; keys are the English catalogue's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

EN: dict[str, str] = {
    "title": "Service level statement",
    "number": "Statement number",
    "issuer": "Issued by",
    "customer": "Customer",
    "tax_id": "VAT ID",
    "registration": "Register",
    "reference": "Customer number",
    "no_issuer": "(no issuer configured: set spec.issuer in the workspace's Settings)",
    "period": "Period",
    "period_range": "{start} to {end}",
    "zone": "Times are shown in {zone}; UTC in brackets where it helps.",
    "convention": "A period includes its first and its last day: it runs from 00:00 on the "
    "first day to 24:00 (the end) of the last day. A row from 09:00 to 11:30 lasted "
    "2 h 30 min; a time of 24:00 is the end of that day.",
    "generated": "Issued",
    "agreements": "Agreements",
    "version": "version {version}",
    "final": "Final statement.",
    "in_progress": "Provisional: the period is still in progress (as of {at}).",
    "partial": "Provisional: the stored records do not cover all of the period (as of {at}).",
    "timers": "Provisional: the period is over, but {count} support timer(s) of its tickets "
    "are still running (as of {at}).",
    "summary": "Summary",
    "item": "Item",
    "amount": "Amount",
    "credit_item": "Service credit: {name}",
    "penalty_item": "Support penalty: {name}",
    "total": "Total owed to the customer",
    "nothing_owed": "Nothing is owed for this period.",
    "claim_by": "Claim by",
    "claim_note": "Credits must be claimed by {deadline}.",
    "availability": "Availability",
    "terms": "The commitment",
    "services": "Services",
    "committed": "Committed level",
    "measured": "Measured level",
    "eligible": "Eligible time",
    "downtime": "Downtime counted",
    "excluded": "Excluded time",
    "uncovered": "Not covered by records",
    "met": "met",
    "missed": "missed",
    "open": "Open",
    "no_data": "no data ({why})",
    "evidence": "Downtime and exclusions",
    "from": "From",
    "to": "To",
    "duration": "Duration",
    "treatment": "Counted?",
    "details": "Details",
    "counted": "counted as downtime",
    "excluded_row": "excluded",
    "not_excluded_row": "not excluded",
    "uncovered_row": "not covered",
    "no_evidence": "No downtime was recorded in the eligible time.",
    "intervals": "{count} × {size}-minute interval(s) at or above the error threshold of "
    "{threshold} ({low} to {high} errors)",
    "credit": "Service credit",
    "step_level": "Measured level",
    "step_tier": "Credit tier",
    "no_tier": "none applies: the commitment was met",
    "step_fee": "Fee for the period",
    "step_percent": "{percent} of {fee}",
    "step_limits": "After cap and minimum",
    "limit_cap": "{before} exceeds the commitment's cap of {bound}: the credit is capped at "
    "{after}",
    "limit_cap_percent": "{before} exceeds the commitment's cap of {percent} of the fee "
    "({bound}): the credit is capped at {after}",
    "limit_minimum": "{before} is below the minimum payable credit of {bound}: no credit is "
    "paid ({after})",
    "limit_minimum_exclusive": "{before} does not exceed the minimum payable credit of {bound}: "
    "no credit is paid ({after})",
    "limit_agreement_cap": "The agreement caps all credits of the period together at {bound}: "
    "{before} becomes {after}",
    "step_owed": "Credit owed",
    "support": "Support",
    "priority": "Priority",
    "timer": "Timer",
    "first-response": "first response",
    "resolution": "resolution",
    "decided_met": "Met",
    "decided_missed": "Missed",
    "attained": "Attained",
    "required": "Required",
    "clock_calendar": "Timers count business time ({calendar}); time waiting on the customer "
    "is paused.",
    "clock_wall": "Timers count calendar time (24×7); time waiting on the customer is paused.",
    "late": "Late tickets",
    "ticket": "Ticket",
    "started": "Started",
    "stopped": "Stopped",
    "target": "Target",
    "elapsed": "Counted",
    "paused": "Paused",
    "late_by": "Late by",
    "running": "running",
    "penalty": "Support penalty owed",
    "penalty_amount": "Fixed penalty",
    "no_penalty": "All attainment targets were met: no penalty.",
    "truncated": "Levels are truncated, not rounded, to three decimals (a level of "
    "{example_exact} shows as {example_shown}), so a figure never looks as if it met a bound "
    "it missed. Tier bounds apply exactly as the agreement writes them.",
    "unit_d": "d",
    "unit_h": "h",
    "unit_min": "min",
    "unit_s": "s",
    "none": "none",
    "quoted": "“{name}”",
}

DE: dict[str, str] = {
    "title": "Service-Level-Abrechnung",
    "number": "Abrechnungsnummer",
    "issuer": "Aussteller",
    "customer": "Kunde",
    "tax_id": "USt-IdNr.",
    "registration": "Register",
    "reference": "Kundennummer",
    "no_issuer": "(kein Aussteller konfiguriert: spec.issuer in den Settings des Arbeitsbereichs)",
    "period": "Zeitraum",
    "period_range": "{start} bis {end}",
    "zone": "Zeitangaben in {zone}; UTC in Klammern, wo es hilft.",
    "convention": "Ein Zeitraum umfasst seinen ersten und seinen letzten Tag: er reicht von "
    "00:00 Uhr am ersten bis 24:00 Uhr (dem Ende) des letzten Tages. Eine Zeile von 09:00 bis "
    "11:30 dauerte 2 Std. 30 Min.; 24:00 ist das Ende des Tages.",
    "generated": "Erstellt",
    "agreements": "Verträge",
    "version": "Version {version}",
    "final": "Endgültige Abrechnung.",
    "in_progress": "Vorläufig: der Zeitraum läuft noch (Stand {at}).",
    "partial": "Vorläufig: die gespeicherten Aufzeichnungen decken nicht den ganzen Zeitraum ab "
    "(Stand {at}).",
    "timers": "Vorläufig: der Zeitraum ist vorbei, aber {count} Support-Frist(en) seiner "
    "Tickets laufen noch (Stand {at}).",
    "summary": "Übersicht",
    "item": "Position",
    "amount": "Betrag",
    "credit_item": "Service-Gutschrift: {name}",
    "penalty_item": "Support-Vertragsstrafe: {name}",
    "total": "Gesamtbetrag zugunsten des Kunden",
    "nothing_owed": "Für diesen Zeitraum ist nichts geschuldet.",
    "claim_by": "Geltend zu machen bis",
    "claim_note": "Gutschriften sind bis {deadline} geltend zu machen.",
    "availability": "Verfügbarkeit",
    "terms": "Die Zusage",
    "services": "Dienste",
    "committed": "Zugesagte Verfügbarkeit",
    "measured": "Gemessene Verfügbarkeit",
    "eligible": "Berücksichtigte Zeit",
    "downtime": "Gezählte Ausfallzeit",
    "excluded": "Ausgenommene Zeit",
    "uncovered": "Nicht durch Aufzeichnungen gedeckt",
    "met": "eingehalten",
    "missed": "verfehlt",
    "open": "Offen",
    "no_data": "keine Daten ({why})",
    "evidence": "Ausfälle und Ausnahmen",
    "from": "Von",
    "to": "Bis",
    "duration": "Dauer",
    "treatment": "Gezählt?",
    "details": "Einzelheiten",
    "counted": "als Ausfall gezählt",
    "excluded_row": "ausgenommen",
    "not_excluded_row": "nicht ausgenommen",
    "uncovered_row": "nicht gedeckt",
    "no_evidence": "In der berücksichtigten Zeit wurde kein Ausfall verzeichnet.",
    "intervals": "{count} × {size}-Minuten-Intervall(e) mit Fehlerquote ab der Schwelle von "
    "{threshold} ({low} bis {high} Fehler)",
    "credit": "Service-Gutschrift",
    "step_level": "Gemessene Verfügbarkeit",
    "step_tier": "Gutschriftstufe",
    "no_tier": "keine: die Zusage wurde eingehalten",
    "step_fee": "Entgelt für den Zeitraum",
    "step_percent": "{percent} von {fee}",
    "step_limits": "Nach Obergrenze und Mindestbetrag",
    "limit_cap": "{before} übersteigt die Obergrenze der Zusage von {bound}: die Gutschrift "
    "wird auf {after} begrenzt",
    "limit_cap_percent": "{before} übersteigt die Obergrenze der Zusage von {percent} des "
    "Entgelts ({bound}): die Gutschrift wird auf {after} begrenzt",
    "limit_minimum": "{before} liegt unter der Mindestgutschrift von {bound}: es wird keine "
    "Gutschrift gezahlt ({after})",
    "limit_minimum_exclusive": "{before} übersteigt die Mindestgutschrift von {bound} nicht: es "
    "wird keine Gutschrift gezahlt ({after})",
    "limit_agreement_cap": "Der Vertrag begrenzt alle Gutschriften des Zeitraums zusammen auf "
    "{bound}: aus {before} werden {after}",
    "step_owed": "Geschuldete Gutschrift",
    "support": "Support",
    "priority": "Priorität",
    "timer": "Frist",
    "first-response": "Erstreaktion",
    "resolution": "Lösung",
    "decided_met": "Eingehalten",
    "decided_missed": "Verfehlt",
    "attained": "Erreicht",
    "required": "Gefordert",
    "clock_calendar": "Fristen zählen Geschäftszeit ({calendar}); Wartezeit auf den Kunden "
    "ist pausiert.",
    "clock_wall": "Fristen zählen Kalenderzeit (24×7); Wartezeit auf den Kunden ist pausiert.",
    "late": "Verspätete Tickets",
    "ticket": "Ticket",
    "started": "Beginn",
    "stopped": "Ende",
    "target": "Sollzeit",
    "elapsed": "Gezählt",
    "paused": "Pausiert",
    "late_by": "Verspätung",
    "running": "läuft",
    "penalty": "Geschuldete Support-Vertragsstrafe",
    "penalty_amount": "Pauschale Vertragsstrafe",
    "no_penalty": "Alle Quoten wurden erreicht: keine Vertragsstrafe.",
    "truncated": "Verfügbarkeiten werden auf drei Nachkommastellen abgeschnitten, nicht gerundet "
    "({example_exact} erscheint als {example_shown}), damit ein Wert nie eine verfehlte Grenze "
    "zu erreichen scheint. Stufengrenzen gelten genau wie im Vertrag geschrieben.",
    "unit_d": "Tg.",
    "unit_h": "Std.",
    "unit_min": "Min.",
    "unit_s": "Sek.",
    "none": "keine",
    "quoted": "„{name}“",
}

REASONS_DE: tuple[tuple[str, str], ...] = (
    ("caused by the customer", "vom Kunden verursacht"),
    ("force majeure", "höhere Gewalt"),
    ("maintenance is not excluded by this agreement", "Wartung ist laut Vertrag nicht ausgenommen"),
    ("planned maintenance", "geplante Wartung"),
    ("maintenance ", "Wartung "),
    ("incident ", "Störung "),
    ("announced ", "angekündigt "),
    (" ahead, notice is ", " vorher, Frist "),
    (" ahead (notice ", " vorher (Frist "),
)
"""The record's reasons (written in English by the evaluation) in German: phrase by phrase."""

CATALOGUES: dict[str, tuple[dict[str, str], tuple[tuple[str, str], ...]]] = {
    "en": (EN, ()),
    "de": (DE, REASONS_DE),
}


def catalogue(locale: str) -> tuple[Mapping[str, str], tuple[tuple[str, str], ...]]:
    """The labels and reason phrases for ``locale``'s language (English when there is none)."""
    language = locale.split("_", 1)[0]
    return CATALOGUES.get(language, CATALOGUES["en"])


_SPAN = re.compile(r"\b(\d+) (d|h|min|s)\b")
_QUOTED = re.compile(r"“([^”]*)”")


def translate_reason(
    reason: str, phrases: tuple[tuple[str, str], ...], words: Mapping[str, str]
) -> str:
    """A reason the evaluation wrote in English, phrase by phrase in the statement's language,
    its spans (``11 d 16 h``) in the catalogue's units. A name in quotes (a maintenance
    window's display name: ``maintenance “Datenbank-Upgrade”``) is kept as written, in the
    language's quotation marks."""
    parts = _QUOTED.split(reason)  # even: the evaluation's words; odd: a quoted name
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(words["quoted"].format(name=part))
            continue
        text = part
        for english, translated in phrases:
            text = text.replace(english, translated)
        out.append(_SPAN.sub(lambda m: f"{m[1]} {words['unit_' + m[2]]}", text))
    return "".join(out)
