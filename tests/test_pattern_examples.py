"""One test per example of every rule file under patterns/: positives and negatives alike."""

from __future__ import annotations

import pytest
from pattern_checkers import CHECKERS

from extractor import patterns

CASES = [
    pytest.param(lang, dim, i, id=f"{lang}/{dim}#{i}")
    for lang, dim in patterns.all_pattern_files()
    for i in range(len(patterns.load(lang, dim).examples))
]


def test_every_rule_file_has_examples_and_a_checker() -> None:
    for lang, dim in patterns.all_pattern_files():
        assert patterns.load(lang, dim).examples, f"patterns/{lang}/{dim}.yaml has no examples"
        assert dim in CHECKERS, f"patterns/{lang}/{dim}.yaml: no checker for {dim!r} in tests/pattern_checkers.py"


@pytest.mark.parametrize(("lang", "dimension", "index"), CASES)
def test_pattern_example(lang: str, dimension: str, index: int) -> None:
    example = patterns.load(lang, dimension).examples[index]
    CHECKERS[dimension](lang, example)
