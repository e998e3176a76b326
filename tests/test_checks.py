"""Fact checks (extractor.checks) on small synthetic outcomes.jsonl / articles.jsonl written to tmp dirs."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from extractor.checks import add_arguments, format_summary, load_reference, run, run_checks
from extractor.checks.model import Figure, Interval, QualifierReading, fmt, rounding_half_step
from extractor.checks.reference import REFERENCE_PATH, Reference

# ---------------------------------------------------------------- record builders

UNIT_WORDS = {
    "blood_units": " đơn vị máu", "volume_ml": " ml", "donors": " người hiến máu",
    "registrations": " người đăng ký", "participants": " người tham dự", "achievement_pct": "%",
    "growth_pct": "%", "share_pct": "%",
}


def m(metric: str, value: float, qualifier: str = "exact", text: str | None = None, start: int = 0, **extra: Any):
    """One metric object as `extract run` writes it; its words carry the metric's unit word, as an outcome
    figure's do (a bare number is no ground for an alarm)."""
    text = text or f"{value:g}{UNIT_WORDS[metric]}"
    record = {"metric": metric, "value": value, "qualifier": qualifier, "text": text, "start": start}
    record.update({"end": start + len(text), "low": None, "high": None, "unit": ""})
    record.update(extra)
    return record


