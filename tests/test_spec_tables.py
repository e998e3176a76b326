"""The language spec tables (tests/spec/<lang>/*.yaml) run case by case through the whole pipeline.

The format is described in tests/spec/README.md. A case passes when the pipeline emits exactly the
expected figures (metric and value), each with the expected attributes, plus the expected drives.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractor.pipeline import extract_text

# EXTRACTOR_SPEC_DIR runs a folder of draft tables instead (same layout: <lang>/<topic>.yaml)
SPEC_DIR = Path(os.environ.get("EXTRACTOR_SPEC_DIR") or Path(__file__).parent / "spec")


def _cases() -> list[Any]:
    params = []
    for path in sorted(SPEC_DIR.glob("*/*.yaml")):
        lang = path.parent.name
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            # `known_gap: why` marks a case the pipeline does not handle yet; strict, so a fix shows.
            marks = [pytest.mark.xfail(reason=case["known_gap"], strict=True)] if case.get("known_gap") else []
            params.append(pytest.param(lang, case, id=str(case["id"]), marks=marks))
    return params


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _figures(outcomes: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(o, m) for o in outcomes for m in o["metrics"]]


def _matches(expected: dict[str, Any], outcome: dict[str, Any], metric: dict[str, Any]) -> list[str]:
    """The attributes of one expected figure that the emitted one gets wrong."""
    wrong = []
    checks = {
        "qualifier": (metric["qualifier"], expected.get("qualifier", "exact")),
        "status": (outcome["status"], expected.get("status", "actual")),
    }
    for key in ("text", "low", "high"):
        if key in expected:
            checks[key] = (metric.get(key), expected[key])
    if "period" in expected:
        want = expected["period"]
        want = [None, None] if want is None else [_iso(x) for x in want]
        checks["period"] = ([outcome["period"]["start"], outcome["period"]["end"]], want)
    if "province" in expected:
        checks["province"] = (outcome["location"]["province"], expected["province"])
    for key, (have, want) in checks.items():
        if have != want:
            wrong.append(f"{key}: {have!r} != {want!r}")
    if "place" in expected:
        loc = outcome["location"]
        hay = f"{loc['name'] or ''} | {loc['text'] or ''}".casefold()
        if str(expected["place"]).casefold() not in hay:
            wrong.append(f"place: {expected['place']!r} not in {hay!r}")
    return wrong


@pytest.mark.parametrize(("lang", "case"), _cases())
def test_spec_case(lang: str, case: dict[str, Any]) -> None:
    result = extract_text(case["text"], lang=lang, published=_iso(case.get("published")))
    emitted = _figures(result.outcomes)
    expected = case.get("expect") or []
    got = sorted((m["metric"], float(m["value"])) for _, m in emitted)
    want = sorted((e["metric"], float(e["value"])) for e in expected)
    assert got == want, f"figures {got} != {want}"
    problems = []
    for exp in expected:
        candidates = [(o, m) for o, m in emitted
                      if m["metric"] == exp["metric"] and float(m["value"]) == float(exp["value"])]
        best = min((_matches(exp, o, m) for o, m in candidates), key=len)
        problems += [f"{exp['metric']}={exp['value']} {p}" for p in best]
    for drive in case.get("drives") or []:
        want_period = [_iso(x) for x in drive["period"]]
        hit = any(
            [o["period"]["start"], o["period"]["end"]] == want_period
            and (not drive.get("place") or str(drive["place"]).casefold()
                 in f"{o['location']['name'] or ''} | {o['location']['text'] or ''}".casefold())
            for o in result.outcomes
        )
        if not hit:
            problems.append(f"drive {want_period} at {drive.get('place')!r} missing")
    if case.get("no_drives"):
        dated = [o for o in result.outcomes if o["period"]["granularity"] in ("day", "range")]
        if dated:
            problems.append(f"no drive expected, got periods {[o['period']['text'] for o in dated]}")
    assert not problems, "; ".join(problems)
