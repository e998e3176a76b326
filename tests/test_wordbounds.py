"""Word boundaries (issue 15): rjieba's sorted offsets per sentence decide every gazetteer hit as jieba's
spaCy Doc over the whole article did; a run loads only what its languages need; gazetteers are cached."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from extractor.gazetteer import cache
from extractor.lang import get_pack
from extractor.lang.zh import jieba_tokenizer
from extractor.textdoc import build_spacy_doc, segment
from extractor.wordbounds import WordBounds

REPO = Path(__file__).resolve().parents[1]


def _zh_spec_texts() -> list[str]:
    return [case["text"] for path in sorted((REPO / "tests" / "spec" / "zh").glob("*.yaml"))
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _jieba(text: str) -> list[tuple[int, int]]:
    return [(s, e) for word, s, e in jieba_tokenizer().tokenize(text) if not word.isspace()]


def _candidates(text: str) -> list[tuple[int, int, bool]]:
    """Every gazetteer key found in the article's sentences: (start, end, typed)."""
    tdoc = segment(text, "zh")
    gaz = get_pack("zh").gazetteer()
    found = []
    for sentence in tdoc.sentences:
        for s, e, key in gaz.find(tdoc.match_text[sentence.start : sentence.end]):
            found.append((sentence.start + s, sentence.start + e, any(t for _, t in gaz.by_key[key])))
    return found


def test_rjieba_decides_every_spec_table_hit_as_jieba_does() -> None:
    """The choice of rjieba rests on this: ~1% of its tokens differ from jieba's, none of the decisions."""
    hits = differing_tokens = tokens = 0
    for text in _zh_spec_texts():
        tdoc = segment(text, "zh")
        fast, slow = WordBounds(tdoc, get_pack("zh").tokens), WordBounds(tdoc, _jieba)
        for s, e, typed in _candidates(text):
            hits += 1
            if typed:
                assert fast.starts_word(s) == slow.starts_word(s), (text, text[s:e])
            else:
                assert fast.is_aligned(s, e) == slow.is_aligned(s, e), (text, text[s:e])
        for sentence in tdoc.sentences:
            chunk = tdoc.match_text[sentence.start : sentence.end]
            ours, theirs = set(get_pack("zh").tokens(chunk)), set(_jieba(chunk))
            tokens += len(theirs)
            differing_tokens += len(theirs - ours)
    assert hits > 500 and differing_tokens < 0.02 * tokens


@pytest.mark.parametrize("text", [
    "广泰大厦门口，郾城区孟庙镇组织献血。",
    "南京市 鼓楼区  宁海路街道\n\n共有126人参加献血。厦门市中心血站当天采血。",
    "  台北車站捐血室（臺北市）今天共有180人捐血！",
])
def test_sorted_offsets_answer_as_the_spacy_doc_did(text: str) -> None:
    """The Doc built from the same tokens (strict char_span) and the offsets agree on every span a
    gazetteer key can cover (one that neither starts nor ends with a space: the Doc makes spaces tokens)."""
    tdoc = segment(text, "zh")
    doc = build_spacy_doc(text, "zh", tdoc.match_text)
    bounds = tdoc.word_bounds
    candidates = [(s, e) for sentence in tdoc.sentences for s in range(sentence.start, sentence.end)
                  for e in range(s + 1, min(sentence.end, s + 6) + 1)
                  if not text[s].isspace() and not text[e - 1].isspace()]
    assert candidates
    for s, e in candidates:
        assert bounds.is_aligned(s, e) == (doc.char_span(s, e, alignment_mode="strict") is not None), text[s:e]
        assert bounds.starts_word(s) == any(t.idx == s for t in doc)


def test_pieces_between_separators_give_the_sentence_s_words() -> None:
    """Tokenizing the text between two of the pack's separators alone answers every question as tokenizing
    the whole sentence does: at every position of every spec table text, and for every gazetteer hit."""
    pack = get_pack("zh")
    assert pack.token_separators is not None
    asked = 0
    for text in _zh_spec_texts() + ["（记者 王明）据悉，“热血郑州”活动在郑州大学、河南大学举行。 共302人献血!"]:
        tdoc = segment(text, "zh")
        pieces, sentences = WordBounds(tdoc, pack.tokens, pack.token_separators), WordBounds(tdoc, pack.tokens)
        for pos in range(len(text)):
            assert pieces.starts_word(pos) == sentences.starts_word(pos), (text, pos)
            for end in range(pos + 1, min(len(text), pos + 8) + 1):
                assert pieces.is_aligned(pos, end) == sentences.is_aligned(pos, end), (text, text[pos:end])
                asked += 1
    assert asked > 10_000


