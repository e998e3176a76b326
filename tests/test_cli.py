"""`extract run` as a user runs it: the seeds, the output contract, spans, schemas and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import jsonschema
import pytest

from extractor import corpus
from extractor.cli import main
from extractor.output import read_jsonl
from extractor.schemas import load_schema

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "corpus"
EVAL_CANDIDATES = [Path(os.environ.get("EXTRACTOR_EVAL_DIR", "/nonexistent")), REPO.parent / "shared" / "eval",
                   Path("/work/shared/eval")]


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds-out")
    assert main(["run", str(SEEDS), "--out", str(out), "--no-progress"]) == 0
    return out


def _eval_dir() -> Path | None:
    return next((d for d in EVAL_CANDIDATES if (d / "score.py").exists()), None)


def test_seeds_score_strict_f1_through_the_scorer(seed_out: Path) -> None:
    eval_dir = _eval_dir()
    if eval_dir is None:
        pytest.skip("the shared evaluation (score.py and gold) is not on this machine")
    proc = subprocess.run(
        [sys.executable, str(eval_dir / "score.py"), "--gold", str(eval_dir / "seeds.gold.jsonl"),
         "--out", str(seed_out), "--json"],
        capture_output=True, text=True, check=True,
    )
    scores = json.loads(proc.stdout.strip().splitlines()[-1])
    assert scores["strict_f1"] >= 0.90, scores
    assert scores["drive_recall"] >= 0.8, scores
    assert scores["span_valid"] == 1.0, scores


def test_every_span_is_the_words_it_came_from(seed_out: Path) -> None:
    articles = {a["id"]: a for a in read_jsonl(seed_out / "articles.jsonl")}
    assert len(articles) == 5
    checked = 0
    for article in articles.values():
        text = article["text"]
        for fig in article["figures"]:
            assert text[fig["start"] : fig["end"]] == fig["text"]
            checked += 1
    for outcome in read_jsonl(seed_out / "outcomes.jsonl"):
        text = articles[outcome["article_id"]]["text"]
        for m in outcome["metrics"]:
            assert text[m["start"] : m["end"]] == m["text"]
            checked += 1
        loc = outcome["location"]
        if loc["start"] is not None:
            assert text[loc["start"] : loc["end"]] == loc["text"]
        ev = outcome["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["text"]
    assert checked > 40


def test_output_matches_the_shipped_schemas(seed_out: Path) -> None:
    for name in ("articles", "outcomes"):
        schema = load_schema(name)
        rows = read_jsonl(seed_out / f"{name}.jsonl")
        assert rows
        for row in rows:
            jsonschema.validate(row, schema)


def test_outcome_ids_are_stable_and_unique(seed_out: Path, tmp_path: Path) -> None:
    first = [o["id"] for o in read_jsonl(seed_out / "outcomes.jsonl")]
    assert len(first) == len(set(first))
    assert main(["run", str(SEEDS), "--out", str(tmp_path), "--no-progress"]) == 0
    assert [o["id"] for o in read_jsonl(tmp_path / "outcomes.jsonl")] == first


def test_rerun_replaces_output_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for _ in range(2):
        assert main(["run", str(SEEDS), "--out", str(out), "--no-progress"]) == 0
    assert len(read_jsonl(out / "articles.jsonl")) == 5
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "errors.jsonl", "outcomes.jsonl", "run.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no run folder left beside it


def _bad_corpus(root: Path) -> Path:
    src = root / "corpus"
    src.mkdir()
    shutil.copy(SEEDS / "003_5c398355415ae7bd.txt", src / "good_vi.txt")
    shutil.copy(SEEDS / "004_ae2947304a8dbaaf.txt", src / "good_zh.txt")
    (src / "empty.txt").write_text("   \n", encoding="utf-8")
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (src / "english.txt").write_text("Blood drive\n\nThe city collected 300 units of blood on Monday.\n")
    shutil.copy(SEEDS / "003_5c398355415ae7bd.txt", src / "sidecar_broken.txt")
    (src / "sidecar_broken.meta.json").write_text("{not json", encoding="utf-8")
    (src / "bundle.jsonl").write_text(
        json.dumps({"id": "bundle-1", "text": "Ngày 9/4/2024, tại khu công nghiệp Quang Minh, Hội Chữ thập đỏ "
                    "huyện Mê Linh tiếp nhận 320 đơn vị máu.", "published": "2024-04-10"}, ensure_ascii=False)
        + "\n{broken line\n" + json.dumps({"text": "no id"}) + "\n",
        encoding="utf-8",
    )
    zh = "血站捐献\n\n2024年3月5日，南京市鼓楼区共有320人参加无偿献血，献血量达9.6万毫升。"
    (src / "gbk.txt").write_bytes(zh.encode("gbk"))
    (src / "utf16.txt").write_bytes(zh.encode("utf-16"))
    vi = "Hiến máu\n\nNgày 9/4/2024, huyện Mê Linh tiếp nhận 320 đơn vị máu của người hiến máu tình nguyện."
    (src / "cp1258.txt").write_bytes(_cp1258(vi))
    return src


def _cp1258(text: str) -> bytes:
    """Windows-1258 as legacy Vietnamese tools wrote it: precomposed letter (ê, ơ…), combining tone."""
    letter_marks = "\u0302\u0306\u031b"  # circumflex, breve, horn: part of the letter in cp1258
    out = bytearray()
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", parts[0] + "".join(c for c in parts[1:] if c in letter_marks))
        tones = "".join(c for c in parts[1:] if c not in letter_marks)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def test_bad_input_is_named_and_the_rest_is_processed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _bad_corpus(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(src), "--out", str(out), "--no-progress"]) == 1
    errors = {Path(e["path"]).name: e["reason"] for e in read_jsonl(out / "errors.jsonl")}
    assert "empty" in errors["empty.txt"]
    assert "binary" in errors["binary.txt"]
    assert "neither Vietnamese nor Chinese" in errors["english.txt"]
    assert "broken sidecar" in errors["sidecar_broken.meta.json"]
    assert "malformed JSONL line" in errors["bundle.jsonl:2"]
    assert "no 'id'" in errors["bundle.jsonl:3"]
    assert "empty.txt" in capsys.readouterr().err
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert {"good_vi", "good_zh", "sidecar_broken", "bundle-1", "gbk", "utf16", "cp1258"} <= set(articles)
    assert articles["gbk"]["encoding"] in ("gb18030", "gbk", "gb2312")
    assert articles["utf16"]["encoding"] == "utf-16"
    assert articles["bundle-1"]["published"] == "2024-04-10"
    outcomes = read_jsonl(out / "outcomes.jsonl")
    by_article = {o["article_id"]: o for o in outcomes}
    assert by_article["gbk"]["metrics"][0]["value"] == 320
    assert by_article["utf16"]["location"]["province"] == "江苏省"
    assert by_article["cp1258"]["metrics"][0]["value"] == 320
    assert by_article["bundle-1"]["period"]["start"] == "2024-04-09"


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 1000)
    (tmp_path / "huge.txt").write_text("Hiến máu tình nguyện. " * 200, encoding="utf-8")
    items = list(corpus.iter_corpus([tmp_path]))
    assert len(items) == 1 and isinstance(items[0], corpus.InputError)
    assert "too large" in items[0].reason


def test_a_large_jsonl_bundle_streams_and_only_an_oversized_line_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 2000)
    text = "Ngày 9/4/2024 huyện Mê Linh tiếp nhận 320 đơn vị máu."
    line = json.dumps({"id": "a{}", "text": text}, ensure_ascii=False)
    rows = [line.replace("a{}", f"a{i}") for i in range(40)]  # ~3 kB in all: over the cap as one file
    rows.insert(20, json.dumps({"id": "huge", "text": "máu " * 1000}))
    (tmp_path / "bundle.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    items = list(corpus.iter_corpus([tmp_path]))
    articles = [i for i in items if isinstance(i, corpus.Article)]
    errors = [i for i in items if isinstance(i, corpus.InputError)]
    assert len(articles) == 40
    assert len(errors) == 1 and errors[0].path.endswith(":21") and "longer than" in errors[0].reason


def test_missing_input_and_usage_errors(tmp_path: Path) -> None:
    assert main(["run", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--no-progress"]) == 1
    with pytest.raises(SystemExit) as exc:
        main(["run", "--lang", "fr", str(SEEDS)])
    assert exc.value.code == 2
    assert main([]) == 2


def test_lang_flag_forces_the_language(tmp_path: Path) -> None:
    src = tmp_path / "c"
    src.mkdir()
    (src / "a.txt").write_text("Tin ngắn\n\nNgày 9/4/2024 thu được 263 đơn vị máu.", encoding="utf-8")
    assert main(["run", str(src), "--out", str(tmp_path / "o"), "--lang", "vi", "--no-progress"]) == 0
    assert read_jsonl(tmp_path / "o" / "articles.jsonl")[0]["lang"] == "vi"


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("extract")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(exe), "run", str(SEEDS / "003_5c398355415ae7bd.txt"), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "1 articles" in proc.stderr


def test_saved_html_page_is_read_with_its_metadata(tmp_path: Path) -> None:
    page = """<html lang="vi"><head><meta charset="utf-8"><title>Hiến máu tại Mê Linh | Báo Hà Nội</title>
    <meta property="og:title" content="Mê Linh tiếp nhận 320 đơn vị máu">
    <meta property="article:published_time" content="2024-04-10T08:00:00+07:00"></head>
    <body><nav><a href="/">Trang chủ</a> <a href="/y-te">Y tế</a></nav>
    <article><h1>Mê Linh tiếp nhận 320 đơn vị máu</h1>
    <p>Ngày 9/4, tại khu công nghiệp Quang Minh, Hội Chữ thập đỏ huyện Mê Linh tổ chức ngày hội hiến máu
    tình nguyện, tiếp nhận 320 đơn vị máu.</p></article>
    <div class="related"><h3>Tin liên quan</h3><a href="/x">Sóc Sơn tiếp nhận 999 đơn vị máu</a></div>
    </body></html>"""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "me-linh.html").write_text(page, encoding="utf-8")
    assert main(["run", str(tmp_path / "c"), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    [article] = read_jsonl(tmp_path / "o" / "articles.jsonl")
    assert article["id"] == "me-linh" and article["published"] == "2024-04-10"
    assert article["text"].startswith("Mê Linh tiếp nhận 320 đơn vị máu")
    assert "999" not in article["text"] and "Trang chủ" not in article["text"]
    [outcome] = [o for o in read_jsonl(tmp_path / "o" / "outcomes.jsonl") if o["metrics"]]
    assert outcome["period"]["start"] == "2024-04-09"
    assert outcome["metrics"][0]["value"] == 320
    assert "Quang Minh" in outcome["location"]["name"] and outcome["location"]["province"] == "Hà Nội"
