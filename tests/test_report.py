"""`extract report` and `extract check --claimreview` on small runs of passages written for these tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.cli import main

PASSAGES = {
    "vi_drives": (
        "Bắc Ninh: Quý II tiếp nhận 1.140 đơn vị máu\n\n"
        "Trong quý II năm 2024, Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh Bắc Ninh tổ chức 03 ngày hội "
        "hiến máu tại các khu công nghiệp, tiếp nhận 1.140 đơn vị máu, cụ thể:\n\n"
        "- Đợt 1: Ngày 12/4/2024 tại khu công nghiệp Quế Võ tiếp nhận 412 đơn vị máu.\n\n"
        "- Đợt 2: Ngày 17/5/2024 tại khu công nghiệp Yên Phong tiếp nhận 356 đơn vị máu.\n\n"
        "- Đợt 3: Ngày 21/6/2024 tại khu công nghiệp Tiên Du tiếp nhận 272 đơn vị máu.\n"
    ),
    "zh_ratio": "11月4日，周口市川汇区在市民之家开展无偿献血活动，当天共有180人成功献血，献血量9.6万毫升。\n",
    "vi_script": ("Ngày 3/3/2024, tại Nhà văn hóa <script>alert(1)</script> có 312 người hiến máu "
                  "& thu được 95 lít máu.\n"),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    for name, text in PASSAGES.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
        (corpus / f"{name}.meta.json").write_text(json.dumps({"url": f"https://example.org/{name}",
                                                              "published": "2024-06-30"}), encoding="utf-8")
    folder = tmp_path_factory.mktemp("out") / "out"
    assert main(["run", str(corpus), "--out", str(folder), "--check", "--no-progress"]) == 0
    assert main(["report", str(folder)]) == 0
    return folder


def test_the_report_is_one_self_contained_file(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=", page), "nothing loaded from elsewhere"
    assert "default-src 'none'" in page and page.count("<svg") >= 1
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_each_figure_is_marked_at_its_span_with_its_metric(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    for index, article in enumerate(articles):
        for figure in article["figures"]:
            if figure.get("outcome_id"):
                mark = re.search(rf'<mark id="f-{index}-{figure["start"]}-{figure["end"]}" class="fig '
                                 rf'm-{figure["metric"]}[^"]*"[^>]*>([^<]*)</mark>', page)
                assert mark and mark.group(1) == figure["text"].replace("&", "&amp;")


def test_alarms_flag_their_words_and_sums_show_their_arithmetic(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    assert re.search(r'>9\.6万毫升</mark><a class="flag verdict-implausible" href="#c-zh_ratio-ml_per_donor-1"', page)
    assert "412 + 356 + 272 = 1,040" in page and 'id="c-vi_drives-sum_of_parts-1"' in page
    assert "reporting_period" in page or "event_day" in page  # how each period was chosen


def test_report_without_a_run_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "no outcomes.jsonl" in capsys.readouterr().err


def test_claimreview_drafts_for_the_alarms(out: Path) -> None:
    assert main(["check", str(out), "--claimreview"]) == 0
    drafts = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    checks = [json.loads(line) for line in (out / "checks.jsonl").read_text(encoding="utf-8").splitlines()]
    alarms = [c for c in checks if c["verdict"] in ("inconsistent", "implausible")]
    assert len(drafts) == len(alarms) == 2
    by_id = {d["identifier"]: d for d in drafts}
    ratio = by_id["zh_ratio:ml_per_donor:1"]
    assert ratio["@context"] == "https://schema.org" and ratio["@type"] == "ClaimReview"
    assert ratio["creativeWorkStatus"] == "Draft" and ratio["author"] is None  # for an editor to complete
    assert ratio["claimReviewed"] == "9.6万毫升"
    assert ratio["itemReviewed"]["appearance"]["url"] == "https://example.org/zh_ratio"
    assert ratio["reviewRating"]["alternateName"] == "implausible"
    parts = by_id["vi_drives:sum_of_parts:1"]
    assert parts["claimReviewed"] == "1.140 đơn vị máu" and parts["reviewRating"]["alternateName"] == "inconsistent"
