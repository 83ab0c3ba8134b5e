"""Spanish (``es_ES``, ``es_MX``, ``es_AR``, …): the English catalogue's keys and
placeholders, in the register of a provider's statement (« informe », « crédito de servicio »)."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "language": "es",  # the plural rules (CLDR) of the choices ``[[n|one:…|other:…]]``
    "title": "Informe de nivel de servicio",
    "number": "Número de informe",
    "issuer": "Emisor",
    "customer": "Cliente",
    "tax_id": "Identificación fiscal {number}",
    "registration": "Registro: {number}",
    "reference": "Número de cliente {number}",
    "no_issuer": "(no hay emisor configurado: defina spec.issuer en los Settings del espacio "
    "de trabajo)",
    "period": "Periodo",
    "period_range": "del {start} al {end}",
    "period_days": "{period} ({days})",
    "separator": "; ",
    "with_utc": "{local} ({utc})",
    "zone": "Las horas se indican en {zone}; la hora UTC figura entre paréntesis cuando "
    "resulta útil.",
    "convention": "Un periodo incluye su primer y su último día: abarca desde las 00:00 del "
    "primer día hasta las 24:00 (el final) del último. Una fila de 09:00 a 11:30 duró "
    "2 h 30 min; las 24:00 son el final de ese día.",
    "generated": "Emitido",
    "issued_line": "Emitido el {date}, revisión {revision}. SHA-256 del JSON emitido: {digest}",
    "draft": "Borrador: no emitido",
    "computed": "Calculado",
    "issued_at": "{at}, revisión {revision}",
    "issued_short": "Emitido el {date}, revisión {revision}",
    "agreements": "Contratos",
    "agreement_version": "{name}, versión {version}",
    "not_included_quarter": "{name} se mide por trimestre: sus cifras no están en este "
    "informe sino en el de {periods}.",
    "not_included_month": "{name} se mide por mes: sus cifras no están en este informe sino en los "
    "de {periods}.",
    "final": "Informe definitivo.",
    "final_draft": "El periodo ha terminado; este borrador no es un informe emitido.",
    "in_progress": "Provisional: el periodo aún está en curso (a fecha de {at}).",
    "partial": "Provisional: los registros almacenados no cubren todo el periodo (a fecha de "
    "{at}).",
    "timers_one": "Provisional: el periodo ha concluido, pero {count} plazo de soporte de sus "
    "tickets sigue corriendo (a fecha de {at}).",
    "timers_other": "Provisional: el periodo ha concluido, pero {count} plazos de soporte de "
    "sus tickets siguen corriendo (a fecha de {at}).",
    "support_timers_one": "{count} plazo de soporte",
    "support_timers_other": "{count} plazos de soporte",
    "summary": "Resumen",
    "item": "Concepto",
    "amount": "Importe",
    "credit_item": "Crédito de servicio: {name}",
    "penalty_item": "Penalización de soporte: {name}",
    "total": "Total adeudado al cliente",
    "nothing_owed": "No se adeuda ningún importe por este periodo.",
    "claim_by": "Plazo de reclamación",
    "claim_note": "Los créditos deben reclamarse a más tardar el {deadline}.",
    "availability": "Disponibilidad",
    "terms": "El compromiso",
    "services": "Servicios",
    "committed": "Nivel comprometido",
    "measured": "Nivel medido",
    "eligible": "Tiempo computable",
    "downtime": "Tiempo de inactividad computado",
    "excluded": "Tiempo excluido",
    "uncovered": "Sin cobertura de registros",
    "met": "cumplido",
    "missed": "incumplido",
    "open": "En curso",
    "no_data": "sin datos ({why})",
    "level_state": "{level} ({state})",
    "evidence": "Tiempo de inactividad y exclusiones",
    "from": "Desde",
    "to": "Hasta",
    "duration": "Duración",
    "treatment": "¿Computado?",
    "details": "Detalles",
    "counted": "computado como tiempo de inactividad",
    "excluded_row": "excluido",
    "not_excluded_row": "no excluido",
    "short_run_row": "no computado",
    "uncovered_row": "sin cobertura",
    "no_evidence": "No se registró tiempo de inactividad en el tiempo computable.",
    "intervals_one": "{count} intervalo de {size} [[size|one:minuto|other:minutos]] con una "
    "tasa de errores igual o "
    "superior al umbral de {threshold} (del {low} al {high} de errores)",
    "intervals_other": "{count} intervalos de {size} [[size|one:minuto|other:minutos]] con una "
    "tasa de errores igual o "
    "superior al umbral de {threshold} (del {low} al {high} de errores)",
    "credit": "Crédito de servicio",
    "step_level": "Nivel medido",
    "step_tier": "Tramo de crédito",
    "no_tier": "ninguno: se cumplió el compromiso",
    "step_fee": "Cuota del periodo",
    "step_pro_rata": "{fee} por todo el periodo, prorrateada a {part} de {whole}",
    "step_percent": "{percent} de {fee}",
    "step_limits": "Tras el límite máximo y el mínimo",
    "limit_cap": "{before} supera el límite máximo del compromiso de {bound}: el crédito se "
    "limita a {after}",
    "limit_cap_percent": "{before} supera el límite máximo del compromiso del {percent} de la "
    "cuota ({bound}): el crédito se limita a {after}",
    "limit_minimum": "{before} es inferior al crédito mínimo pagadero de {bound}: no se abona "
    "ningún crédito ({after})",
    "limit_minimum_exclusive": "{before} no supera el crédito mínimo pagadero de {bound}: no "
    "se abona ningún crédito ({after})",
    "limit_agreement_cap": "El contrato limita el conjunto de los créditos del periodo a "
    "{bound}: {before} se reduce a {after}",
    "step_owed": "Crédito adeudado",
    "support": "Soporte",
    "priority": "Prioridad",
    "timer": "Plazo",
    "priority_timer": "{timer} ({priority})",
    "first-response": "primera respuesta",
    "resolution": "resolución",
    "decided_met": "Cumplidos",
    "decided_missed": "Incumplidos",
    "attained": "Alcanzado",
    "required": "Exigido",
    "not_measured": "No medidos: esta versión no fija ningún objetivo para su prioridad, por "
    "lo que no cuentan como cumplidos ni como incumplidos — {tickets}.",
    "clock_calendar": "Los plazos se computan en horario laborable ({calendar}); el tiempo de "
    "espera de respuesta del cliente queda en pausa.",
    "clock_wall": "Los plazos se computan en tiempo natural (24×7); el tiempo de espera de "
    "respuesta del cliente queda en pausa.",
    "late": "Tickets fuera de plazo",
    "ticket": "Ticket",
    "started": "Inicio",
    "stopped": "Fin",
    "target": "Objetivo",
    "elapsed": "Computado",
    "paused": "En pausa",
    "late_by": "Retraso",
    "running": "en curso",
    "penalty": "Penalización de soporte adeudada",
    "penalty_amount": "Penalización fija",
    "no_penalty": "Se alcanzaron todos los objetivos de cumplimiento: no procede penalización.",
    "truncated": "Los niveles se truncan, no se redondean, a tres decimales (un nivel de "
    "{example_exact} se muestra como {example_shown}), de modo que ninguna cifra parezca "
    "alcanzar un umbral incumplido. Los límites de los tramos se aplican exactamente como los "
    "redacta el contrato.",
    "duration_d": "{n}\u00a0d",
    "duration_h": "{n}\u00a0h",
    "duration_min": "{n}\u00a0min",
    "duration_s": "{n}\u00a0s",
    "duration_join": " ",
    "none": "ninguno",
    "reason_join": "; ",
    "reason_window": "{window}: {why}",
    "reason_maintenance": "mantenimiento programado",
    "reason_maintenance_named": "mantenimiento «{name}»",
    "reason_announced": "anunciado con {ahead} de antelación (preaviso de {notice})",
    "reason_announced_late": "anunciado con {ahead} de antelación, preaviso exigido de {notice}",
    "reason_not_excludable": "este contrato no excluye el mantenimiento",
    "reason_customer_caused": "incidencia {id}: causada por el cliente",
    "reason_force_majeure": "incidencia {id}: fuerza mayor",
    "reason_incident": "incidencia {id}",
    "reason_incident_detail": "incidencia {id} ({detail})",
    "reason_components": "{k} o más de {n} componentes caídos: {incidents}",
    "reason_records_end": "{why}: los registros almacenados terminan el {at}",
    "reason_records_start": "{why}: los registros almacenados comienzan el {at}",
    "reason_cover_none": "los registros almacenados no cubren nada de ese tiempo ({why})",
    "reason_no_records": "no hay registros almacenados para este tiempo",
    "reason_no_requests_stored": "no hay solicitudes almacenadas para este servicio",
    "reason_before_records_from": "antes del inicio de los registros de incidencias (recordsFrom)",
    "reason_no_incident_on_record": "no consta ninguna incidencia en {services}; si no se "
    "produjo ninguna, measurement.recordsFrom del contrato indica desde cuándo los registros "
    "están completos",
    "reason_before_first_incident": "antes de la primera incidencia registrada",
    "reason_not_in_force": "sin tiempo computable en el periodo (la versión no estaba en vigor)",
    "reason_not_happened": "aún no ha transcurrido nada del tiempo en que la versión estaba "
    "en vigor",
    "reason_all_seconds_excluded": "cada segundo medido está excluido",
    "reason_no_whole_interval": "ningún intervalo de medición completo en el tiempo computable",
    "reason_all_excluded": "todos los intervalos de medición están excluidos",
    "reason_no_requests_period": "ninguna solicitud en el periodo",
    "reason_no_requests_eligible": "ninguna solicitud en el tiempo computable",
    "reason_run_counted": "parte de una racha de {run} [[run|one:minuto|other:minutos]] de "
    "intervalos con "
    "errores, que alcanza el minimumRun de {minimum} [[minimum|one:minuto|other:minutos]]: "
    "tiempo de inactividad",
    "reason_run_short": "parte de una racha de {run} [[run|one:minuto|other:minutos]] de "
    "intervalos con "
    "errores, más corta que el minimumRun de {minimum} [[minimum|one:minuto|other:minutos]]: "
    "no es tiempo de inactividad",
    # el portal del cliente (web.portal): sus páginas en el idioma de los informes
    "portal_skip": "Ir al contenido",
    "portal_sign_out": "Cerrar sesión",
    "portal_role": "cliente",
    "portal_languages": "Idioma",
    "portal_title": "{name}: contratos",
    "portal_as_of": "A fecha de {at}.",
    "portal_agreements": "Sus contratos",
    "portal_agreement": "Contrato",
    "portal_in_force": "Versión vigente",
    "portal_signed_versions": "Versiones firmadas",
    "portal_version": "versión {version} ({status})",
    "portal_status_draft": "borrador",
    "portal_status_proposed": "propuesta",
    "portal_status_signed": "firmada",
    "portal_status_active": "activa",
    "portal_status_superseded": "sustituida",
    "portal_status_expired": "vencida",
    "portal_status_terminated": "rescindida",
    "portal_no_agreement": "Ningún contrato firmado.",
    "portal_period": "Este periodo: {period}",
    "portal_period_so_far": "Este periodo: {period} (hasta ahora)",
    "portal_commitment": "Compromiso",
    "portal_committed": "Comprometido",
    "portal_level": "Nivel hasta ahora",
    "portal_against": "Frente al compromiso",
    "portal_credit": "Crédito",
    "portal_meter": "nivel {level} frente a {committed} comprometido",
    "portal_met": "cumplido",
    "portal_missed": "incumplido",
    "portal_open": "en curso",
    "portal_no_data": "sin datos",
    "portal_support": "soporte",
    "portal_no_availability": "Ningún compromiso de disponibilidad en este periodo.",
    "portal_credits_owed": "Créditos adeudados: {amounts}.",
    "portal_penalties_owed": "Penalizaciones adeudadas: {amounts}.",
    "portal_terms": "El texto de sus compromisos",
    "portal_tickets": "Tickets",
    "portal_tickets_caption": "Sus tickets con plazos de soporte en curso (abiertos en este "
    "periodo o aún abiertos), a fecha de {at}",
    "portal_opened": "Abierto",
    "portal_timers": "Plazos",
    "portal_timer_kind": "{kind}:",
    "portal_state_met": "cumplido",
    "portal_state_breached": "superado",
    "portal_state_running": "en curso",
    "portal_state_at-risk-50": "en riesgo (la mitad del plazo consumida)",
    "portal_state_at-risk-75": "en riesgo (tres cuartas partes del plazo consumidas)",
    "portal_reopened": "(reabierto tras superarse el ciclo {cycle})",
    "portal_minutes_left_one": "queda {count}\u00a0min",
    "portal_minutes_left_other": "quedan {count}\u00a0min",
    "portal_unmeasured": "Sin medir: abierto hace más de 49 años, más allá de los 50 años que "
    "cubre un calendario de soporte; probablemente su fecha de apertura es errónea (su "
    "proveedor también lo ve).",
    "portal_no_live_tickets": "Ningún ticket abierto en este periodo o aún abierto tiene un plazo.",
    "portal_earlier": "Tickets anteriores ({count})",
    "portal_earlier_shown": "Se muestran {shown} de {total}, primero los más recientes: "
    "abiertos del {first} al {last}.",
    "portal_earlier_ticket": "{ticket} ({priority}), abierto el {at}",
    "portal_no_earlier": "No hay ningún ticket anterior aquí.",
    "portal_newest": "Ver los más recientes",
    "portal_pages": "Páginas de tickets anteriores",
    "portal_newer": "Más recientes",
    "portal_older": "Más antiguos",
    "portal_statements": "Informes",
    "portal_statement_for": "Informe de {period}",
    "portal_pdf": "PDF",
    "portal_pdf_of": " del informe de {period}",
    "portal_not_issued": "no emitido: calculado ahora",
    # the portal's error pages (web.portal_errors)
    "portal_error_code": "Código de error: {code}",
    "portal_error_back": "Volver a la página de inicio",
    "portal_error_sign_in": "Iniciar sesión",
    "portal_error_not_found": "No hay ninguna página en esta dirección.",
    "portal_error_not_found_hint": (
        "Compruebe la dirección, o vuelva a sus contratos y siga un enlace desde allí."
    ),
    "portal_error_forbidden": "Esta página no está disponible para cuentas de cliente.",
    "portal_error_forbidden_hint": (
        "Vuelva a sus contratos: desde allí se enlazan todas las páginas a las que tiene acceso."
    ),
    "portal_error_no_statement": "No hay ningún informe de {period}.",
    "portal_error_no_statement_hint": (
        "Elija uno de los informes que figuran en la página de sus contratos."
    ),
    "portal_error_period": "La dirección no indica un periodo.",
    "portal_error_period_hint": (
        "Escriba un mes (2026-11) o un trimestre (2026-Q4) después de /statements/, o siga el "
        "enlace de un informe."
    ),
    "portal_error_lang": "?lang= no indica un idioma en el que esté disponible el portal.",
    "portal_error_lang_hint": (
        "Elija un idioma con su enlace en la parte superior de la página (lang= uno de "
        "{languages}), o lang= vacío para el idioma de sus informes."
    ),
    "portal_error_cursor": "?{name}= no indica la posición de un ticket.",
    "portal_error_cursor_hint": "Siga los enlaces de la lista de tickets anteriores.",
    "portal_error_revision": (
        "revision= no es un número de revisión: un número entero a partir de 1."
    ),
    "portal_error_revision_hint": (
        "Abra una revisión con su enlace en la página del informe, u omita revision para ver el"
        " informe tal como se le entrega."
    ),
    "portal_error_no_revision": "Este informe no tiene esa revisión.",
    "portal_error_no_revision_hint": "Abra una de las revisiones enlazadas abajo.",
    "portal_error_revision_link": "Revisión {revision}",
    "portal_error_whole": "El informe de este periodo",
    "portal_error_pending": "Las cifras de esta página aún se están preparando.",
    "portal_error_pending_hint": "Vuelva a cargar la página dentro de un minuto.",
    "portal_error_input": "No se pudo leer la dirección.",
    "portal_error_input_hint": "Siga los enlaces del portal en lugar de modificar la dirección.",
    "portal_error_internal": "Se ha producido un error por nuestra parte; ha quedado registrado.",
    "portal_error_internal_hint": (
        "Inténtelo de nuevo más tarde. Si el problema persiste, indique a su proveedor la hora "
        "de la solicitud."
    ),
}
