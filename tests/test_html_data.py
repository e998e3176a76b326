"""patterns/outlets.yaml and patterns/html.yaml: every example through the real lookup code, and
misspelt keys failing to load with the file and the key named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractor.fetch.adapters import adapter_for
from extractor.html import parse_html, selectors
from extractor.patterns import PATTERNS_ENV, patterns_dir

REAL_DIR = patterns_dir()  # the repo's (or CI's) files, before any test points $EXTRACTOR_PATTERNS away


def _examples(name: str) -> list[dict[str, Any]]:
    with open(REAL_DIR / name, encoding="utf-8") as f:
        return list(yaml.safe_load(f)["examples"])


OUTLET_EXAMPLES = _examples(selectors.OUTLETS_FILE)
HTML_EXAMPLES = _examples(selectors.HTML_FILE)


@pytest.fixture
def fresh_tables() -> Iterator[None]:
    """Forget the loaded tables before and after, so a test's $EXTRACTOR_PATTERNS is the one read."""
    selectors.outlets.cache_clear()
    selectors.html_words.cache_clear()
    yield
    selectors.outlets.cache_clear()
    selectors.html_words.cache_clear()


def test_both_files_describe_themselves_and_have_both_kinds_of_example() -> None:
    for name, examples in ((selectors.OUTLETS_FILE, OUTLET_EXAMPLES), (selectors.HTML_FILE, HTML_EXAMPLES)):
        with open(REAL_DIR / name, encoding="utf-8") as f:
            assert yaml.safe_load(f)["description"].strip(), name
        expects = [e["expect"] for e in examples]
        assert any(x in (None, False) for x in expects) and any(x not in (None, False) for x in expects), name


@pytest.mark.parametrize("example", OUTLET_EXAMPLES, ids=[e["url"] for e in OUTLET_EXAMPLES])
def test_outlet_example(example: dict[str, Any]) -> None:
    found = selectors.outlet_for(example["url"])
    assert (found.name if found else None) == example["expect"]
    adapter = adapter_for(example["url"])  # the crawler sees the same table
    assert (adapter.name if adapter else None) == example["expect"]
    expected_selectors = selectors.outlet_by_name(example["expect"]).article if example["expect"] else None
    assert selectors.article_selectors(example["url"]) == expected_selectors


def _html_id(example: dict[str, Any]) -> str:
    if "meta" in example:
        return f"meta:{example['meta']}"
    return f"{example['words']}:{example['name']}"


def _page_dated_only_by_meta(key: str) -> str:
    return (f'<html><head><meta property="{key}" content="2024-06-14T08:30:00+07:00"><title>t</title></head>'
            "<body><p>Không có ngày nào khác trên trang này.</p></body></html>")


@pytest.mark.parametrize("example", HTML_EXAMPLES, ids=[_html_id(e) for e in HTML_EXAMPLES])
def test_html_example(example: dict[str, Any]) -> None:
    if "meta" in example:
        published = parse_html(_page_dated_only_by_meta(example["meta"])).published
        assert (published == "2024-06-14") is example["expect"], published
    else:
        assert selectors.name_matches(example["words"], example["name"]) is example["expect"]


def test_html_examples_cover_every_word_list() -> None:
    with open(REAL_DIR / selectors.HTML_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    lists = {*raw["class_words"], "sure_furniture"}
    for kind in lists:
        expects = {e["expect"] for e in HTML_EXAMPLES if e.get("words") == kind}
        assert expects == {True, False}, kind
    assert {e["expect"] for e in HTML_EXAMPLES if "meta" in e} == {True, False}


def test_class_words_are_whole_name_parts() -> None:
    furniture = selectors.class_words("furniture")
    assert furniture.pattern.startswith("(^|[-_])(") and furniture.pattern.endswith(")($|[-_])")
    assert furniture.flags & re.I


# ---------------------------------------------------------------- loading errors

def _patterns_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outlets: dict[str, Any] | None = None,
                   html: dict[str, Any] | None = None) -> Path:
    """A patterns directory holding the real files, or the given replacements, read from now on."""
    for name, replacement in ((selectors.OUTLETS_FILE, outlets), (selectors.HTML_FILE, html)):
        text = (REAL_DIR / name).read_text(encoding="utf-8")
        if replacement is not None:
            text = yaml.safe_dump(replacement, allow_unicode=True, sort_keys=False)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv(PATTERNS_ENV, str(tmp_path))
    return tmp_path


def _real(name: str) -> dict[str, Any]:
    with open(REAL_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _entry(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in raw["outlets"] if e["name"] == name)


def test_patterns_dir_copy_loads_the_same_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                fresh_tables: None) -> None:
    real = selectors.outlets()
    selectors.outlets.cache_clear()
    _patterns_copy(tmp_path, monkeypatch)
    assert selectors.outlets() == real


def test_misspelt_article_key_names_the_file_and_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         fresh_tables: None) -> None:
    raw = _real(selectors.OUTLETS_FILE)
    article = _entry(raw, "nhandan")["article"]
    article["bodyy"] = article.pop("body")
    base = _patterns_copy(tmp_path, monkeypatch, outlets=raw)
    with pytest.raises(ValueError) as err:
        selectors.outlets()
    message = str(err.value)
    assert str(base / "outlets.yaml") in message and "'bodyy'" in message and "nhandan" in message
    with pytest.raises(ValueError, match="bodyy"):
        selectors.outlet_for("https://nhandan.vn/a.html")


def test_misspelt_outlet_key_names_the_file_and_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        fresh_tables: None) -> None:
    raw = _real(selectors.OUTLETS_FILE)
    entry = _entry(raw, "phunuthudo")
    entry["next-page"] = entry.pop("next_page")
    base = _patterns_copy(tmp_path, monkeypatch, outlets=raw)
    with pytest.raises(ValueError) as err:
        selectors.outlets()
    assert str(base / "outlets.yaml") in str(err.value) and "'next-page'" in str(err.value)


def test_outlet_without_hosts_or_with_a_broken_path_pattern_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  fresh_tables: None) -> None:
    raw = _real(selectors.OUTLETS_FILE)
    del _entry(raw, "phunuthudo")["hosts"]
    _patterns_copy(tmp_path, monkeypatch, outlets=raw)
    with pytest.raises(ValueError, match="missing key 'hosts'"):
        selectors.outlets()
    selectors.outlets.cache_clear()
    raw = _real(selectors.OUTLETS_FILE)
    _entry(raw, "henan-wsjkw")["path_pattern"] = "/t20(\\d{6}"
    _patterns_copy(tmp_path, monkeypatch, outlets=raw)
    with pytest.raises(ValueError, match="henan-wsjkw.*path_pattern"):
        selectors.outlets()


def test_misspelt_word_list_names_the_file_and_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       fresh_tables: None) -> None:
    raw = _real(selectors.HTML_FILE)
    raw["class_words"]["furnitur"] = raw["class_words"].pop("furniture")
    base = _patterns_copy(tmp_path, monkeypatch, html=raw)
    with pytest.raises(ValueError) as err:
        selectors.html_words()
    assert str(base / "html.yaml") in str(err.value) and "'furnitur'" in str(err.value)
