"""The statement's message catalogues: the same keys and placeholders in every language, which
language a locale gets, the evaluation's reasons written again in each language, and only the
needed catalogue imported."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from importlib import import_module

import pytest
from babel import Locale
from babel.dates import format_skeleton

from covenant.render.statement_catalogues.en import LABELS as EN
from covenant.render.statement_catalogues.ja import LABELS as JA
from covenant.render.statement_catalogues.zh import LABELS as ZH
from covenant.render.statement_format import Formats
from covenant.render.statement_labels import (
    LANGUAGES,
    TRADITIONAL_CHINESE,
    catalogue,
    language_of,
    plural,
    translate_reason,
)
from covenant.render.statement_view import _reason

FIELD = re.compile(r"{(\w*)[^{}]*}")


def labels(language: str) -> dict[str, str]:
    found: dict[str, str] = import_module(f"covenant.render.statement_catalogues.{language}").LABELS
    return found


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_catalogue_has_the_english_keys_and_placeholders(language: str) -> None:
    words = labels(language)
    assert set(words) == set(EN)  # a new English label cannot be forgotten in a language
    for key, english in EN.items():
        assert sorted(FIELD.findall(words[key])) == sorted(FIELD.findall(english)), key
        words[key].format(**dict.fromkeys(FIELD.findall(english), "x"))  # well formed


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("en_GB", "en"),
        ("de_AT", "de"),
        ("fr_FR", "fr"),
        ("fr_CA", "fr"),
        ("es_ES", "es"),
        ("es_MX", "es"),
        ("ja_JP", "ja"),
        ("zh_CN", "zh"),
        ("zh_SG", "zh"),
        ("zh_Hans_CN", "zh"),
        ("zh_Hans_HK", "zh"),
        ("zh", "zh"),
        ("zh_TW", "en"),  # Traditional characters: English, never Simplified
        ("zh_HK", "en"),
        ("zh_MO", "en"),
        ("zh_Hant_TW", "en"),
        ("pt_BR", "en"),  # no catalogue: English labels (Brazilian numbers and dates)
        ("ko_KR", "en"),
    ],
)
def test_the_language_of_a_locale(locale: str, language: str) -> None:
    assert language_of(locale) == language
    assert catalogue(locale) is catalogue(f"{language}_ZZ" if language != "en" else "en_GB")


def test_traditional_regions_are_babels() -> None:
    """The regions read as Traditional Chinese are those whose likely script Babel gives as
    Hant; mainland China and Singapore are Hans."""
    for region in TRADITIONAL_CHINESE:
        assert Locale.parse(f"zh_{region}").script == "Hant"
    for region in ("CN", "SG"):
        assert Locale.parse(f"zh_{region}").script == "Hans"


REASONS = (  # every shape the evaluation writes (core.availability, core.downtime, services.sla)
    "maintenance “DB upgrade 1 h”: announced 11 d 16 h ahead (notice 5 d)",
    "planned maintenance: announced 2 d ahead, notice is 5 d",
    "planned maintenance: maintenance is not excluded by this agreement",
    "incident INC-1",
    "incident INC-1 (sev1)",
    "incident INC-2: caused by the customer",
    "incident INC-3: force majeure",
    "2 or more of 3 components down: incident A (eu-1, eu-2); incident B (eu-2)",
    "no records stored for this time: the stored records end at 2026-11-20T00:00:00Z",
    "no incident on web, api is on record; if none happened, the agreement's "
    "measurement.recordsFrom says since when the records are complete: the stored records "
    "start at 2026-11-02T00:00:00Z",
    "before the incident records start (recordsFrom)",
    "before the first incident on record",
    "the stored records cover none of it (no requests are stored for this service)",
    "no eligible time in the period (the version was not in force)",
    "none of the time the version was in force has happened yet",
    "every measured second is excluded",
    "no whole measurement interval in the eligible time",
    "every measurement interval is excluded",
    "no requests in the period",
    "no requests in the eligible time",
    "planned maintenance: announced 2 d ahead (notice 1 d); incident X: caused by the customer",
)


SAME = {("fr", "incident INC-1"), ("fr", "incident INC-1 (sev1)")}  # the French word is English's


def test_the_english_templates_read_every_reason_back_as_written() -> None:
    again = dict(EN)  # not the English catalogue itself: parsed and written again
    for reason in REASONS:
        # as written, but for the no-break space between a span's number and its unit
        assert translate_reason(reason, again).replace("\u00a0", " ") == reason


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_reason_is_translated(language: str) -> None:
    words = labels(language)
    english = ("announced", "incident records", "caused by", "stored records", "eligible time")
    for reason in REASONS:
        translated = translate_reason(reason, words)
        assert translated != reason or (language, reason) in SAME, reason
        for phrase in english:
            assert phrase not in translated, (reason, translated)
        assert "INC-" not in reason or re.findall(r"INC-\d", reason) == re.findall(
            r"INC-\d", translated
        )  # the incident's id kept as recorded


def test_reasons_in_japanese_and_chinese_read_in_their_own_order() -> None:
    reason = "maintenance “DB upgrade 1 h”: announced 11 d 16 h ahead (notice 5 d)"
    assert translate_reason(reason, JA) == (
        "メンテナンス「DB upgrade 1 h」：11日16時間前に通知済み（必要な事前通知期間は5日）"
    )  # the span before the verb, the display name as written (its "1 h" too)
    assert translate_reason(reason, ZH) == (
        "维护“DB upgrade 1 h”：提前11天16小时通知（通知期要求为5天）"
    )
    merged = "incident A (sev1); incident B (sev2)"
    assert translate_reason(merged, JA) == "障害 A（sev1）；障害 B（sev2）"
    unknown = "a reason of a shape no template knows"
    assert translate_reason(unknown, JA) == unknown  # kept as written, not garbled


def test_counted_things_take_the_plural_form_of_the_locale() -> None:
    timers = {lang: plural(labels(lang), "timers", 1, f"{lang}_ZZ") for lang in ("fr", "es")}
    assert "1 support timer of its tickets is" in plural(EN, "timers", 1, "en_GB").format(
        count=1, at="x"
    )
    assert "2 support timers of its tickets are" in plural(EN, "timers", 2, "en_GB").format(
        count=2, at="x"
    )
    assert timers["fr"] == labels("fr")["timers_one"]
    assert timers["es"] == labels("es")["timers_one"]
    # CLDR: French counts 0 as singular, English and Spanish as plural
    assert plural(labels("fr"), "timers", 0, "fr_FR") == labels("fr")["timers_one"]
    assert plural(labels("es"), "timers", 0, "es_ES") == labels("es")["timers_other"]
    assert plural(EN, "intervals", 0, "en_GB") == EN["intervals_other"]
    assert "{count} délais" in labels("fr")["timers_other"]
    assert "{count} intervalos" in labels("es")["intervals_other"]


def test_a_run_of_bad_intervals_in_its_plural_form() -> None:
    one = "5-minute interval with 12.50 % errors (1/8; threshold 5 %)"
    two = f"{one}; 5-minute interval with 25.00 % errors (2/8; threshold 5 %)"
    london = Formats("en_GB", "Europe/London", EN)
    assert _reason(one, london, EN, seconds=300) == (
        "1 × 5-minute interval at or above the error threshold of 5% (12.5% to 12.5% errors)"
    )
    assert _reason(two, london, EN, seconds=600).startswith("2 × 5-minute intervals at or above")
    paris = Formats("fr_FR", "Europe/Paris", labels("fr"))
    assert _reason(one, paris, labels("fr"), seconds=300).startswith(
        "1 intervalle de 5 minutes dont"
    )
    assert _reason(two, paris, labels("fr"), seconds=600).startswith(
        "2 intervalles de 5 minutes dont"
    )
    tokyo = Formats("ja_JP", "Asia/Tokyo", JA)
    assert _reason(two, tokyo, JA, seconds=600) == (
        "エラー率がしきい値 5% 以上の 5 分間隔 2 件（エラー率 12.5%～25%）"
    )


def test_a_run_of_bad_intervals_names_its_minimum_run_in_the_language() -> None:
    """With ``minimumRun``: the row counts its intervals from its length (equal error rates
    share one reason), then says which run it is part of, in the statement's language."""
    one = "1-minute interval with 100.00 % errors (100/100; threshold 100 %)"
    run = "part of a 4-minute run of bad intervals, shorter than the 5-minute minimumRun: "
    paris = Formats("fr_FR", "Europe/Paris", labels("fr"))
    shown = _reason(f"{one}; {run}not downtime", paris, labels("fr"), seconds=240)
    assert shown.startswith("4 intervalles de 1 minute dont")  # not "1 minutes"
    assert shown.endswith(
        "; partie d’une série de 4 minutes d’intervalles en défaut, plus courte que le "
        "minimumRun de 5 minutes\u00a0: pas une indisponibilité"
    )
    tokyo = Formats("ja_JP", "Asia/Tokyo", JA)
    counted = "part of a 6-minute run of bad intervals, at least the 5-minute minimumRun: downtime"
    assert _reason(f"{one}; {counted}", tokyo, JA, seconds=180).endswith(
        "6分連続した不良インターバルの一部（minimumRun 5分以上）：ダウンタイム"
    )


