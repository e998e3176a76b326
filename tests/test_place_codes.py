"""Official place codes on outcomes: Vietnam's statistics office codes (both layouts, vietnamadminunits) and
China's adcodes (cpca), looked up from an outcome's location as the gazetteer knows the units."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from extractor.gazetteer.cn import cn_place_codes
from extractor.gazetteer.model import PLACE_CODE_KEYS
from extractor.gazetteer.vn import vn_place_codes
from extractor.pipeline import extract_text

BEFORE, AFTER = dt.date(2024, 9, 1), dt.date(2025, 9, 1)  # either side of the merger of 2025-07-01


def _loc(province: str | None, level: str, name: str | None = None, district: str | None = None) -> dict[str, Any]:
    return {"province": province, "district": district, "level": level, "name": name or province}


VN = [
    # location, written, expected codes (only the keys named; the others null)
    (_loc("Hà Nội", "province"), BEFORE, {"province": "01", "province_2025": "01"}),
    # Bắc Ninh merged with Bắc Giang in 2025 and took Bắc Giang's code: the layout of the article's day decides
    (_loc("Bắc Ninh", "province"), BEFORE, {"province": "27", "province_2025": "24"}),
    (_loc("Bắc Ninh", "province"), AFTER, {"province": "24", "province_2025": "24"}),
    (_loc("Bắc Ninh", "province"), None, {"province": "27", "province_2025": "24"}),
    (_loc("Hà Nội", "district", "Bắc Từ Liêm", "Bắc Từ Liêm"), BEFORE,
     {"province": "01", "province_2025": "01", "district": "021"}),
    # a district of old Thái Bình, in an article after the merger that names the province Hưng Yên
    (_loc("Hưng Yên", "district", "Vũ Thư", "Vũ Thư"), AFTER,
     {"province": "33", "province_2025": "33", "district": "344"}),
    (_loc("Thái Bình", "district", "Vũ Thư", "Vũ Thư"), BEFORE,
     {"province": "34", "province_2025": "33", "district": "344"}),
    (_loc("Hà Nội", "ward", "Dịch Vọng", "Cầu Giấy"), BEFORE,
     {"province": "01", "province_2025": "01", "district": "005", "ward": "00166"}),
    (_loc("Bắc Ninh", "ward", "Yên Phong"), AFTER, {"province": "24", "province_2025": "24", "ward": "09193"}),
    (_loc("Hưng Yên", "site", "khu công nghiệp Phố Nối A"), BEFORE, {"province": "33", "province_2025": "33"}),
    (_loc(None, "national", "toàn quốc"), BEFORE, {}),
    (_loc("Hà Nội", "district", "Không Có", "Không Có"), BEFORE, {"province": "01", "province_2025": "01"}),
]


@pytest.mark.parametrize(("location", "written", "expected"), VN,
                         ids=[f"{c[0]['name']}-{c[1]}" for c in VN])
def test_vietnamese_codes(location: dict[str, Any], written: dt.date | None, expected: dict[str, str]) -> None:
    assert vn_place_codes(location, written) == dict.fromkeys(PLACE_CODE_KEYS) | expected


CN = [
    (_loc("河南省", "province"), {"province": "410000", "adcode": "410000"}),
    (_loc("河南省", "district", "郾城区", "郾城区"), {"province": "410000", "district": "411103", "adcode": "411103"}),
    (_loc("河南省", "city", "漯河市"), {"province": "410000", "adcode": "411100"}),
    (_loc("广东省", "city", "深圳市"), {"province": "440000", "adcode": "440300"}),
    # one name, two provinces: the province picks the unit
    (_loc("北京市", "district", "朝阳区", "朝阳区"), {"province": "110000", "district": "110105", "adcode": "110105"}),
    (_loc("吉林省", "district", "朝阳区", "朝阳区"), {"province": "220000", "district": "220104", "adcode": "220104"}),
    (_loc("河南省", "site", "河南省人民医院"), {"province": "410000", "adcode": "410000"}),
    # a district the gazetteer lists in another province only: no code rather than a wrong one
    (_loc("河南省", "site", "许昌市东城区管委会", "东城区"), {"province": "410000", "adcode": "410000"}),
    (_loc(None, "national", "全国"), {}),
]


@pytest.mark.parametrize(("location", "expected"), CN, ids=[c[0]["name"] for c in CN])
def test_chinese_adcodes(location: dict[str, Any], expected: dict[str, str]) -> None:
    assert cn_place_codes(location) == dict.fromkeys(PLACE_CODE_KEYS) | expected


PIPELINE = [
    ("Ngày 12/3/2024, tại Nhà văn hóa huyện Yên Phong (Bắc Ninh), Hội Chữ thập đỏ tỉnh tổ chức ngày hội hiến máu, "
     "tiếp nhận được 412 đơn vị máu.", "2024-03-13", {"province": "27", "province_2025": "24"}),
    ("Ngày 12/8/2025, tại Nhà văn hóa xã Yên Phong, tỉnh Bắc Ninh, Hội Chữ thập đỏ tỉnh tổ chức ngày hội hiến máu, "
     "tiếp nhận được 412 đơn vị máu.", "2025-08-13", {"province": "24", "province_2025": "24"}),
    ("2023年6月14日，漯河市郾城区开展无偿献血活动，共有215人成功献血，采集全血7.1万毫升。", "2023-06-15",
     {"province": "410000"}),
]


@pytest.mark.parametrize(("text", "published", "expected"), PIPELINE, ids=["vi-2024", "vi-2025", "zh"])
def test_outcomes_carry_the_codes_of_their_place(text: str, published: str, expected: dict[str, str]) -> None:
    outcomes = extract_text(text, published=published).outcomes
    assert outcomes
    for outcome in outcomes:
        codes = outcome["location"]["codes"]
        assert list(codes) == list(PLACE_CODE_KEYS)
        assert {k: codes[k] for k in expected} == expected
