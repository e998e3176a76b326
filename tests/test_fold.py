"""Chinese rules read Traditional characters as Simplified (one for one, so offsets hold), from a table of
zhconv's conversions kept in the cache folder: a run that finds the table never imports zhconv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.lang import get_pack
from extractor.lang.zh import _changed_characters, _simplified


@pytest.mark.parametrize(("text", "folded"), [
    ("臺北捐血中心：今年捐血人次達12萬", "台北捐血中心：今年捐血人次达12万"),
    ("高雄市獻血車開進校園", "高雄市献血车开进校园"),
    ("漯河市中心血站采集血液", "漯河市中心血站采集血液"),  # Simplified already: unchanged
    ("Hiến máu 献血 2024", "Hiến máu 献血 2024"),
])
def test_traditional_characters_are_read_as_simplified(text: str, folded: str) -> None:
    assert get_pack("zh").fold(text) == folded
    assert len(get_pack("zh").fold(text)) == len(text)


def test_the_table_converts_every_character_as_zhconv_does() -> None:
    table = _changed_characters()
    assert len(table) > 2000
    cjk = [chr(c) for c in range(0x4E00, 0xA000, 7)] + [chr(c) for c in range(0x3400, 0x4DC0, 11)]
    for ch in cjk + [chr(c) for c in table]:
        assert table.get(ord(ch), ch) == _simplified(ch), ch


def test_a_run_that_finds_the_table_does_not_import_zhconv(tmp_path: Path) -> None:
    code = ("import sys\nfrom extractor.lang import get_pack\n"
            "print(get_pack('zh').fold('臺灣捐血'), 'zhconv' in sys.modules)\n")
    env = {**os.environ, "EXTRACTOR_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["台湾捐血", "True"]  # built: zhconv read once
    assert second.stdout.split() == ["台湾捐血", "False"]
