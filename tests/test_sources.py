"""Every outcome says how its period and place were chosen: the role, the scope or rule, the words."""

from __future__ import annotations

import pytest

from extractor.pipeline import extract_text

CASES = [
    # text, lang, published, metric value, period (role, scope), place (role, scope)
    ("Ngày 9/4/2024, tại khu công nghiệp Quang Minh, Ban Chỉ đạo tiếp nhận 263 đơn vị máu.", "vi", None, 263,
     ("event_day", "sentence"), ("venue", "venue_cue")),
    ("Năm 2023, toàn tỉnh Hà Nam tiếp nhận 12.400 đơn vị máu, tăng 6% so với năm 2022 (11.700 đơn vị máu).",
     "vi", None, 11700, ("comparison_base", "comparison_base"), ("area", "sentence")),
    ("Tính đến ngày 15/12/2023, toàn huyện Kim Bảng tiếp nhận 2.100 đơn vị máu.", "vi", None, 2100,
     ("as_of", "sentence"), ("area", "sentence")),
    ("Năm 2023, Bệnh viện Trung ương Huế tiếp nhận 41.200 đơn vị máu.", "vi", None, 41200,
     ("reporting_period", "sentence"), ("collecting_centre", "collector")),
    ("自2016年以来，南京大学累计献血1.2万人次。", "zh", "2024-06-01", 12000,
     ("since", "sentence"), ("venue", "sentence")),
    ("2023年5月8日，绵阳市中心血站在涪城区开展无偿献血活动，共有156人献血。", "zh", None, 156,
     ("event_day", "sentence"), ("venue", "venue_cue")),
]


@pytest.mark.parametrize(("text", "lang", "published", "value", "period", "place"), CASES)
def test_outcome_says_how_its_period_and_place_were_chosen(
        text: str, lang: str, published: str | None, value: float,
        period: tuple[str, str], place: tuple[str, str]) -> None:
    outcomes = extract_text(text, lang=lang, published=published).outcomes
    outcome = next(o for o in outcomes if any(m["value"] == value for m in o["metrics"]))
    source = outcome["period"]["source"]
    assert (source["role"], source["scope"]) == period
    assert source["text"] == outcome["period"]["text"]
    where = outcome["location"]["source"]
    assert (where["role"], where["scope"]) == place
    assert where["text"] == outcome["location"]["text"]
