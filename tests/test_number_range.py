"""Values beyond what a count can be are refused, never written as Infinity or rounded."""

from __future__ import annotations

import json

import pytest

from extractor.pipeline import extract_text

CASES = [
    # (lang, text, the blood units expected: None when the numeral must be refused)
    ("vi", "Ngày hội đã tiếp nhận " + "1" * 309 + " đơn vị máu.", None),  # a float would be Infinity
    ("vi", "Ngày hội đã tiếp nhận 12345678901234567890 đơn vị máu.", None),  # 20 digits: a float rounds it
    ("vi", "Ngày hội đã tiếp nhận 1.000.000.000.000.000 đơn vị máu.", None),  # 10^15
    ("vi", "Ngày hội đã tiếp nhận 999.999.999.999.999 đơn vị máu.", 999999999999999),  # 15 digits: exact
    ("zh", "当天共采集全血" + "9" * 400 + "单位。", None),
    ("zh", "当天共采集全血123456789012345678单位。", None),
    ("zh", "当天共采集全血20000千亿单位。", None),  # 2 × 10^15
    ("zh", "当天共采集全血2000千亿单位。", 200000000000000),
    ("zh", "当天共采集全血263单位。", 263),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_values_beyond_a_count_are_refused(lang: str, text: str, expected: int | None) -> None:
    result = extract_text(text, lang=lang)
    units = [f["value"] for f in result.article["figures"] if f["metric"] == "blood_units"]
    assert units == ([] if expected is None else [expected])
    json.dumps(result.article, allow_nan=False)  # nothing a strict JSON writer refuses
    json.dumps(result.outcomes, allow_nan=False)