def test_durations_and_times_in_japanese() -> None:
    tokyo = Formats("ja_JP", "Asia/Tokyo", JA)
    assert tokyo.duration(42816 * 60) == "29日17時間36分"  # 29 × 1440 + 17 × 60 + 36 = 42 816
    assert tokyo.duration(0) == "0分"
    moment = datetime(2026, 11, 13, 17, 0, tzinfo=UTC)  # 02:00 on 14 November in Tokyo
    day = format_skeleton("yMMMd", datetime(2026, 11, 14, 2, 0), locale="ja_JP")
    assert tokyo.when(moment) == f"{day} 02:00"  # Babel joins ja date and time with a space
    assert tokyo.when(datetime(2026, 11, 30, 15, tzinfo=UTC), end=True).endswith(" 24:00")


def test_a_statement_imports_only_its_language() -> None:
    code = (
        "import sys\n"
        "from covenant.render.statement_labels import catalogue\n"
        "catalogue('fr_CA')\n"
        "print(sorted(m for m in sys.modules if m.startswith('covenant.render.statement_cat')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == str(
        [
            "covenant.render.statement_catalogues",
            "covenant.render.statement_catalogues.en",
            "covenant.render.statement_catalogues.fr",
        ]
    )


# Sentences reviewed against the English: each line a translation that said something else
# (or nothing readable), and what it must say now.
REVIEWED = [
    # "Issued" (the instant the statement is of), not "Erstellt" (created)
    ("de", "generated", "Ausgestellt"),
    # a sentence with a verb: set spec.issuer
    (
        "de",
        "no_issuer",
        "(kein Aussteller konfiguriert: spec.issuer in den Settings des Arbeitsbereichs festlegen)",
    ),
    # announced too late must say it fell short of the notice, not list both as if fine
    ("de", "reason_announced_late", "nur {ahead} vorher angekündigt, Ankündigungsfrist {notice}"),
    ("de", "reason_announced", "{ahead} vorher angekündigt (Ankündigungsfrist {notice})"),
    (
        "fr",
        "reason_not_happened",
        "aucune partie du temps où la version était en vigueur ne s’est encore écoulée",
    ),
    # a revision of an issued document: 第N版, with the full-width colon of the other labels
    ("ja", "issued_line", "{date} 発行（第{revision}版）。発行された JSON の SHA-256：{digest}"),
    ("ja", "issued_short", "{date} 発行（第{revision}版）"),
    ("zh", "issued_line", "{date} 出具（第 {revision} 版）。所出具 JSON 的 SHA-256：{digest}"),
    ("zh", "issued_short", "{date} 出具（第 {revision} 版）"),
    ("zh", "required", "要求达成率"),
    ("zh", "reason_not_happened", "该版本的生效时间尚未开始"),
]


