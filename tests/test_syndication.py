"""Syndicated copies: near-duplicate articles are grouped (`duplicate_of`) and never corroborate each other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.syndication import (
    SyndicationIndex,
    _BandTable,
    containment,
    estimated_similarity,
    jaccard,
    mark_duplicates,
    shingles,
    signature,
)

ORIGINAL = (
    "Quảng Ninh: Chủ nhật Đỏ tiếp nhận 842 đơn vị máu\n\n"
    "Ngày 14/1/2024, tại Cung Văn hóa Thiếu nhi tỉnh Quảng Ninh (thành phố Hạ Long), Tỉnh đoàn phối hợp với "
    "Bệnh viện Bãi Cháy tổ chức chương trình Chủ nhật Đỏ lần thứ XVI. Chương trình thu hút đông đảo đoàn viên, "
    "thanh niên, cán bộ công nhân viên chức và người dân tham gia. Kết thúc chương trình, Ban tổ chức tiếp nhận "
    "842 đơn vị máu, góp phần bổ sung lượng máu dự trữ cho các bệnh viện trong dịp trước và sau Tết Nguyên đán.\n\n"
    "Năm 2024, Tỉnh đoàn Quảng Ninh phấn đấu tổ chức 12 đợt hiến máu, tiếp nhận trên 6.000 đơn vị máu.\n\nHoàng Yến"
)
BODY = ORIGINAL.split("\n\n", 1)[1]

COPIES = [
    # (case, text, a copy?)
    ("new title and byline", "Chủ nhật Đỏ ở Hạ Long thu 842 đơn vị máu\n\n" + BODY.replace("Hoàng Yến", "(Theo QN)"),
     True),
    ("last paragraph trimmed", ORIGINAL.rsplit("\n\nNăm 2024", 1)[0], True),
    ("re-punctuated and re-wrapped", ORIGINAL.replace(", ", " , ").replace(". ", ".\n"), True),
    ("a figure edited", ORIGINAL.replace("842", "824"), True),
    ("another drive of the same programme", (
        "Quảng Ninh: Chủ nhật Đỏ tại Cẩm Phả tiếp nhận 515 đơn vị máu\n\n"
        "Ngày 21/1/2024, tại Nhà văn hóa thành phố Cẩm Phả, Thành đoàn Cẩm Phả phối hợp Trung tâm Y tế thành phố "
        "tổ chức Chủ nhật Đỏ. Hơn 600 đoàn viên, thanh niên và công nhân ngành than đăng ký hiến máu; Ban tổ chức "
        "tiếp nhận 515 đơn vị máu. Đây là lần thứ ba Cẩm Phả tổ chức chương trình trong dịp Tết.\n\nMinh Đức"), False),
    ("the same event told by another outlet", (
        "Hơn 800 đơn vị máu được hiến tặng trước Tết\n\n"
        "Sáng 14/1, hàng nghìn thanh niên Quảng Ninh đã đến Cung Văn hóa Thiếu nhi tỉnh để hiến máu. Theo Bệnh viện "
        "Bãi Cháy, đơn vị tiếp nhận, chương trình năm nay thu được 842 đơn vị, cao hơn năm trước. Anh Trần Văn Nam, "
        "công nhân mỏ, lần thứ năm tham gia hiến máu."), False),
]


@pytest.mark.parametrize(("text", "copy"), [c[1:] for c in COPIES], ids=[c[0] for c in COPIES])
def test_copies_are_grouped_and_other_articles_are_not(text: str, copy: bool) -> None:
    index = SyndicationIndex()
    assert index.add("original", ORIGINAL) is None
    assert index.add("other", text) == ("original" if copy else None)


@pytest.mark.parametrize(("text", "copy"), [c[1:] for c in COPIES], ids=[c[0] for c in COPIES])
def test_the_signature_estimates_the_exact_similarity(text: str, copy: bool) -> None:
    """64 hash functions: the estimate's standard error is at most 0.0625; allow three of them."""
    a, b = shingles(ORIGINAL), shingles(text)
    estimate = estimated_similarity(signature(a), signature(b))
    exact = jaccard(ORIGINAL, text)
    assert abs(estimate - exact) <= 0.19
    assert (containment(exact, a.size, b.size) >= 0.8) is copy


def test_a_copy_of_a_copy_points_to_the_first_article_read() -> None:
    records = [{"id": "a", "text": ORIGINAL}, {"id": "b", "text": COPIES[0][1]}, {"id": "c", "text": COPIES[1][1]}]
    mark_duplicates(records)
    assert [r["duplicate_of"] for r in records] == [None, "a", "a"]


def test_identical_copies_are_found_without_being_indexed_again() -> None:
    """A wire story printed unchanged by many outlets: each copy points to the first, and the index holds
    one article for them all, so a new copy is compared with one signature, not with every copy before it."""
    index = SyndicationIndex()
    found = [index.add(f"outlet-{i}", ORIGINAL) for i in range(40)]
    assert found == [None] + ["outlet-0"] * 39
    assert len(index) == 1
    assert index.add("retitled", COPIES[0][1]) == "outlet-0"  # a new title and byline: indexed on its own
    assert len(index) == 2
    assert index.add("trimmed", COPIES[1][1]) == "outlet-0"


def test_copies_are_found_across_the_band_table_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Band keys wait in a dict and are merged into sorted arrays every FLUSH entries: a copy is found
    whether its original's keys were merged or still wait, and a copy of a copy points to the first."""
    monkeypatch.setattr(_BandTable, "FLUSH", 20)  # every 20 band entries: at every article or two
    index = SyndicationIndex()
    others = [c[1] for c in COPIES if not c[2]]
    assert index.add("original", ORIGINAL) is None
    assert [index.add(f"other-{i}", text) for i, text in enumerate(others)] == [None, None]
    found = [index.add(case, text) for case, text, copy in COPIES if copy]
    assert found == ["original"] * len(found)
    assert index.add("again", others[0]) == "other-0"


def test_short_texts_are_no_evidence() -> None:
    index = SyndicationIndex()
    assert index.add("a", "Tiếp nhận 842 đơn vị máu.") is None
    assert index.add("b", "Tiếp nhận 842 đơn vị máu.") is None


def test_run_marks_copies_and_checks_compare_groups(tmp_path: Path) -> None:
    """Two outlets print one article and a third reports the same drive differently: the copy is marked,
    copies get no cross-article check between them, the independent report is compared with the group."""
    from extractor.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a_original.txt").write_text(ORIGINAL, encoding="utf-8")
    (corpus / "b_copy.txt").write_text(COPIES[0][1], encoding="utf-8")
    (corpus / "c_other.txt").write_text(COPIES[5][1].replace("Sáng 14/1", "Sáng 14/1/2024"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--check", "--no-progress"]) == 0
    articles = {r["id"]: r for r in map(json.loads, (out / "articles.jsonl").read_text(encoding="utf-8").splitlines())}
    assert articles["b_copy"]["duplicate_of"] == "a_original"
    assert articles["a_original"]["duplicate_of"] is None and articles["c_other"]["duplicate_of"] is None
    checks = [json.loads(line) for line in (out / "checks.jsonl").read_text(encoding="utf-8").splitlines()]
    pairs = [sorted(c["article_ids"]) for c in checks if c["check"] == "across_articles"]
    assert ["a_original", "b_copy"] not in pairs
