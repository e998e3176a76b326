"""Province layouts: every Vietnamese outcome also names its province in the 2025 layout."""

from __future__ import annotations

import pytest

from extractor.gazetteer.vn import province_2025
from extractor.pipeline import extract_text


@pytest.mark.parametrize(("old", "new"), [
    ("Bình Dương", "Hồ Chí Minh"), ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"), ("Quảng Nam", "Đà Nẵng"),
    ("Kiên Giang", "An Giang"), ("Hải Dương", "Hải Phòng"), ("Hà Nội", "Hà Nội"), ("Hồ Chí Minh", "Hồ Chí Minh"),
])
def test_old_provinces_map_onto_the_2025_layout(old: str, new: str) -> None:
    assert province_2025()[old] == new


def test_every_vietnamese_outcome_carries_province_2025() -> None:
    result = extract_text("Ngày 3/3/2024, tại thị xã Dĩ An, tỉnh Bình Dương, tiếp nhận 260 đơn vị máu.", lang="vi")
    [outcome] = [o for o in result.outcomes if o["metrics"]]
    assert outcome["location"]["province"] == "Bình Dương"
    assert outcome["location"]["province_2025"] == "Hồ Chí Minh"


def test_chinese_outcomes_have_one_layout() -> None:
    result = extract_text("2024年3月3日，郑州市金水区开展献血活动，共有260人献血。", lang="zh")
    assert all("province_2025" not in o["location"] for o in result.outcomes)
