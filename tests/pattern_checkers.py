"""One checker per rule dimension: runs one example of a `patterns/<lang>/<dimension>.yaml` file
through the real extraction code and raises AssertionError when it does not hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from extractor.dates import find_dates, parse_published
from extractor.fetch.topic import matches_topic
from extractor.figures import Figure, find_figures
from extractor.lang import get_pack
from extractor.pipeline import extract_text
from extractor.places import find_places
from extractor.textdoc import segment

Example = dict[str, Any]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else (
        None if value is None else str(value))


def check_furniture(lang: str, example: Example) -> None:
    text = str(example["text"])
    blocks = segment(text, lang).blocks
    block = blocks[0]
    expected = example["expect"]
    if isinstance(expected, dict):  # {paragraphs: N}: how many paragraphs the lines make
        assert len(blocks) == expected["paragraphs"], f"{text!r}: {[text[b.start:b.end] for b in blocks]}"
    elif expected is None:
        assert block.furniture is None, f"{text!r} marked furniture: {block.furniture}"
    elif expected == "section":
        assert block.furniture == "related-articles heading", f"{text!r}: {block.furniture}"
    else:
        assert block.furniture, f"{text!r} not marked furniture"


def check_numbers(lang: str, example: Example) -> None:
    got = get_pack(lang).parse_number(str(example["text"]))
    expected = example["expect"]
    if expected is None:
        assert got is None, f"{example['text']!r}: expected no number, got {got}"
        return
    assert got is not None, f"{example['text']!r}: no number read"
    assert abs(got.value - expected) < 1e-6, f"{example['text']!r}: {got.value} != {expected}"
    for bound in ("low", "high"):
        if bound in example:
            assert getattr(got, bound) == example[bound], f"{example['text']!r}: {bound} {got}"


def _figures_of(text: str, lang: str) -> list[Figure]:
    return find_figures(segment(text, lang))


def check_figures(lang: str, example: Example) -> None:
    got = _figures_of(str(example["text"]), lang)
    expected = example["expect"]
    assert len(got) == len(expected), f"{example['text']!r}: got {[(f.metric, f.value) for f in got]}"
    for fig, exp in zip(got, expected, strict=True):
        for key, want in exp.items():
            have = getattr(fig, key)
            assert have == want, f"{example['text']!r}: {key} {have!r} != {want!r}"
        if "qualifier" not in exp:
            assert fig.qualifier == "exact", f"{example['text']!r}: qualifier {fig.qualifier}"


def check_status(lang: str, example: Example) -> None:
    got = _figures_of(str(example["text"]), lang)
    assert got, f"{example['text']!r}: no figure found"
    assert got[-1].status == example["expect"], f"{example['text']!r}: {got[-1].status}"


def check_dates(lang: str, example: Example) -> None:
    text = str(example["text"])
    published = example.get("published")
    if isinstance(published, str):
        published = parse_published(published)
    got = find_dates(segment(text, lang), published)
    expected = example["expect"]
    assert len(got) == len(expected), f"{text!r}: got {[(m.text, m.kind, m.role) for m in got]}"
    for mention, exp in zip(got, expected, strict=True):
        if "role" in exp:
            assert mention.role == exp["role"], f"{text!r}: role {mention.role}"
        if "period" in exp:
            want = [str(x) if x is not None else None for x in exp["period"]]
            have = [_iso(mention.period_start), _iso(mention.period_end)]
            assert have == want, f"{text!r}: {have} != {want} ({mention.rule})"


def check_places(lang: str, example: Example) -> None:
    text = str(example["text"])
    got = find_places(segment(text, lang))
    expected = example["expect"]
    assert len(got) == len(expected), f"{text!r}: got {[(m.name, m.level, m.province) for m in got]}"
    for mention, exp in zip(got, expected, strict=True):
        for key, want in exp.items():
            assert getattr(mention, key) == want, f"{text!r}: {key} {getattr(mention, key)!r} != {want!r}"


def check_events(lang: str, example: Example) -> None:
    result = extract_text(str(example["text"]), lang=lang, published=example.get("published"))
    expect = example["expect"]
    if "drive" in expect:
        drives = [o for o in result.outcomes if o["kind"] == "drive"]
        assert bool(drives) == expect["drive"], f"{example['text']!r}: drives {drives}"
    if "outcomes" in expect:  # the figures each outcome groups, in reading order
        grouped = [[m["text"] for m in o["metrics"]] for o in result.outcomes if o["metrics"]]
        assert grouped == expect["outcomes"], f"{example['text']!r}: outcomes {grouped}"
    if "kinds" in expect:
        kinds = [o["kind"] for o in result.outcomes]
        assert kinds == expect["kinds"], f"{example['text']!r}: kinds {kinds}"
    for key in ("name", "organizer"):
        if key in expect:
            values = [o[key] for o in result.outcomes]
            assert expect[key] in values, f"{example['text']!r}: {key} {values}"


def check_attribution(lang: str, example: Example) -> None:
    """`expect.places`: the location name of each outcome with figures, in reading order;
    `expect.periods`: their [start, end]; `expect.figures`: how many figures the outcomes hold."""
    unknown = set(example["expect"]) - {"places", "periods", "figures"}
    assert not unknown, f"{example['text']!r}: unknown expectations {sorted(unknown)}"
    result = extract_text(str(example["text"]), lang=lang, published=_iso(example.get("published")))
    with_figures = [o for o in result.outcomes if o["metrics"]]
    if "figures" in example["expect"]:
        count = sum(len(o["metrics"]) for o in with_figures)
        assert count == example["expect"]["figures"], f"{example['text']!r}: {count} figures"
    if "places" in example["expect"]:
        places = [o["location"]["name"] for o in with_figures]
        assert places == example["expect"]["places"], f"{example['text']!r}: places {places}"
    if "periods" in example["expect"]:
        periods = [[o["period"]["start"], o["period"]["end"]] if o["period"] else None for o in with_figures]
        want = [[_iso(x) for x in p] if p is not None else None for p in example["expect"]["periods"]]
        assert periods == want, f"{example['text']!r}: periods {periods}"


def check_topic(lang: str, example: Example) -> None:
    got = matches_topic(example["text"], lang)
    expected = bool(example["expect"])
    assert got is expected, f"topic match {got}, expected {expected}: {example['text']!r}"


CHECKERS: dict[str, Callable[[str, Example], None]] = {
    "attribution": check_attribution,
    "dates": check_dates,
    "events": check_events,
    "figures": check_figures,
    "furniture": check_furniture,
    "numbers": check_numbers,
    "places": check_places,
    "status": check_status,
    "topic": check_topic,
}


def check_checks(lang: str, example: Example) -> None:
    from extractor.checks.grounds import cues_of

    marked = str(example["text"])
    start = marked.index("[")
    end = marked.index("]") - 1
    text = marked.replace("[", "", 1).replace("]", "", 1)
    got = cues_of(text, start, end, lang)
    assert got == set(example["expect"]), f"{marked!r}: cues {sorted(got)}, expected {sorted(example['expect'])}"


CHECKERS["checks"] = check_checks