LOADED = """
import json, sys
from extractor.cli import main
status = main(sys.argv[1:])
from extractor.gazetteer import vn
print(json.dumps({"status": status, "modules": sorted(sys.modules), "vn_built": vn.vn_gazetteer.cache_info().currsize}))
"""


def _run_and_list_modules(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> tuple[set[str], int]:
    corpus = tmp_path / "c"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", LOADED, "run", str(corpus), "--out", str(tmp_path / "o"),
                          "--no-progress"], capture_output=True, text=True, timeout=120, check=True, env=env)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["status"] == 0
    return {m.split(".")[0] if not m.startswith("extractor") else m for m in report["modules"]}, report["vn_built"]


def test_a_vietnamese_run_loads_nothing_chinese_nor_the_fetcher(tmp_path: Path) -> None:
    modules, _ = _run_and_list_modules(
        tmp_path, "Hiến máu tại Mê Linh\n\nNgày 9/4/2024, huyện Mê Linh tiếp nhận 320 đơn vị máu.")
    assert "underthesea" in modules  # the run did read Vietnamese
    assert not modules & {"jieba", "rjieba", "cpca", "spacy", "cn2an", "zhconv", "extractor.fetch", "bs4"}


def test_a_chinese_run_loads_neither_underthesea_nor_the_vietnamese_gazetteer(tmp_path: Path) -> None:
    modules, vn_built = _run_and_list_modules(
        tmp_path, "南京献血\n\n2024年3月5日，南京市鼓楼区共有320人参加无偿献血，献血量达9.6万毫升。")
    assert "rjieba" in modules
    assert not modules & {"underthesea", "jieba", "spacy", "cpca", "extractor.fetch", "bs4"}
    assert vn_built == 0


@pytest.mark.parametrize("text", [
    "Hiến máu tại Mê Linh\n\nNgày 9/4/2024, huyện Mê Linh tiếp nhận 320 đơn vị máu.",
    "臺北捐血\n\n2024年3月5日，臺北市大安區共有320人參加捐血活動。",
], ids=["vi", "zh"])
def test_a_run_with_a_warm_cache_imports_no_builder(tmp_path: Path, text: str) -> None:
    """What the cache folder keeps (extractor/disk_memo.py, extractor/gazetteer/cache.py) is not built again:
    no schema checker, no Traditional-Simplified converter, no address package, no checks."""
    env = {**os.environ, "EXTRACTOR_CACHE_DIR": str(tmp_path / "cache")}
    first, _ = _run_and_list_modules(tmp_path, text, env)
    second, _ = _run_and_list_modules(tmp_path, text, env)
    builders = {"jsonschema", "zhconv", "pkg_resources", "vietnamadminunits", "extractor.checks"}
    assert first & {"jsonschema"}  # the first run checked the rule files
    assert not second & builders


def test_gazetteers_are_cached_in_the_user_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXTRACTOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    source = tmp_path / "input.txt"
    source.write_text("one")
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {"built": len(builds)}

    assert cache.cached("demo", [source], ["pyyaml"], build) == {"built": 1}
    assert cache.cached("demo", [source], ["pyyaml"], build) == {"built": 1}  # read back, not built
    [stored] = (tmp_path / "xdg" / "extractor").glob("demo-*.pickle")
    stored.write_bytes(b"not a pickle")
    assert cache.cached("demo", [source], ["pyyaml"], build) == {"built": 2}  # broken: rebuilt
    source.write_text("two")
    assert cache.cached("demo", [source], ["pyyaml"], build) == {"built": 3}  # an input changed
    assert len(list((tmp_path / "xdg" / "extractor").glob("demo-*.pickle"))) == 1  # the stale one went
    with open(next((tmp_path / "xdg" / "extractor").glob("demo-*.pickle")), "rb") as f:
        assert pickle.load(f) == {"built": 3}


def test_the_cached_gazetteer_is_the_built_one() -> None:
    from extractor.gazetteer.cn import _build_cn_gazetteer, cn_gazetteer

    built, cached = _build_cn_gazetteer(), cn_gazetteer()
    assert built.by_key == cached.by_key
    assert os.environ["EXTRACTOR_CACHE_DIR"] in str(next(cache.cache_dir().glob("cn-gazetteer-*.pickle")))