def o(
    oid: str,
    *metrics: dict[str, Any],
    article: str = "a1",
    lang: str = "vi",
    kind: str = "total",
    status: str = "actual",
    period: tuple[str, str] | None = ("2024-01-01", "2024-12-31"),
    province: str | None = "Hà Nội",
    district: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One outcome record; `oid` is suffixed to the article id as the pipeline does."""
    record = {
        "id": f"{article}:{oid}",
        "article_id": article,
        "lang": lang,
        "kind": kind,
        "name": None,
        "organizer": None,
        "status": status,
        "period": {
            "start": period and period[0],
            "end": period and period[1],
            "text": None,
            "granularity": None,
        },
        "location": {
            "name": district or province,
            "province": province,
            "district": district,
            "level": "district" if district else ("province" if province else "national"),
            "country": {"vi": "VN", "zh": "CN"}[lang],
        },
        "metrics": list(metrics),
        "evidence": {"text": "", "start": 0, "end": 0},
        "partial": False,
        "parent_id": None,
    }
    record.update(extra)
    return record


def write_out(tmp: Path, outcomes: list[dict[str, Any]], articles: list[dict[str, Any]] | None = None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "outcomes.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in outcomes))
    if articles is not None:
        (tmp / "articles.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in articles))
    return tmp


def checks_of(tmp: Path, outcomes: list[dict[str, Any]], kind: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [c for c in run_checks(write_out(tmp, outcomes, kwargs.get("articles"))) if c["check"] == kind]


def verdicts(checks: list[dict[str, Any]]) -> list[str]:
    return [c["verdict"] for c in checks]


def by_explanation(checks: list[dict[str, Any]]) -> str:
    return " | ".join(c["explanation"] for c in checks)


HY = {"article": "003_5c398355415ae7bd", "province": "Hưng Yên", "period": ("2024-01-01", "2024-06-30")}
HY_DRIVES = [
    ("2024-04-09", 263),
    ("2024-04-11", 119),
    ("2024-04-24", 560),
    ("2024-05-23", 143),
    ("2024-05-27", 180),
]


def hung_yen(total: dict[str, Any], parent: bool = True, partial: bool = False, drives=HY_DRIVES) -> list[dict]:
    """The Hưng Yên seed: a half-year total and its five drives (each a day)."""
    outcomes = [o("o1", total, m("achievement_pct", 105, text="105%", start=160), kind="campaign", **HY)]
    for i, (day, units) in enumerate(drives, start=2):
        extra = {"parent_id": f"{HY['article']}:o1"} if parent else {}
        args = {**HY, "period": (day, day)}
        drive = m("blood_units", units, text=f"{units} đơn vị máu", start=300 + 50 * i)
        outcomes.append(o(f"o{i}", drive, kind="drive", partial=partial, **extra, **args))
    return outcomes


# ---------------------------------------------------------------- sum of parts

SUM_CASES = [
    # (case, total metric, parent_id set, partial list, drives, expected verdict, words in the explanation)
    (
        "parts match 1.265",
        m("blood_units", 1265, text="1.265 đơn vị máu"),
        True,
        False,
        HY_DRIVES,
        "consistent",
        "263 + 119 + 560 + 143 + 180 = 1,265 units, matching the stated total of 1,265",
    ),
    (
        # A half-year total encloses drives the article does not list: unmarked drives are no parts of it.
        "no parent_id: a wider period's total",
        m("blood_units", 1265),
        False,
        False,
        HY_DRIVES,
        None,
        "",
    ),
    (
        "against hơn 1.300",
        m("blood_units", 1300, "over", "hơn 1.300 đơn vị máu"),
        True,
        False,
        HY_DRIVES,
        "inconsistent",
        "but the stated total of more than 1,300 units",
    ),
    (
        "one drive short",
        m("blood_units", 1265),
        True,
        False,
        HY_DRIVES[:4],
        "inconsistent",
        "differs by at least 180",
    ),
    (
        "partial list below total",
        m("blood_units", 3792, "over", "hơn 3.792 đơn vị máu"),
        True,
        True,
        HY_DRIVES,
        "bounded",
        "The list is incomplete",
    ),
    (
        "partial list above total",
        m("blood_units", 1000),
        True,
        True,
        HY_DRIVES,
        "inconsistent",
        "already exceed the stated total of 1,000 units",
    ),
    (
        "about a total",
        m("blood_units", 1300, "about", "khoảng 1.300 đơn vị máu"),
        True,
        False,
        HY_DRIVES,
        "consistent",
        "matching the stated total of about 1,300",
    ),
    (
        "total in donors, parts in units",
        m("donors", 1265),
        True,
        False,
        HY_DRIVES,
        None,
        "",
    ),
    (
        "a single listed drive is an incomplete list",
        m("blood_units", 1265),
        True,
        False,
        HY_DRIVES[:1],
        "bounded",
        "The list is incomplete, so the 1 drive named",
    ),
    (
        "a drive restating the total is no part",
        m("blood_units", 1265),
        True,
        False,
        HY_DRIVES + [("2024-05-30", 1265)],
        "consistent",
        "The 5 drives listed add up to",
    ),
]


@pytest.mark.parametrize(
    "total,parent,partial,drives,verdict,words", [c[1:] for c in SUM_CASES], ids=[c[0] for c in SUM_CASES]
)
def test_sum_of_parts(tmp_path, total, parent, partial, drives, verdict, words):
    checks = checks_of(tmp_path, hung_yen(total, parent, partial, drives), "sum_of_parts")
    assert verdicts(checks) == ([verdict] if verdict else [])
    assert not checks or words in checks[0]["explanation"]


def test_sum_of_parts_lists_every_figure_with_its_span(tmp_path):
    (check,) = checks_of(tmp_path, hung_yen(m("blood_units", 1265, start=130)), "sum_of_parts")
    roles = [(f["role"], f["value"]) for f in check["figures"]]
    assert roles == [("total", 1265)] + [("part", units) for _, units in HY_DRIVES]
    assert check["figures"][1]["outcome_id"] == "003_5c398355415ae7bd:o2"
    assert check["figures"][1]["span"] == [400, 414]  # "263 đơn vị máu"
    assert check["computed"]["value"] == 1265 and check["computed"]["expression"].startswith("263 + 119")


def test_drives_of_the_totals_own_period_are_its_parts(tmp_path):
    """No parent_id, but the total's period is the span of the drives (period.source role drives_span)."""
    outcomes = hung_yen(m("blood_units", 1265), parent=False, drives=HY_DRIVES + [("2024-07-15", 99)])
    outcomes[0]["period"].update(start="2024-04-09", end="2024-05-27", source={"role": "drives_span"})
    (check,) = checks_of(tmp_path, outcomes, "sum_of_parts")
    assert check["verdict"] == "consistent" and len(check["figures"]) == 6


def test_listed_parts_without_parent_find_their_total(tmp_path):
    """Bắc Từ Liêm: named events in an incomplete list ("như: ... và nhiều ngày hội"), no parent_id."""
    listed = {"period": Y2021, "partial": True, **BTL}
    outcomes = [
        o("o1", m("blood_units", 3792, "over", "hơn 3.792 đơn vị máu"), **{**BTL, "period": Y2021}),
        o("o2", m("blood_units", 504), kind="campaign", **listed),
        o("o3", m("blood_units", 1126, "over"), kind="campaign", **listed),
        o("o4", m("blood_units", 2000, "over"), **listed),  # "nhiều ngày hội ... trên 2.000": partial, so a part
    ]
    (check,) = checks_of(tmp_path, outcomes, "sum_of_parts")
    assert check["verdict"] == "bounded" and check["computed"]["incomplete_list"]
    assert "504 + more than 1,126 + more than 2,000 = 3,630 units" in check["explanation"]


# ---------------------------------------------------------------- percent of base

BTL = {"article": "001_5b485a6e8377cf1a", "province": "Hà Nội", "district": "Bắc Từ Liêm"}
Y2021 = ("2021-01-01", "2021-12-31")
ACHIEVED = o(
    "o1",
    m("blood_units", 3792, "over", "hơn 3.792 đơn vị máu", 10),
    m("achievement_pct", 172.9, text="172.9%", start=40),
    period=Y2021,
    **BTL,
)


def target(oid: str, value: float, article: str = BTL["article"]) -> dict[str, Any]:
    return o(oid, m("blood_units", value, start=900), status="target", period=Y2021, **{**BTL, "article": article})


PERCENT_CASES = [
    (
        "implied target only",
        [ACHIEVED],
        ["unverifiable"],
        "implies a target of about 2,193 units (3,792 ÷ 1.729)",
    ),
    ("target in the same article", [ACHIEVED, target("o2", 2193)], ["consistent"], "= 172.9%, matching"),
    (
        "target that does not fit",
        [ACHIEVED, target("o2", 3000)],
        ["inconsistent"],
        "= 126.4%, not the stated 172.9%",
    ),
    (
        "target elsewhere in the corpus",
        [ACHIEVED, target("o1", 2200, "other")],
        ["consistent"],
        "matching the target of 2,200 units stated in article other",
    ),
    (
        "target elsewhere that does not fit",
        [ACHIEVED, target("o1", 1500, "other")],
        ["inconsistent"],
        "against the target",
    ),
    (
        "planned figure over a quota",
        [
            o(
                "o5",
                m("blood_units", 4000, start=100),
                m("achievement_pct", 182, text="182%", start=150),
                status="target",
                period=("2022-01-01", "2022-12-31"),
                **BTL,
            )
        ],
        [],  # a planned percentage of a quota never stated: nothing to compare
        "",
    ),
    (
        "percentage split from its figure",
        [
            o(
                "o5",
                m("blood_units", 4000, start=100),
                status="target",
                period=("2022-01-01", "2022-12-31"),
                **BTL,
            ),
            o(
                "o6",
                m("achievement_pct", 182, text="182%", start=150),
                status="target",
                period=("2022-01-01", "2022-12-31"),
                **BTL,
            ),
        ],
        [],
        "",
    ),
    (
        "percentage alone",
        [o("o1", m("achievement_pct", 105, text="105%"), **HY)],
        [],
        "",
    ),
]


@pytest.mark.parametrize("outcomes,expected,words", [c[1:] for c in PERCENT_CASES], ids=[c[0] for c in PERCENT_CASES])
def test_percent_of_base(tmp_path, outcomes, expected, words):
    checks = checks_of(tmp_path, outcomes, "percent_of_base")
    assert verdicts(checks) == expected
    assert words in by_explanation(checks)


def test_a_target_repeated_in_an_article_is_checked_once(tmp_path):
    outcomes = [ACHIEVED, target("o2", 2193), target("o3", 2193)]
    assert verdicts(checks_of(tmp_path, outcomes, "percent_of_base")) == ["consistent"]


def test_percent_check_reports_implied_target_as_computed_value(tmp_path):
    (check,) = checks_of(tmp_path, [ACHIEVED], "percent_of_base")
    assert round(check["computed"]["value"]) == 2193
    assert [f["role"] for f in check["figures"]] == ["percentage", "achieved"]


# ---------------------------------------------------------------- ratios

LUOHE = {
    "article": "004_ae2947304a8dbaaf",
    "lang": "zh",
    "province": "河南省",
    "district": "郾城区",
    "period": ("2023-12-11", "2023-12-31"),
}
VN = {"province": "Hà Nội", "period": ("2024-04-07", "2024-04-07")}

RATIO_CASES = [
    # (case, check kind, metrics, place, verdict, words)
    (
        "12万 ml from 302 donors",
        "ml_per_donor",
        [m("donors", 302, text="302人"), m("volume_ml", 120000, text="12万毫升")],
        LUOHE,
        "consistent",
        "120,000 ÷ 302 = 397 ml per donor, within the 200–400 expected",
    ),
    (
        "too much per donor in China",
        "ml_per_donor",
        [m("donors", 302), m("volume_ml", 140000)],
        LUOHE,
        "implausible",
        "above the 200–400 expected",
    ),
    (
        "420 ml fits Vietnam",
        "ml_per_donor",
        [m("donors", 100), m("volume_ml", 42000)],
        VN,
        "consistent",
        "within the 250–450 expected",
    ),
    (
        "too little per donor",
        "ml_per_donor",
        [m("donors", 100), m("volume_ml", 10000)],
        VN,
        "implausible",
        "below the 250–450",
    ),
    (
        "qualifier straddles the range",
        "ml_per_donor",
        [m("donors", 100), m("volume_ml", 46000, "about")],
        VN,
        "unverifiable",
        "though the qualifiers allow",
    ),
    (
        "participants standing in for donors",
        "ml_per_donor",
        [m("participants", 1000), m("volume_ml", 120000)],
        LUOHE,
        "unverifiable",
        "not every participant donated",
    ),
    (
        "a unit per donor",
        "units_per_donor",
        [m("donors", 480), m("blood_units", 480)],
        VN,
        "consistent",
        "1 units per donor, within the 1–4",
    ),
    (
        "five units per donor",
        "units_per_donor",
        [m("donors", 300), m("blood_units", 1500)],
        VN,
        "implausible",
        "above the 1–4",
    ),
    (
        "about as many units as donors",
        "units_per_donor",
        [m("donors", 100), m("blood_units", 95, "about")],
        VN,
        "unverifiable",
        "qualifiers allow",
    ),
    (
        "fewer donors than registrations",
        "donors_vs_registrations",
        [m("donors", 480), m("registrations", 520)],
        VN,
        "consistent",
        "is normal",
    ),
    (
        "more donors than registrations",
        "donors_vs_registrations",
        [m("donors", 600), m("registrations", 520)],
        VN,
        "implausible",
        "80 more donors than registrations",
    ),
    (
        "qualifiers leave it open",
        "donors_vs_registrations",
        [m("donors", 500, "over"), m("registrations", 520, "about")],
        VN,
        "unverifiable",
        "leave it open",
    ),
    (
        "more donors than participants",
        "donors_vs_participants",
        [m("donors", 2000), m("participants", 1500)],
        VN,
        "implausible",
        "more donors than participants",
    ),
]


@pytest.mark.parametrize(
    "kind,metrics,place,verdict,words", [c[1:] for c in RATIO_CASES], ids=[c[0] for c in RATIO_CASES]
)
def test_ratios(tmp_path, kind, metrics, place, verdict, words):
    checks = checks_of(tmp_path, [o("o1", *metrics, **place)], kind)
    assert verdicts(checks) == [verdict]
    assert words in checks[0]["explanation"]


def test_ratio_without_a_range_for_the_country_is_unverifiable(tmp_path):
    outcome = o("o1", m("donors", 302), m("volume_ml", 120000), **LUOHE)
    outcome["location"]["country"] = "TH"
    (check,) = checks_of(tmp_path, [outcome], "ml_per_donor")
    assert check["verdict"] == "unverifiable" and "no plausible range" in check["explanation"]


# ---------------------------------------------------------------- scale

HN_2023 = {"article": "000_7fb14042fa70a105", "province": "Hà Nội", "period": ("2023-04-24", "2023-09-08")}
NATIONAL_2024 = o(
    "o1", m("blood_units", 1747920, "over", "hơn 1.747.920 đơn vị máu"), article="002_c55f19dc2bc87339", province=None
)

SCALE_CASES = [
    # (case, check kind, outcome, verdict, words)
    (
        "a province's half-year",
        "national_share",
        o("o1", m("blood_units", 1265), **HY),
        "bounded",
        "1,265 units in Hưng Yên (2024-01-01 to 2024-06-30) ÷ more than 1,747,920 units for the whole",
    ),
    (
        "most of the country's blood",
        "national_share",
        o("o2", m("blood_units", 1635000), **HN_2023),
        "implausible",
        "no 2023 total in the reference table, so 2024's) = 93.5%",
    ),
    (
        "no national total that year",
        "national_share",
        o("o1", m("blood_units", 3792), period=Y2021, **BTL),
        None,  # nothing to compare with: no check
        "",
    ),
    (
        "a fifth of Hà Nội",
        "population_rate",
        o("o2", m("blood_units", 1635000), **HN_2023),
        "implausible",
        "÷ 8,053,663 residents (Hà Nội, 2019 census) = 20.3%",
    ),
    ("the whole country", "population_rate", NATIONAL_2024, "bounded", "÷ 96,208,984 residents"),
    (
        "a district against its province",
        "population_rate",
        o("o1", m("donors", 302), **LUOHE),
        "bounded",
        "河南省's, a loose bound",
    ),
    (
        "no population for the place",
        "population_rate",
        o("o1", m("blood_units", 1265), **HY),
        None,
        "",
    ),
]


@pytest.mark.parametrize("kind,outcome,verdict,words", [c[1:] for c in SCALE_CASES], ids=[c[0] for c in SCALE_CASES])
def test_scale(tmp_path, kind, outcome, verdict, words):
    checks = checks_of(tmp_path, [outcome], kind)
    assert verdicts(checks) == ([verdict] if verdict else [])
    assert not checks or words in checks[0]["explanation"]


def test_scale_check_names_its_reference_source(tmp_path):
    (check,) = checks_of(tmp_path, [o("o2", m("blood_units", 1635000), **HN_2023)], "national_share")
    assert check["reference"]["source"] == "corpus article 002_c55f19dc2bc87339 (Nhân Dân, Jan 2025)"
    assert check["reference"]["year"] == 2024


def test_national_figures_get_no_national_share_check(tmp_path):
    assert checks_of(tmp_path, [NATIONAL_2024], "national_share") == []


def test_without_reference_data_scale_gives_no_check_never_a_pass(tmp_path):
    out = write_out(tmp_path, [o("o2", m("blood_units", 1635000), **HN_2023), o("o1", m("blood_units", 10), **HY)])
    checks = run_checks(out, reference=Reference(figures=[], thresholds=load_reference().thresholds))
    assert [c for c in checks if c["check"] in ("national_share", "population_rate")] == []


# ---------------------------------------------------------------- duplicates

HN = {"article": "000_7fb14042fa70a105", "province": "Hà Nội"}

DUPLICATE_CASES = [
    # (case, outcomes, verdicts, words)
    (
        "1.635.000 staff and 1.635.000 units",
        [
            o("o1", m("participants", 1635000, text="1.635.000 cán bộ"), **HN),
            o("o2", m("blood_units", 1635000, text="1.635.000 đơn vị máu", start=900), **HN),
        ],
        ["implausible"],
        'The same number, 1,635,000, is given as participants ("1.635.000 cán bộ") and as units',
    ),
    (
        "round numbers may coincide",
        [o("o1", m("participants", 1000), m("blood_units", 1000, start=50), **HN)],
        ["unverifiable"],
        "a round number like this can coincide",
    ),
    (
        "different numbers",
        [o("o1", m("participants", 1500), m("blood_units", 1265, start=50), **HN)],
        [],  # nothing given twice: no check
        "",
    ),
    (
        "one figure repeated for the same quantity",
        [o("o1", m("blood_units", 4000), **HN), o("o2", m("blood_units", 4000, start=500), **HN)],
        [],  # nothing given twice: no check
        "",
    ),
    (
        "small numbers are ignored",
        [o("o1", m("donors", 50), m("blood_units", 50, start=9), **HN)],
        [],  # nothing given twice: no check
        "",
    ),
]


@pytest.mark.parametrize(
    "outcomes,expected,words", [c[1:] for c in DUPLICATE_CASES], ids=[c[0] for c in DUPLICATE_CASES]
)
def test_duplicates(tmp_path, outcomes, expected, words):
    checks = checks_of(tmp_path, outcomes, "duplicate_number")
    assert verdicts(checks) == expected
    assert not checks or words in checks[0]["explanation"]


@pytest.mark.parametrize("metric", ["donors", "registrations"])
def test_one_unit_per_donor_is_not_a_duplicate(tmp_path, metric):
    outcomes = [o("o1", m(metric, 480), m("blood_units" if metric == "donors" else "donors", 480, start=20), **HN)]
    assert verdicts(checks_of(tmp_path, outcomes, "duplicate_number")) == []


def test_duplicates_also_read_figures_outside_outcomes(tmp_path):
    article = {
        "id": HN["article"],
        "lang": "vi",
        "text": "",
        "figures": [
            {
                **m("participants", 1635000, text="1.635.000 cán bộ", start=10),
                "status": "actual",
                "outcome_id": None,
            }
        ],
    }
    outcomes = [o("o2", m("blood_units", 1635000, start=900), **HN)]
    checks = checks_of(tmp_path, outcomes, "duplicate_number", articles=[article])
    assert verdicts(checks) == ["implausible"]


def test_one_span_labelled_twice_is_not_a_duplicate(tmp_path):
    figure = m("participants", 1635000, text="1.635.000 cán bộ", start=10)
    article = {
        "id": HN["article"],
        "figures": [{**figure, "metric": "donors", "status": "actual", "outcome_id": None}],
    }
    checks = checks_of(tmp_path, [o("o1", figure, **HN)], "duplicate_number", articles=[article])
    assert checks == []  # a single figure: nothing to compare


def test_scale_explanation_marks_targets(tmp_path):
    outcome = o("o1", m("blood_units", 4000), status="target", period=("2022-01-01", "2022-12-31"), **BTL)
    (check,) = checks_of(tmp_path, [outcome], "population_rate")
    assert check["explanation"].startswith("A target of 4,000 units in Bắc Từ Liêm, Hà Nội")


# ---------------------------------------------------------------- across articles


def report(article: str, *metrics: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return o("o1", *metrics, **{**HY, "article": article, **extra})


ACROSS_CASES = [
    (
        "same figure twice",
        [report("a", m("blood_units", 1265)), report("b", m("blood_units", 1265))],
        ["consistent"],
        "the two agree",
    ),
    (
        "qualified figures that overlap",
        [report("a", m("blood_units", 1265)), report("b", m("blood_units", 1200, "over"))],
        ["consistent"],
        "more than 1,200 units",
    ),
    (
        "different values",
        [report("a", m("blood_units", 1265)),
         report("b", m("blood_units", 1300, "over", "hơn 1.300 đơn vị máu"))],
        ["inconsistent"],
        'article a gives 1,265 units ("1265 đơn vị máu") and article b gives more than 1,300 units '
        '("hơn 1.300 đơn vị máu")',
    ),
    (
        "different organisers",
        [
            report("a", m("blood_units", 1265), organizer="Ban Quản lý các KCN"),
            report("b", m("blood_units", 2400), organizer="Hội Chữ thập đỏ tỉnh"),
        ],
        ["unverifiable"],
        "different organisers",
    ),
    (
        "different named events",
        [
            report("a", m("blood_units", 100), name="Giọt hồng"),
            report("b", m("blood_units", 200), name="Hành trình đỏ"),
        ],
        [],
        "",
    ),
    (
        "different periods",
        [
            report("a", m("blood_units", 1265)),
            report("b", m("blood_units", 2400), period=("2024-01-01", "2024-12-31")),
        ],
        [],
        "",
    ),
    (
        "target against actual",
        [report("a", m("blood_units", 1265)), report("b", m("blood_units", 1200), status="target")],
        [],
        "",
    ),
]


@pytest.mark.parametrize("outcomes,expected,words", [c[1:] for c in ACROSS_CASES], ids=[c[0] for c in ACROSS_CASES])
def test_across_articles(tmp_path, outcomes, expected, words):
    checks = checks_of(tmp_path, outcomes, "across_articles")
    assert verdicts(checks) == expected
    assert words in by_explanation(checks)
    for check in checks:
        assert check["article_ids"] == ["a", "b"] and [f["article_id"] for f in check["figures"]] == [
            "a",
            "b",
        ]


# ---------------------------------------------------------------- reading figures


@pytest.mark.parametrize(
    "qualifier,value,text,low,high",
    [
        ("exact", 1265, "1.265", 1265, 1265),
        ("about", 1000, "khoảng 1.000", 900, 1100),
        ("over", 1300, "hơn 1.300", 1300, 1560),
        ("at_least", 1300, "ít nhất 1.300", 1300, 1560),
        ("under", 500, "dưới 500", 400, 500),
        ("at_most", 500, "tối đa 500", 400, 500),
        ("exact", 120000, "12万毫升", 115000, 125000),
        ("exact", 1850000, "1,85 triệu", 1845000, 1855000),
    ],
)
def test_qualifier_reading(qualifier, value, text, low, high):
    figure = Figure("blood_units", value, qualifier, text, 0, 1, "", "a", None, None)
    interval = figure.interval(QualifierReading(0.10, 0.20))
    assert interval.low == pytest.approx(low) and interval.high == pytest.approx(high)


def test_more_than_excludes_the_number_itself():
    figure = Figure("blood_units", 1300, "over", "hơn 1.300", 0, 1, "", "a", None, None)
    assert figure.interval(QualifierReading()).low > 1300


def test_stated_range_wins_over_qualifier():
    figure = Figure("donors", 250, "about", "200–300", 0, 1, "", "a", None, None, low=200, high=300)
    assert figure.interval(QualifierReading()) == Interval(200, 300)


@pytest.mark.parametrize(
    "number,text",
    [(1265, "1,265"), (1635000, "1,635,000"), (396.69, "397"), (1.729, "1.7"), (0.0812, "0.0812")],
)
def test_fmt(number, text):
    assert fmt(number) == text


# ---------------------------------------------------------------- reference table


def test_every_reference_figure_names_a_source():
    reference = load_reference()
    assert reference.figures
    corpus_dir = Path(__file__).resolve().parent.parent / "corpus"
    for figure in reference.figures:
        assert figure.source and figure.note and figure.value > 0 and figure.year > 1900
        if figure.source_article_id:
            assert figure.source.startswith(f"corpus article {figure.source_article_id}")
            assert list(corpus_dir.glob(f"{figure.source_article_id}*")), figure.source_article_id
        else:
            assert "census" in figure.source.casefold() or "report" in figure.source.casefold()


def test_thresholds_carry_their_reasons():
    thresholds = load_reference().thresholds
    assert thresholds["ratios"]["ml_per_donor"] == {
        **thresholds["ratios"]["ml_per_donor"],
        "VN": [250, 450],
        "CN": [200, 400],
    }
    for block in ("ratios", "scale", "qualifiers", "duplicates"):
        text = json.dumps(thresholds[block], ensure_ascii=False)
        assert "reason" in text, block


def test_a_reference_figure_without_source_is_refused(tmp_path):
    path = tmp_path / "ref.yaml"
    path.write_text(
        "figures:\n  - {id: x, quantity: population, value: 1, unit: people, year: 2020, place: X, "
        "country: VN, note: n}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="lacks source"):
        load_reference(path)


def test_reference_path_is_the_shipped_data_file():
    assert REFERENCE_PATH.name == "reference.yaml" and REFERENCE_PATH.parent.name == "data"


# ---------------------------------------------------------------- the seeds, end to end


def seed_outcomes() -> list[dict[str, Any]]:
    """What `extract run` should write for the seed corpus's checkable claims (hand-made)."""
    hanoi = {**HN, "organizer": "Sở Y tế Hà Nội"}
    return [
        o(
            "o1",
            m("participants", 1635000, text="1.635.000 cán bộ", start=520),
            period=("2023-01-01", "2023-12-31"),
            **hanoi,
        ),
        o(
            "o2",
            m("blood_units", 1635000, text="1.635.000 đơn vị máu", start=1480),
            period=HN_2023["period"],
            **hanoi,
        ),
        ACHIEVED,
        NATIONAL_2024,
        *hung_yen(m("blood_units", 1265, text="1.265 đơn vị máu", start=130)),
        o(
            "o1",
            m("donors", 302, text="302人", start=900),
            m("volume_ml", 120000, text="12万毫升", start=912),
            **LUOHE,
        ),
    ]


def test_seed_claims(tmp_path):
    checks = run_checks(write_out(tmp_path, seed_outcomes()))
    found = {(c["article_id"][:3], c["check"]): c for c in checks}
    assert found[("003", "sum_of_parts")]["verdict"] == "consistent"
    assert found[("000", "national_share")]["verdict"] == "implausible"
    assert found[("000", "population_rate")]["verdict"] == "implausible"
    assert found[("000", "duplicate_number")]["verdict"] == "implausible"
    assert found[("004", "ml_per_donor")]["verdict"] == "consistent"
    assert "397 ml per donor" in found[("004", "ml_per_donor")]["explanation"]
    assert "2,193" in found[("001", "percent_of_base")]["explanation"]


# ---------------------------------------------------------------- records, file, summary, command

REQUIRED_FIELDS = {"id", "article_id", "check", "verdict", "figures", "computed", "tolerance", "explanation"}
FIGURE_FIELDS = {"role", "metric", "value", "qualifier", "text", "article_id", "outcome_id", "span"}


def test_records_carry_figures_computation_tolerance_and_explanation(tmp_path):
    checks = run_checks(write_out(tmp_path, seed_outcomes()))
    assert len({c["id"] for c in checks}) == len(checks)
    for check in checks:
        assert REQUIRED_FIELDS <= set(check), check["check"]
        assert check["verdict"] in ("consistent", "bounded", "inconsistent", "implausible", "unverifiable")
        assert not check["explanation"][0].islower() and check["explanation"].endswith(".")
        assert check["tolerance"] and "quantity" in check["computed"]
        for figure in check["figures"]:
            assert FIGURE_FIELDS <= set(figure)


def test_checks_jsonl_is_written_whole(tmp_path):
    out = write_out(tmp_path, seed_outcomes())
    (out / "checks.jsonl").write_text("stale\n")
    checks = run_checks(out)
    lines = (out / "checks.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == checks
    assert sorted(p.name for p in out.iterdir()) == ["checks.jsonl", "outcomes.jsonl"]  # no temp file left
    assert run_checks(out) == checks  # stable ids and order


def test_summary_lists_worst_first_with_the_arithmetic(tmp_path):
    outcomes = seed_outcomes() + [report("b", m("blood_units", 1300, "over", "hơn 1.300 đơn vị máu"))]
    summary = format_summary(run_checks(write_out(tmp_path, outcomes)))
    assert re.match(
        r"\d+ checks on \d+ articles: 1 inconsistent, 3 implausible, \d+ unverifiable, \d+ bounded, \d+ consistent",
        summary,
    )
    blocks = ("\nINCONSISTENT (", "\nIMPLAUSIBLE (", "\nUNVERIFIABLE (", "\nBOUNDED (", "\nCONSISTENT (")
    positions = [summary.index(block) for block in blocks]
    assert positions == sorted(positions)
    assert "263 + 119 + 560 + 143 + 180 = 1,265" in summary
    assert '"1.635.000 đơn vị máu" (blood_units, 000_7fb14042fa70a105:o2, chars 1480–1500)' in summary


def test_summary_folds_repeated_unflagged_checks():
    checks = [
        {
            "id": f"a:population_rate:{i}",
            "article_id": "a",
            "check": "population_rate",
            "verdict": "consistent",
            "figures": [],
            "tolerance": "",
            "explanation": f"Fine {i}.",
        }
        for i in range(5)
    ]
    summary = format_summary(checks)
    assert "Fine 0." in summary and "Fine 1." in summary and "Fine 2." not in summary
    assert "… and 3 more population_rate checks on a" in summary


def test_summary_of_nothing():
    assert format_summary([]) == "No checks: no figures to compare."


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="extract check")
    add_arguments(parser)
    return parser.parse_args(argv)


def test_command_prints_summary_and_writes_checks(tmp_path, capsys):
    out = write_out(tmp_path, seed_outcomes())
    assert run(parse([str(out)])) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].endswith("consistent.") and "IMPLAUSIBLE" in printed
    assert (out / "checks.jsonl").exists()


def test_command_without_outcomes_exits_2(tmp_path, capsys):
    assert run(parse([str(tmp_path)])) == 2
    assert "no outcomes.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "checks.jsonl").exists()


def test_empty_outcomes_give_no_checks(tmp_path):
    assert run_checks(write_out(tmp_path, [])) == []
    assert (tmp_path / "checks.jsonl").read_text() == ""


@pytest.mark.parametrize(
    "value,text,half",
    [(120000, "12万毫升", 5000), (1850000, "1,85 triệu", 5000), (1265, "1.265", 0), (1200, "tỷ lệ 1.200", 0)],
)
def test_rounding_of_scale_words(value, text, half):
    assert rounding_half_step(value, text) == half


# ---------------------------------------------------------------- short passages through the real pipeline

HY_H1 = "Trong 6 tháng đầu năm 2024, "
DRIVES_600 = (
    "\n\n- Đợt 1: Ngày 9/4/2024 tổ chức tại khu công nghiệp Phố Nối A thu được 263 đơn vị máu."
    "\n\n- Đợt 2: Ngày 11/4/2024 tổ chức tại khu công nghiệp Thăng Long II thu được 119 đơn vị máu."
    "\n\n- Đợt 3: Ngày 24/4/2024 tổ chức tại khu công nghiệp Thăng Long II thu được 218 đơn vị máu.\n"
)
DRIVES_TOTAL = HY_H1 + "Ban Chỉ đạo tỉnh Hưng Yên đã tổ chức được 03 Ngày hội hiến máu tình nguyện, {total}, cụ thể:"
BTL_2021 = (
    "Đến cuối năm 2021, quận Bắc Từ Liêm đã tiếp nhận được hơn 3.792 đơn vị máu, đạt 172.9% so với chỉ tiêu năm 2021.\n"
)
BTL_LIST = (
    "Năm 2021, quận Bắc Từ Liêm tiếp nhận hơn 3.792 đơn vị máu. "
    "Các hoạt động thu hút nhiều đơn vị tham gia như: Ngày hội “Mưa Cầu Vồng” tiếp nhận 504 đơn vị máu; "
    "chiến dịch “Những giọt máu hồng” tiếp nhận hơn 1.126 đơn vị máu "
    "và nhiều ngày hội hiến máu tại các phường tiếp nhận trên 2.000 đơn vị máu…\n"
)
LUOHE_ML = "2023年12月中下旬，郾城区孟庙镇、商桥镇等6个乡镇共组织302人参加献血，{volume}。\n"
HANOI_2023 = (
    "Năm 2023, Sở Y tế Hà Nội tổ chức hiến máu với sự tham gia của 1.635.000 cán bộ, nhân viên y tế.\n\n"
    "Kết quả năm 2023 đã hiến thành công 1.635.000 đơn vị máu.\n"
)
HANOI_DAY = "Ngày 7/4/2024, tại Hà Nội có 520 người đăng ký hiến máu, {donors} người đã hiến máu thành công{units}.\n"
HY_TOTAL = HY_H1 + "{who}tỉnh Hưng Yên đã tiếp nhận {units} đơn vị máu.\n"

PASSAGE_CASES = [
    # (case, check kind, passages (lang, text), expected verdicts of that kind, words in the explanations)
    (
        "drives sum to the total",
        "sum_of_parts",
        [("vi", DRIVES_TOTAL.format(total="thu được 600 đơn vị máu") + DRIVES_600)],
        ["consistent"],
        "263 + 119 + 218 = 600 units, matching",
    ),
    (
        "drives short of 'hơn 700'",
        "sum_of_parts",
        [("vi", DRIVES_TOTAL.format(total="thu được hơn 700 đơn vị máu") + DRIVES_600)],
        ["inconsistent"],
        "but the stated total of more than 700 units",
    ),
    (
        "total in donors only",
        "sum_of_parts",
        [("vi", DRIVES_TOTAL.format(total="với 650 người hiến máu") + DRIVES_600)],
        [],  # nothing to add up: no check
        "",
    ),
    ("an incomplete list", "sum_of_parts", [("vi", BTL_LIST)], ["bounded"], "The list is incomplete"),
    (
        "172.9% implies a target",
        "percent_of_base",
        [("vi", BTL_2021)],
        ["unverifiable"],
        "implies a target of about 2,193 units",
    ),
    (
        "the target stated elsewhere fits",
        "percent_of_base",
        [("vi", BTL_2021), ("vi", "Năm 2021, quận Bắc Từ Liêm phấn đấu tiếp nhận 2.200 đơn vị máu.\n")],
        ["consistent"],
        "matching the target of 2,200 units stated in article p1",
    ),
    (
        "the target stated elsewhere does not",
        "percent_of_base",
        [("vi", BTL_2021), ("vi", "Năm 2021, quận Bắc Từ Liêm phấn đấu tiếp nhận 3.000 đơn vị máu.\n")],
        ["inconsistent"],
        "against the target of 3,000 units",
    ),
    (
        "12万毫升 for 302 people",
        "ml_per_donor",
        [("zh", LUOHE_ML.format(volume="累计献血量达12万毫升"))],
        ["consistent"],
        "397 ml per donor",
    ),
    (
        "30万毫升 for 302 people",
        "ml_per_donor",
        [("zh", LUOHE_ML.format(volume="累计献血量达30万毫升"))],
        ["implausible"],
        "993 ml per donor, above",
    ),
    (
        "about 13万毫升 for 302 people",
        "ml_per_donor",
        [("zh", LUOHE_ML.format(volume="献血量约13万毫升"))],
        ["unverifiable"],
        "though the qualifiers allow",
    ),
    (
        "fewer donors than registrations",
        "donors_vs_registrations",
        [("vi", HANOI_DAY.format(donors=480, units=""))],
        ["consistent"],
        "is normal",
    ),
    (
        "more donors than registrations",
        "donors_vs_registrations",
        [("vi", HANOI_DAY.format(donors=600, units=""))],
        ["implausible"],
        "80 more donors than registrations",
    ),
    (
        "a unit per donor",
        "units_per_donor",
        [("vi", HANOI_DAY.format(donors=480, units=", thu được 480 đơn vị máu"))],
        ["consistent"],
        "1 units per donor",
    ),
    (
        "Hà Nội's 1.635.000 units against the country",
        "national_share",
        [("vi", HANOI_2023)],
        ["implausible"],
        "93.5%",
    ),
    (
        "Hà Nội's 1.635.000 units against its people",
        "population_rate",
        [("vi", HANOI_2023)],
        ["implausible"],
        "20.3%",
    ),
    (
        "1.635.000 twice",
        "duplicate_number",
        [("vi", HANOI_2023)],
        ["implausible"],
        "The same number, 1,635,000",
    ),
    (
        "1.000 twice",
        "duplicate_number",
        [("vi", "Năm 2024, ngày hội tại Hà Nội thu hút 1.000 người tham gia, tiếp nhận 1.000 đơn vị máu.\n")],
        ["unverifiable"],
        "a round number",
    ),
    (
        "480 donors, 480 units",
        "duplicate_number",
        [("vi", HANOI_DAY.format(donors=480, units=", thu được 480 đơn vị máu"))],
        [],  # nothing given twice: no check
        "",
    ),
    (
        "a province's half-year",
        "national_share",
        [("vi", HY_TOTAL.format(who="", units="1.265"))],
        ["bounded"],
        "= 0.072%",
    ),
    (
        "no population for Hưng Yên",
        "population_rate",
        [("vi", HY_TOTAL.format(who="", units="1.265"))],
        [],  # no population in the reference table: nothing to compare with
        "",
    ),
    (
        "two articles agree",
        "across_articles",
        [("vi", HY_TOTAL.format(who="", units="1.265")), ("vi", HY_TOTAL.format(who="", units="1.265"))],
        ["consistent"],
        "the two agree",
    ),
    (
        "two articles disagree",
        "across_articles",
        [("vi", HY_TOTAL.format(who="", units="1.265")), ("vi", HY_TOTAL.format(who="", units="hơn 1.300"))],
        ["inconsistent"],
        'article p0 gives 1,265 units ("1.265 đơn vị máu") and article p1 gives more than 1,300',
    ),
    (
        "two organisers",
        "across_articles",
        [
            ("vi", HY_TOTAL.format(who="Sở Y tế ", units="1.265")),
            ("vi", HY_TOTAL.format(who="Công đoàn ", units="2.400")),
        ],
        ["unverifiable"],
        "different organisers",
    ),
]


def passage_checks(tmp: Path, passages: list[tuple[str, str]], kind: str) -> list[dict[str, Any]]:
    from extractor.pipeline import extract_text  # the real pipeline, only for these tests

    results = [extract_text(text, lang=lang, article_id=f"p{i}") for i, (lang, text) in enumerate(passages)]
    outcomes = [record for result in results for record in result.outcomes]
    return checks_of(tmp, outcomes, kind, articles=[result.article for result in results])


@pytest.mark.parametrize(
    "kind,passages,expected,words", [c[1:] for c in PASSAGE_CASES], ids=[c[0] for c in PASSAGE_CASES]
)
def test_passages_through_the_pipeline(tmp_path, kind, passages, expected, words):
    checks = passage_checks(tmp_path, passages, kind)
    assert verdicts(checks) == expected, by_explanation(checks)
    assert words in by_explanation(checks)


def test_seed_corpus_through_the_pipeline(tmp_path):
    """The issue's acceptance claims, on the shipped seed articles themselves."""
    from extractor.pipeline import extract_text

    corpus_dir = Path(__file__).resolve().parent.parent / "corpus"
    results = [extract_text(p.read_text(encoding="utf-8"), article_id=p.stem) for p in sorted(corpus_dir.glob("*.txt"))]
    out = write_out(tmp_path, [r for res in results for r in res.outcomes], [res.article for res in results])
    checks = run_checks(out)
    found: dict[tuple[str, str, str], str] = {}
    for c in checks:
        key = (c["article_id"][:3], c["check"], c["verdict"])
        found[key] = found.get(key, "") + c["explanation"] + " | "
    assert "263 + 119 + 560 + 143 + 180 = 1,265 units" in found[("003", "sum_of_parts", "consistent")]
    assert "1,635,000 units" in found[("000", "national_share", "implausible")]
    assert "20.3%" in found[("000", "population_rate", "implausible")]
    assert "participants" in found[("000", "duplicate_number", "implausible")]
    assert "397 ml per donor" in found[("004", "ml_per_donor", "consistent")]
    assert "about 2,193 units" in found[("001", "percent_of_base", "unverifiable")]
    assert not [c for c in checks if c["verdict"] == "inconsistent"], "no seed claim contradicts another"
