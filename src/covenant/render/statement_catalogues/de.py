"""German (``de_DE``, ``de_AT``, ``de_CH``, …): the English catalogue's keys and placeholders."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "language": "de",  # the plural rules (CLDR) of the choices ``[[n|one:…|other:…]]``
    "title": "Service-Level-Abrechnung",
    "number": "Abrechnungsnummer",
    "issuer": "Aussteller",
    "customer": "Kunde",
    "tax_id": "USt-IdNr. {number}",
    "registration": "Register: {number}",
    "reference": "Kundennummer {number}",
    "no_issuer": "(kein Aussteller konfiguriert: spec.issuer in den Settings des Arbeitsbereichs "
    "festlegen)",
    "period": "Zeitraum",
    "period_range": "{start} bis {end}",
    "period_days": "{period} ({days})",
    "separator": "; ",
    "with_utc": "{local} ({utc})",
    "zone": "Zeitangaben in {zone}; UTC in Klammern, wo es hilft.",
    "convention": "Ein Zeitraum umfasst seinen ersten und seinen letzten Tag: Er reicht von "
    "00:00 Uhr am ersten bis 24:00 Uhr (dem Ende) des letzten Tages. Eine Zeile von 09:00 bis "
    "11:30 dauerte 2 Std. 30 Min.; 24:00 ist das Ende des Tages.",
    "generated": "Ausgestellt",
    "issued_line": (
        "Ausgestellt am {date}, Revision {revision}. SHA-256 des ausgestellten JSON: {digest}"
    ),
    "draft": "Entwurf – nicht ausgestellt",
    "computed": "Berechnet",
    "issued_at": "{at}, Revision {revision}",
    "issued_short": "Ausgestellt am {date}, Revision {revision}",
    "agreements": "Verträge",
    "agreement_version": "{name}, Version {version}",
    "not_included_quarter": "{name} wird je Quartal gemessen: seine Werte stehen nicht in dieser "
    "Abrechnung, sondern in der für {periods}.",
    "not_included_month": "{name} wird je Monat gemessen: seine Werte stehen nicht in dieser "
    "Abrechnung, sondern in denen für {periods}.",
    "final": "Endgültige Abrechnung.",
    "final_draft": "Der Zeitraum ist abgelaufen; dieser Entwurf ist keine ausgestellte Abrechnung.",
    "in_progress": "Vorläufig: Der Zeitraum läuft noch (Stand {at}).",
    "partial": "Vorläufig: Die gespeicherten Aufzeichnungen decken nicht den ganzen Zeitraum ab "
    "(Stand {at}).",
    "timers_one": "Vorläufig: Der Zeitraum ist vorbei, aber {count} Support-Frist seiner "
    "Tickets läuft noch (Stand {at}).",
    "timers_other": "Vorläufig: Der Zeitraum ist vorbei, aber {count} Support-Fristen seiner "
    "Tickets laufen noch (Stand {at}).",
    "support_timers_one": "{count} Support-Frist",
    "support_timers_other": "{count} Support-Fristen",
    "summary": "Übersicht",
    "item": "Position",
    "amount": "Betrag",
    "credit_item": "Servicegutschrift: {name}",
    "penalty_item": "Support-Vertragsstrafe: {name}",
    "total": "Gesamtbetrag zugunsten des Kunden",
    "nothing_owed": "Für diesen Zeitraum ist nichts geschuldet.",
    "claim_by": "Geltend zu machen bis",
    "claim_note": "Gutschriften sind bis zum {deadline} geltend zu machen.",
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
    "level_state": "{level} ({state})",
    "evidence": "Ausfälle und Ausnahmen",
    "from": "Von",
    "to": "Bis",
    "duration": "Dauer",
    "treatment": "Gezählt?",
    "details": "Einzelheiten",
    "counted": "als Ausfall gezählt",
    "excluded_row": "ausgenommen",
    "not_excluded_row": "nicht ausgenommen",
    "short_run_row": "nicht gezählt",
    "uncovered_row": "nicht gedeckt",
    "no_evidence": "In der berücksichtigten Zeit wurde kein Ausfall verzeichnet.",
    "intervals_one": "{count} × {size}-Minuten-Intervall mit Fehlerquote ab der Schwelle von "
    "{threshold} ({low} bis {high} Fehler)",
    "intervals_other": "{count} × {size}-Minuten-Intervalle mit Fehlerquote ab der Schwelle von "
    "{threshold} ({low} bis {high} Fehler)",
    "credit": "Servicegutschrift",
    "step_level": "Gemessene Verfügbarkeit",
    "step_tier": "Gutschriftstufe",
    "no_tier": "keine: Die Zusage wurde eingehalten",
    "step_fee": "Entgelt für den Zeitraum",
    "step_pro_rata": "{fee} für den ganzen Zeitraum, anteilig für {part} von {whole}",
    "step_percent": "{percent} von {fee}",
    "step_limits": "Nach Obergrenze und Mindestbetrag",
    "limit_cap": "{before} übersteigt die Obergrenze der Zusage von {bound}: Die Gutschrift "
    "wird auf {after} begrenzt",
    "limit_cap_percent": "{before} übersteigt die Obergrenze der Zusage von {percent} des "
    "Entgelts ({bound}): Die Gutschrift wird auf {after} begrenzt",
    "limit_minimum": "{before} liegt unter der Mindestgutschrift von {bound}: Es wird keine "
    "Gutschrift gezahlt ({after})",
    "limit_minimum_exclusive": "{before} übersteigt die Mindestgutschrift von {bound} nicht: Es "
    "wird keine Gutschrift gezahlt ({after})",
    "limit_agreement_cap": "Der Vertrag begrenzt alle Gutschriften des Zeitraums zusammen auf "
    "{bound}: Aus {before} werden {after}",
    "step_owed": "Geschuldete Gutschrift",
    "support": "Support",
    "priority": "Priorität",
    "timer": "Frist",
    "priority_timer": "{priority} {timer}",
    "first-response": "Erstreaktion",
    "resolution": "Lösung",
    "decided_met": "Eingehalten",
    "decided_missed": "Verfehlt",
    "attained": "Erreicht",
    "required": "Gefordert",
    "not_measured": "Nicht gemessen: Für ihre Priorität enthält diese Fassung kein Ziel; sie "
    "zählen weder als eingehalten noch als verfehlt — {tickets}.",
    "clock_calendar": "Fristen laufen nur in der Geschäftszeit ({calendar}); solange auf eine "
    "Antwort "
    "des Kunden gewartet wird, ruhen sie.",
    "clock_wall": "Fristen laufen rund um die Uhr (24×7); solange auf eine Antwort des Kunden "
    "gewartet wird, ruhen sie.",
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
    "duration_d": "{n}\u00a0Tg.",
    "duration_h": "{n}\u00a0Std.",
    "duration_min": "{n}\u00a0Min.",
    "duration_s": "{n}\u00a0Sek.",
    "duration_join": " ",
    "none": "keine",
    "reason_join": "; ",
    "reason_window": "{window}: {why}",
    "reason_maintenance": "geplante Wartung",
    "reason_maintenance_named": "Wartung „{name}“",
    "reason_announced": "{ahead} vorher angekündigt (Ankündigungsfrist {notice})",
    "reason_announced_late": "nur {ahead} vorher angekündigt, Ankündigungsfrist {notice}",
    "reason_not_excludable": "Wartung ist laut Vertrag nicht ausgenommen",
    "reason_customer_caused": "Störung {id}: vom Kunden verursacht",
    "reason_force_majeure": "Störung {id}: höhere Gewalt",
    "reason_incident": "Störung {id}",
    "reason_incident_detail": "Störung {id} ({detail})",
    "reason_components": "{k} oder mehr von {n} Komponenten ausgefallen: {incidents}",
    "reason_records_end": "{why}: die gespeicherten Aufzeichnungen enden am {at}",
    "reason_records_start": "{why}: die gespeicherten Aufzeichnungen beginnen am {at}",
    "reason_cover_none": "die gespeicherten Aufzeichnungen decken nichts davon ab ({why})",
    "reason_no_records": "für diese Zeit sind keine Aufzeichnungen gespeichert",
    "reason_no_requests_stored": "für diesen Dienst sind keine Anfragen gespeichert",
    "reason_before_records_from": "vor Beginn der Störungsaufzeichnungen (recordsFrom)",
    "reason_no_incident_on_record": "zu {services} ist keine Störung verzeichnet; falls keine "
    "auftrat, gibt measurement.recordsFrom des Vertrags an, seit wann die Aufzeichnungen "
    "vollständig sind",
    "reason_before_first_incident": "vor der ersten verzeichneten Störung",
    "reason_not_in_force": "keine berücksichtigte Zeit im Zeitraum (die Version war nicht in "
    "Kraft)",
    "reason_not_happened": "von der Zeit, in der die Version in Kraft war, ist noch nichts "
    "vergangen",
    "reason_all_seconds_excluded": "jede gemessene Sekunde ist ausgenommen",
    "reason_no_whole_interval": "kein vollständiges Messintervall in der berücksichtigten Zeit",
    "reason_all_excluded": "jedes Messintervall ist ausgenommen",
    "reason_no_requests_period": "keine Anfragen im Zeitraum",
    "reason_no_requests_eligible": "keine Anfragen in der berücksichtigten Zeit",
    "reason_run_counted": "Teil einer Folge fehlerhafter Intervalle von {run} "
    "[[run|one:Minute|other:Minuten]], "
    "mindestens so lang wie der minimumRun von {minimum} [[minimum|one:Minute|other:Minuten]]: "
    "Ausfallzeit",
    "reason_run_short": "Teil einer Folge fehlerhafter Intervalle von {run} "
    "[[run|one:Minute|other:Minuten]], "
    "kürzer als der minimumRun von {minimum} [[minimum|one:Minute|other:Minuten]]: "
    "keine Ausfallzeit",
    # das Kundenportal (web.portal): seine Seiten in der Sprache der Abrechnungen
    "portal_skip": "Zum Inhalt springen",
    "portal_sign_out": "Abmelden",
    "portal_role": "Kunde",
    "portal_languages": "Sprache",
    "portal_title": "{name}: Verträge",
    "portal_as_of": "Stand: {at}.",
    "portal_agreements": "Ihre Verträge",
    "portal_agreement": "Vertrag",
    "portal_in_force": "Gültige Version",
    "portal_signed_versions": "Unterzeichnete Versionen",
    "portal_version": "Version {version} ({status})",
    "portal_status_draft": "Entwurf",
    "portal_status_proposed": "vorgeschlagen",
    "portal_status_signed": "unterzeichnet",
    "portal_status_active": "aktiv",
    "portal_status_superseded": "abgelöst",
    "portal_status_expired": "abgelaufen",
    "portal_status_terminated": "beendet",
    "portal_no_agreement": "Kein unterzeichneter Vertrag.",
    "portal_period": "Dieser Zeitraum: {period}",
    "portal_period_so_far": "Dieser Zeitraum: {period} (bisher)",
    "portal_commitment": "Zusage",
    "portal_committed": "Zugesagt",
    "portal_level": "Bisher gemessen",
    "portal_against": "Gemessen an der Zusage",
    "portal_credit": "Gutschrift",
    "portal_meter": "gemessen {level}, zugesagt {committed}",
    "portal_met": "eingehalten",
    "portal_missed": "verfehlt",
    "portal_open": "offen",
    "portal_no_data": "keine Daten",
    "portal_support": "Support",
    "portal_no_availability": "Keine Verfügbarkeitszusage in diesem Zeitraum.",
    "portal_credits_owed": "Geschuldete Gutschriften: {amounts}.",
    "portal_penalties_owed": "Geschuldete Vertragsstrafen: {amounts}.",
    "portal_terms": "Der Wortlaut Ihrer Zusagen",
    "portal_tickets": "Tickets",
    "portal_tickets_caption": "Ihre Tickets mit laufenden Support-Fristen (in diesem Zeitraum "
    "eröffnet oder noch offen), Stand {at}",
    "portal_opened": "Eröffnet",
    "portal_timers": "Fristen",
    "portal_timer_kind": "{kind}:",
    "portal_state_met": "eingehalten",
    "portal_state_breached": "überschritten",
    "portal_state_running": "läuft",
    "portal_state_at-risk-50": "gefährdet (die Hälfte der Zeit verbraucht)",
    "portal_state_at-risk-75": "gefährdet (drei Viertel der Zeit verbraucht)",
    "portal_reopened": "(wieder eröffnet, nachdem Zyklus {cycle} überschritten wurde)",
    "portal_minutes_left_one": "noch {count}\u00a0Min.",
    "portal_minutes_left_other": "noch {count}\u00a0Min.",
    "portal_unmeasured": "Nicht gemessen: vor mehr als 49 Jahren eröffnet, jenseits der 50 "
    "Jahre, die ein Support-Kalender abdeckt – das Eröffnungsdatum ist wahrscheinlich falsch "
    "(Ihr Anbieter sieht das ebenfalls).",
    "portal_no_live_tickets": "Kein in diesem Zeitraum eröffnetes oder noch offenes Ticket hat "
    "eine Frist.",
    "portal_earlier": "Frühere Tickets ({count})",
    "portal_earlier_shown": "{shown} von {total} angezeigt, die neuesten zuerst: eröffnet "
    "zwischen {first} und {last}.",
    "portal_earlier_ticket": "{ticket} ({priority}), eröffnet am {at}",
    "portal_no_earlier": "Hier gibt es kein früheres Ticket.",
    "portal_newest": "Die neuesten anzeigen",
    "portal_pages": "Seiten der früheren Tickets",
    "portal_newer": "Neuere",
    "portal_older": "Ältere",
    "portal_statements": "Abrechnungen",
    "portal_statement_for": "Abrechnung für {period}",
    "portal_pdf": "PDF",
    "portal_pdf_of": " der Abrechnung für {period}",
    "portal_not_issued": "nicht ausgestellt: jetzt berechnet",
    # the portal's error pages (web.portal_errors)
    "portal_error_code": "Fehlercode: {code}",
    "portal_error_back": "Zurück zur Startseite",
    "portal_error_sign_in": "Anmelden",
    "portal_error_not_found": "Unter dieser Adresse gibt es keine Seite.",
    "portal_error_not_found_hint": (
        "Prüfen Sie die Adresse, oder kehren Sie zu Ihren Verträgen zurück und folgen Sie dort "
        "einem Link."
    ),
    "portal_error_forbidden": "Diese Seite ist für Kundenkonten nicht freigegeben.",
    "portal_error_forbidden_hint": (
        "Kehren Sie zu Ihren Verträgen zurück: Dort ist jede Seite verlinkt, die Ihnen offensteht."
    ),
    "portal_error_no_statement": "Für {period} gibt es keine Abrechnung.",
    "portal_error_no_statement_hint": (
        "Wählen Sie eine der Abrechnungen, die auf der Seite Ihrer Verträge aufgeführt sind."
    ),
    "portal_error_period": "Die Adresse nennt keinen Zeitraum.",
    "portal_error_period_hint": (
        "Geben Sie nach /statements/ einen Monat (2026-11) oder ein Quartal (2026-Q4) an, oder "
        "folgen Sie dem Link einer Abrechnung."
    ),
    "portal_error_lang": "?lang= nennt keine Sprache, in der das Portal verfügbar ist.",
    "portal_error_lang_hint": (
        "Wählen Sie eine Sprache über ihren Link oben auf der Seite (lang= eine von "
        "{languages}), oder lang= ohne Wert für die Sprache Ihrer Abrechnungen."
    ),
    "portal_error_cursor": "?{name}= nennt keine Position eines Tickets.",
    "portal_error_cursor_hint": "Folgen Sie den Links der Liste früherer Tickets.",
    "portal_error_revision": "revision= ist keine Revisionsnummer: eine ganze Zahl ab 1.",
    "portal_error_revision_hint": (
        "Öffnen Sie eine Revision über ihren Link auf der Seite der Abrechnung, oder lassen Sie"
        " revision weg, um die Abrechnung zu sehen, wie sie Ihnen vorliegt."
    ),
    "portal_error_no_revision": "Diese Abrechnung hat keine solche Revision.",
    "portal_error_no_revision_hint": "Öffnen Sie eine der unten verlinkten Revisionen.",
    "portal_error_revision_link": "Revision {revision}",
    "portal_error_whole": "Die Abrechnung dieses Zeitraums",
    "portal_error_pending": "Die Werte dieser Seite werden noch aufbereitet.",
    "portal_error_pending_hint": "Laden Sie die Seite in einer Minute neu.",
    "portal_error_input": "Die Adresse konnte nicht gelesen werden.",
    "portal_error_input_hint": "Folgen Sie den Links des Portals, statt die Adresse zu ändern.",
    "portal_error_internal": "Bei uns ist ein Fehler aufgetreten; er wurde protokolliert.",
    "portal_error_internal_hint": (
        "Versuchen Sie es später erneut. Tritt der Fehler weiter auf, nennen Sie Ihrem Anbieter"
        " den Zeitpunkt der Anfrage."
    ),
}
