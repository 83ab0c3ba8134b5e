"""French (``fr_FR``, ``fr_CA``, ``fr_BE``, ``fr_CH``, …): the English catalogue's keys and
placeholders, in the register of a provider's statement (« relevé », « crédit de service »).

Written with plain spaces before ``:`` ``;`` ``?`` and inside « »; :func:`_typeset` makes them
the no-break spaces French typography asks for, so a line never starts with a colon."""

from __future__ import annotations

_SPACES = (
    (" :", "\u00a0:"),
    (" ;", "\u202f;"),
    (" ?", "\u202f?"),
    ("« ", "«\u00a0"),
    (" »", "\u00a0»"),
)


def _typeset(text: str) -> str:
    for plain, kept in _SPACES:
        text = text.replace(plain, kept)
    return text


_WRITTEN: dict[str, str] = {
    "language": "fr",  # the plural rules (CLDR) of the choices ``[[n|one:…|other:…]]``
    "title": "Relevé de niveau de service",
    "number": "Numéro de relevé",
    "issuer": "Émetteur",
    "customer": "Client",
    "tax_id": "N° de TVA {number}",
    "registration": "Immatriculation : {number}",
    "reference": "Référence client {number}",
    "no_issuer": "(aucun émetteur configuré : renseigner spec.issuer dans les Settings de "
    "l’espace de travail)",
    "period": "Période",
    "period_range": "du {start} au {end}",
    "period_days": "{period} ({days})",
    "separator": " ; ",
    "with_utc": "{local} ({utc})",
    "zone": "Les heures sont indiquées en {zone} ; l’heure UTC figure entre parenthèses "
    "lorsque cela est utile.",
    "convention": "Une période inclut son premier et son dernier jour : elle court de 00:00 le "
    "premier jour jusqu’à 24:00 (la fin) le dernier jour. Une ligne de 09:00 à 11:30 a duré "
    "2 h 30 min ; 24:00 désigne la fin de la journée.",
    "generated": "Émis le",
    "issued_line": "Émis le {date}, révision {revision}. SHA-256 du JSON émis : {digest}",
    "draft": "Brouillon — non émis",
    "computed": "Calculé le",
    "issued_at": "{at}, révision {revision}",
    "issued_short": "Émis le {date}, révision {revision}",
    "agreements": "Contrats",
    "agreement_version": "{name}, version {version}",
    "not_included_quarter": "{name} est mesuré par trimestre : ses chiffres ne figurent pas "
    "dans ce relevé mais dans celui de {periods}.",
    "not_included_month": "{name} est mesuré par mois : ses chiffres ne figurent pas dans ce "
    "relevé mais dans ceux de {periods}.",
    "final": "Relevé définitif.",
    "final_draft": "La période est terminée ; ce brouillon n’est pas un relevé émis.",
    "in_progress": "Provisoire : la période est en cours (situation au {at}).",
    "partial": "Provisoire : les enregistrements conservés ne couvrent pas l’intégralité de la "
    "période (situation au {at}).",
    "timers_one": "Provisoire : la période est terminée, mais {count} délai de support de ses "
    "tickets court encore (situation au {at}).",
    "timers_other": "Provisoire : la période est terminée, mais {count} délais de support de "
    "ses tickets courent encore (situation au {at}).",
    "support_timers_one": "{count} délai de support",
    "support_timers_other": "{count} délais de support",
    "summary": "Récapitulatif",
    "item": "Poste",
    "amount": "Montant",
    "credit_item": "Crédit de service : {name}",
    "penalty_item": "Pénalité de support : {name}",
    "total": "Total dû au client",
    "nothing_owed": "Aucun montant n’est dû au titre de cette période.",
    "claim_by": "Date limite de réclamation",
    "claim_note": "Les crédits de service doivent être demandés au plus tard le {deadline}.",
    "availability": "Disponibilité",
    "terms": "L’engagement",
    "services": "Services",
    "committed": "Niveau garanti",
    "measured": "Niveau mesuré",
    "eligible": "Temps pris en compte",
    "downtime": "Indisponibilité comptabilisée",
    "excluded": "Temps exclu",
    "uncovered": "Non couvert par les enregistrements",
    "met": "respecté",
    "missed": "non respecté",
    "open": "En cours",
    "no_data": "aucune donnée ({why})",
    "level_state": "{level} ({state})",
    "evidence": "Indisponibilités et exclusions",
    "from": "Début",
    "to": "Fin",
    "duration": "Durée",
    "treatment": "Comptabilisée ?",
    "details": "Détails",
    "counted": "comptée comme indisponibilité",
    "excluded_row": "exclue",
    "not_excluded_row": "non exclue",
    "short_run_row": "non comptée",
    "uncovered_row": "non couverte",
    "no_evidence": "Aucune indisponibilité n’a été enregistrée pendant le temps pris en compte.",
    "intervals_one": "{count} intervalle de {size} [[size|one:minute|other:minutes]] dont le "
    "taux d’erreur atteint ou "
    "dépasse le seuil de {threshold} (de {low} à {high} d’erreurs)",
    "intervals_other": "{count} intervalles de {size} [[size|one:minute|other:minutes]] dont le "
    "taux d’erreur atteint ou "
    "dépasse le seuil de {threshold} (de {low} à {high} d’erreurs)",
    "credit": "Crédit de service",
    "step_level": "Niveau mesuré",
    "step_tier": "Palier de crédit",
    "no_tier": "aucun : l’engagement a été respecté",
    "step_fee": "Redevance de la période",
    "step_pro_rata": "{fee} pour toute la période, au prorata de {part} sur {whole}",
    "step_percent": "{percent} de {fee}",
    "step_limits": "Après plafond et minimum",
    "limit_cap": "{before} dépasse le plafond de l’engagement de {bound} : le crédit est "
    "plafonné à {after}",
    "limit_cap_percent": "{before} dépasse le plafond de l’engagement de {percent} de la "
    "redevance ({bound}) : le crédit est plafonné à {after}",
    "limit_minimum": "{before} est inférieur au crédit minimum versé de {bound} : aucun "
    "crédit n’est accordé ({after})",
    "limit_minimum_exclusive": "{before} ne dépasse pas le crédit minimum versé de {bound} : "
    "aucun crédit n’est accordé ({after})",
    "limit_agreement_cap": "Le contrat plafonne l’ensemble des crédits de la période à "
    "{bound} : {before} est ramené à {after}",
    "step_owed": "Crédit dû",
    "support": "Support",
    "priority": "Priorité",
    "timer": "Délai",
    "priority_timer": "{timer} ({priority})",
    "first-response": "première réponse",
    "resolution": "résolution",
    "decided_met": "Respectés",
    "decided_missed": "Non respectés",
    "attained": "Taux atteint",
    "required": "Taux exigé",
    "not_measured": "Non mesurés : cette version ne fixe aucun objectif pour leur priorité ; "
    "ils ne comptent ni comme respectés ni comme manqués — {tickets}.",
    "clock_calendar": "Les délais sont décomptés en heures ouvrées ({calendar}) ; le décompte "
    "est suspendu pendant l’attente d’une réponse du client.",
    "clock_wall": "Les délais sont décomptés en temps calendaire (24 h/24, 7 j/7) ; le décompte "
    "est suspendu pendant l’attente d’une réponse du client.",
    "late": "Tickets en retard",
    "ticket": "Ticket",
    "started": "Début",
    "stopped": "Fin",
    "target": "Objectif",
    "elapsed": "Décompté",
    "paused": "Suspendu",
    "late_by": "Retard",
    "running": "en cours",
    "penalty": "Pénalité de support due",
    "penalty_amount": "Pénalité forfaitaire",
    "no_penalty": "Tous les objectifs de taux ont été atteints : aucune pénalité.",
    "truncated": "Les niveaux sont tronqués, et non arrondis, à trois décimales (un niveau de "
    "{example_exact} s’affiche {example_shown}), de sorte qu’un chiffre ne paraisse jamais "
    "atteindre un seuil manqué. Les bornes des paliers s’appliquent exactement telles que le "
    "contrat les énonce.",
    "duration_d": "{n}\u00a0j",
    "duration_h": "{n}\u00a0h",
    "duration_min": "{n}\u00a0min",
    "duration_s": "{n}\u00a0s",
    "duration_join": " ",
    "none": "aucun",
    "reason_join": " ; ",
    "reason_window": "{window} : {why}",
    "reason_maintenance": "maintenance planifiée",
    "reason_maintenance_named": "maintenance « {name} »",
    "reason_announced": "annoncée {ahead} à l’avance (préavis de {notice})",
    "reason_announced_late": "annoncée {ahead} à l’avance, préavis requis de {notice}",
    "reason_not_excludable": "la maintenance n’est pas exclue par ce contrat",
    "reason_customer_caused": "incident {id} : causé par le client",
    "reason_force_majeure": "incident {id} : force majeure",
    "reason_incident": "incident {id}",
    "reason_incident_detail": "incident {id} ({detail})",
    "reason_components": "au moins {k} [[k|one:composant indisponible|other:composants "
    "indisponibles]] "
    "sur {n} : {incidents}",
    "reason_records_end": "{why} : les enregistrements conservés s’arrêtent à {at}",
    "reason_records_start": "{why} : les enregistrements conservés commencent à {at}",
    "reason_cover_none": "les enregistrements conservés n’en couvrent aucune partie ({why})",
    "reason_no_records": "aucun enregistrement conservé pour cette plage",
    "reason_no_requests_stored": "aucune requête n’est enregistrée pour ce service",
    "reason_before_records_from": "avant le début des enregistrements d’incidents (recordsFrom)",
    "reason_no_incident_on_record": "aucun incident n’est enregistré pour {services} ; si "
    "aucun ne s’est produit, le champ measurement.recordsFrom du contrat indique depuis quand "
    "les enregistrements sont complets",
    "reason_before_first_incident": "avant le premier incident enregistré",
    "reason_not_in_force": "aucun temps pris en compte dans la période (la version n’était "
    "pas en vigueur)",
    "reason_not_happened": "aucune partie du temps où la version était en vigueur ne s’est "
    "encore écoulée",
    "reason_all_seconds_excluded": "chaque seconde mesurée est exclue",
    "reason_no_whole_interval": "aucun intervalle de mesure complet dans le temps pris en compte",
    "reason_all_excluded": "tous les intervalles de mesure sont exclus",
    "reason_no_requests_period": "aucune requête pendant la période",
    "reason_no_requests_eligible": "aucune requête pendant le temps pris en compte",
    "reason_run_counted": "partie d’une série de {run} [[run|one:minute|other:minutes]] "
    "d’intervalles en défaut, "
    "atteignant le minimumRun de {minimum} [[minimum|one:minute|other:minutes]] : "
    "indisponibilité",
    "reason_run_short": "partie d’une série de {run} [[run|one:minute|other:minutes]] "
    "d’intervalles en défaut, "
    "plus courte que le minimumRun de {minimum} [[minimum|one:minute|other:minutes]] : "
    "pas une indisponibilité",
    # le portail client (web.portal) : ses pages dans la langue des relevés
    "portal_skip": "Aller au contenu",
    "portal_sign_out": "Se déconnecter",
    "portal_role": "client",
    "portal_languages": "Langue",
    "portal_title": "{name} : contrats",
    "portal_as_of": "Situation au {at}.",
    "portal_agreements": "Vos contrats",
    "portal_agreement": "Contrat",
    "portal_in_force": "Version en vigueur",
    "portal_signed_versions": "Versions signées",
    "portal_version": "version {version} ({status})",
    "portal_status_draft": "brouillon",
    "portal_status_proposed": "proposée",
    "portal_status_signed": "signée",
    "portal_status_active": "active",
    "portal_status_superseded": "remplacée",
    "portal_status_expired": "expirée",
    "portal_status_terminated": "résiliée",
    "portal_no_agreement": "Aucun contrat signé.",
    "portal_period": "Période en cours : {period}",
    "portal_period_so_far": "Période en cours : {period} (jusqu’à présent)",
    "portal_commitment": "Engagement",
    "portal_committed": "Niveau garanti",
    "portal_level": "Niveau à ce jour",
    "portal_against": "Par rapport à l’engagement",
    "portal_credit": "Crédit",
    "portal_meter": "niveau {level} pour un niveau garanti de {committed}",
    "portal_met": "respecté",
    "portal_missed": "non respecté",
    "portal_open": "en cours",
    "portal_no_data": "aucune donnée",
    "portal_support": "support",
    "portal_no_availability": "Aucun engagement de disponibilité pour cette période.",
    "portal_credits_owed": "Crédits dus : {amounts}.",
    "portal_penalties_owed": "Pénalités dues : {amounts}.",
    "portal_terms": "Le texte de vos engagements",
    "portal_tickets": "Tickets",
    "portal_tickets_caption": "Vos tickets avec des délais de support en cours (ouverts pendant "
    "cette période, ou encore ouverts), au {at}",
    "portal_opened": "Ouvert le",
    "portal_timers": "Délais",
    "portal_timer_kind": "{kind} :",
    "portal_state_met": "respecté",
    "portal_state_breached": "dépassé",
    "portal_state_running": "en cours",
    "portal_state_at-risk-50": "menacé (la moitié du délai écoulée)",
    "portal_state_at-risk-75": "menacé (les trois quarts du délai écoulés)",
    "portal_reopened": "(rouvert après le dépassement du cycle {cycle})",
    "portal_minutes_left_one": "{count}\u00a0min restante",
    "portal_minutes_left_other": "{count}\u00a0min restantes",
    "portal_unmeasured": "Non mesuré : ouvert il y a plus de 49 ans, au-delà des 50 années "
    "que couvre un calendrier de support — sa date d’ouverture est probablement erronée (votre "
    "prestataire le voit aussi).",
    "portal_no_live_tickets": "Aucun ticket ouvert pendant cette période ou encore ouvert n’a "
    "de délai.",
    "portal_earlier": "Tickets précédents ({count})",
    "portal_earlier_shown": "{shown} [[shown|one:affiché|other:affichés]] sur {total}, du plus "
    "récent au plus ancien : "
    "ouverts du {first} au {last}.",
    "portal_earlier_ticket": "{ticket} ({priority}), ouvert le {at}",
    "portal_no_earlier": "Aucun ticket précédent ici.",
    "portal_newest": "Afficher les plus récents",
    "portal_pages": "Pages des tickets précédents",
    "portal_newer": "Plus récents",
    "portal_older": "Plus anciens",
    "portal_statements": "Relevés",
    "portal_statement_for": "Relevé de {period}",
    "portal_pdf": "PDF",
    "portal_pdf_of": " du relevé de {period}",
    "portal_not_issued": "non émis : calculé à l’instant",
    # the portal's error pages (web.portal_errors)
    "portal_error_code": "Code d’erreur : {code}",
    "portal_error_back": "Retour à la page d’accueil",
    "portal_error_sign_in": "Se connecter",
    "portal_error_not_found": "Il n’y a aucune page à cette adresse.",
    "portal_error_not_found_hint": (
        "Vérifiez l’adresse, ou revenez à vos contrats et suivez un lien depuis cette page."
    ),
    "portal_error_forbidden": "Cette page n’est pas accessible aux comptes client.",
    "portal_error_forbidden_hint": (
        "Revenez à vos contrats : toutes les pages qui vous sont ouvertes y sont liées."
    ),
    "portal_error_no_statement": "Il n’y a aucun relevé pour {period}.",
    "portal_error_no_statement_hint": (
        "Choisissez l’un des relevés proposés sur la page de vos contrats."
    ),
    "portal_error_period": "L’adresse ne désigne pas une période.",
    "portal_error_period_hint": (
        "Indiquez un mois (2026-11) ou un trimestre (2026-Q4) après /statements/, ou suivez le "
        "lien d’un relevé."
    ),
    "portal_error_lang": "?lang= ne désigne pas une langue dans laquelle le portail est rédigé.",
    "portal_error_lang_hint": (
        "Choisissez une langue par son lien en haut de la page (lang= parmi {languages}), ou "
        "lang= sans valeur pour la langue de vos relevés."
    ),
    "portal_error_cursor": "?{name}= ne désigne pas la position d’un ticket.",
    "portal_error_cursor_hint": "Suivez les liens de la liste des tickets précédents.",
    "portal_error_revision": (
        "revision= n’est pas un numéro de révision : un nombre entier à partir de 1."
    ),
    "portal_error_revision_hint": (
        "Ouvrez une révision par son lien sur la page du relevé, ou retirez revision pour le "
        "relevé tel qu’il vous est remis."
    ),
    "portal_error_no_revision": "Ce relevé n’a pas cette révision.",
    "portal_error_no_revision_hint": "Ouvrez l’une des révisions liées ci-dessous.",
    "portal_error_revision_link": "Révision {revision}",
    "portal_error_whole": "Le relevé de cette période",
    "portal_error_pending": "Les chiffres de cette page sont encore en préparation.",
    "portal_error_pending_hint": "Rechargez la page dans une minute.",
    "portal_error_input": "L’adresse n’a pas pu être lue.",
    "portal_error_input_hint": "Suivez les liens du portail au lieu de modifier l’adresse.",
    "portal_error_internal": "Une erreur s’est produite de notre côté ; elle a été consignée.",
    "portal_error_internal_hint": (
        "Réessayez plus tard. Si le problème persiste, indiquez à votre prestataire l’heure de "
        "la demande."
    ),
}

LABELS: dict[str, str] = {key: _typeset(text) for key, text in _WRITTEN.items()}