@pytest.mark.parametrize(("language", "key", "text"), REVIEWED)
def test_reviewed_translations_say_what_the_english_says(
    language: str, key: str, text: str
) -> None:
    assert labels(language)[key] == text.replace(" :", "\u00a0:")


def test_placeholders_are_plain_names_in_every_language() -> None:
    """A placeholder is ``{name}``: no format spec or conversion a translator could get wrong
    (``{count:d}``, ``{at!r}``), no positional ``{}``, no stray brace."""
    for language in LANGUAGES:
        for key, text in labels(language).items():
            stripped = re.sub(r"{[a-z_]+}", "", text)
            assert "{" not in stripped, (language, key, text)
            assert "}" not in stripped, (language, key, text)


_ONE_PLURAL = re.compile(r"\b1[ \u00a0](?:minutes|minutos|Minuten|composants|componentes)\b")
"""A count of 1 followed by a plural noun: "intervalles de 1 minutes" and the like."""


@pytest.mark.parametrize(
    ("language", "locale"), [("fr", "fr_FR"), ("es", "es_ES"), ("de", "de_DE")]
)
def test_a_count_of_one_takes_no_plural_noun(language: str, locale: str) -> None:
    """Sizes, runs and minimums of 1 minute, and one component of several: no "1 minutes"
    (the count of intervals takes its own plural form: ``plural``)."""
    words = labels(language)
    fmt = Formats(locale, "Europe/Paris", words)
    one = "1-minute interval with 100.00 % errors (100/100; threshold 100 %)"
    run = "part of a 1-minute run of bad intervals, at least the 1-minute minimumRun: downtime"
    shown = [
        _reason(one, fmt, words, seconds=60),
        _reason(f"{one}; {run}", fmt, words, seconds=60),
        _reason(one, fmt, words, seconds=120),
        translate_reason("1 or more of 3 components down: incident A", words),
    ]
    assert "1" in shown[1].split(words["reason_join"])[1]  # the run was translated
    assert [s for s in shown if _ONE_PLURAL.search(s)] == []
