"""Start-up work kept on disk (extractor/disk_memo.py): a later run reads compiled patterns and checked rule
files instead of parsing them again, finds what a fresh compile finds, and a broken memo costs nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from extractor import disk_memo, patterns
from extractor.disk_memo import DiskMemo

RULES = [
    (r"(?P<num>\d[\d.,]*)\s*(?:đơn vị|ĐV)\s*máu", "Tiếp nhận 1.250 đơn vị máu; 980 ĐV máu", ["1.250", "980"]),
    (r"(?<=共|累计)(?P<num>\d+)人(?:次)?", "全市共302人次献血，累计1200人", ["302", "1200"]),
    (r"(?P<num>\d+(?:\.\d+)?)\s*%", "đạt 115% kế hoạch, tăng 12.5%", ["115", "12.5"]),
]


def _compiled(memo: DiskMemo, pattern: str, flags: int) -> regex.Pattern[str]:
    return memo.get((pattern, flags), lambda: regex.compile(pattern, flags))


def _found(rx: regex.Pattern[str], text: str) -> list[str]:
    return [m.group("num") for m in rx.finditer(text)]


def test_a_later_process_reads_the_compiled_patterns_without_parsing_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "patterns.pickle"
    first = DiskMemo(path)
    for pattern, text, expected in RULES:
        assert _found(_compiled(first, pattern, regex.VERSION0), text) == expected
    first.save()
    assert path.exists()

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(regex, "compile", no_parsing)
    second = DiskMemo(path)
    for pattern, text, expected in RULES:
        assert _found(_compiled(second, pattern, regex.VERSION0), text) == expected


def test_an_edited_pattern_is_compiled_afresh(tmp_path: Path) -> None:
    path = tmp_path / "patterns.pickle"
    first = DiskMemo(path)
    _compiled(first, r"(?P<num>\d+) đơn vị", 0)
    first.save()
    second = DiskMemo(path)
    assert _found(_compiled(second, r"(?P<num>\d+) (?:đơn vị|túi)", 0), "thu 80 túi máu") == ["80"]


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01."])  # the last: a pickled int
def test_a_broken_cache_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "patterns.pickle"
    path.write_bytes(content)
    cache = DiskMemo(path)
    pattern, text, expected = RULES[0]
    assert _found(_compiled(cache, pattern, regex.VERSION0), text) == expected
    cache.save()
    assert _found(_compiled(DiskMemo(path), pattern, regex.VERSION0), text) == expected
    assert path.read_bytes() != content


def test_a_read_only_cache_folder_means_compiling_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        cache = DiskMemo(folder / "patterns.pickle")
        pattern, text, expected = RULES[1]
        assert _found(_compiled(cache, pattern, 0), text) == expected
        cache.save()  # no error
        assert list(folder.iterdir()) == [] or os.geteuid() == 0  # root may write anyway
    finally:
        folder.chmod(0o700)


def test_only_the_process_that_loaded_the_cache_writes_it(tmp_path: Path) -> None:
    """A forked worker inherits the cache: it must not write it (its parent does)."""
    path = tmp_path / "patterns.pickle"
    cache = DiskMemo(path)
    _compiled(cache, RULES[0][0], 0)
    cache._owner = os.getpid() + 1  # as seen from a child
    cache.save()
    assert not path.exists()


def test_a_full_cache_keeps_the_patterns_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_memo, "MAX_ENTRIES", 2)
    path = tmp_path / "patterns.pickle"
    old = DiskMemo(path)
    for pattern, _, _ in RULES:
        _compiled(old, pattern, 0)
    old.save()
    cache = DiskMemo(path)
    _compiled(cache, RULES[0][0], 0)
    _compiled(cache, r"\d+ ml", 0)  # something new, so the cache is written
    cache.save()
    reread = DiskMemo(path)
    _compiled(reread, RULES[0][0], 0)
    assert reread._new == 0 and len(reread._stored or {}) == 2


def test_runs_share_the_cache_through_the_cache_folder(tmp_path: Path) -> None:
    code = ("from extractor.pipeline import extract_text\n"
            "from extractor import disk_memo\n"
            "import sys\n"
            "r = extract_text('Ngày 3/3/2024, tại Hà Nội tiếp nhận 560 đơn vị máu.', 'vi')\n"
            "print(len(r.outcomes), disk_memo._MEMOS['patterns']._new, 'jsonschema' in sys.modules)\n")
    env = {**os.environ, "EXTRACTOR_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    first, second = (r.stdout.split() for r in runs)
    assert first[0] == second[0] == "1"
    assert int(first[1]) > 50 and first[2] == "True"  # every rule compiled, every file checked
    assert second[1:] == ["0", "False"]  # none the second time
    assert list(tmp_path.glob("patterns-*.pickle")) and list(tmp_path.glob("rule-files-*.pickle"))


def _rule_file(folder: Path, description: str, extra: str = "") -> Path:
    path = folder / "zh" / "topic.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"lang: zh\ndimension: topic\ndescription: {description}\n"
                    "min_hits: 1\nrules: [{name: donate, pattern: '献血'}]\n"
                    "examples: [{text: 献血, expect: true}]\n" + extra, encoding="utf-8")
    return path


def test_a_rule_file_is_checked_again_when_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path / "cache"))
    path = _rule_file(tmp_path, "topic words")
    assert patterns._read_checked(path, "zh", "topic")["description"] == "topic words"
    _rule_file(tmp_path, "topic words", extra="unknown_key: 1\n")
    with pytest.raises(patterns.PatternFileError, match="unknown_key"):
        patterns._read_checked(path, "zh", "topic")
    with pytest.raises(patterns.PatternFileError, match="unknown_key"):  # a broken file is never memoised
        patterns._read_checked(path, "zh", "topic")


def test_a_caller_changing_the_data_does_not_change_the_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path / "cache"))
    path = _rule_file(tmp_path, "topic words")
    patterns._read_checked(path, "zh", "topic")["rules"].append({"name": "changed"})
    assert patterns._read_checked(path, "zh", "topic")["rules"] == [{"name": "donate", "pattern": "献血"}]
