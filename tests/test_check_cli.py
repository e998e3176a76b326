"""`extract check` as scripts use it: a broken output folder named to the line, --fail-on for exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_checks import hung_yen, m, write_out

from extractor.cli import main
from extractor.output import read_jsonl

VI = ("Hiến máu tại Hưng Yên\n\nNăm 2024, tỉnh Hưng Yên tiếp nhận 1.000 đơn vị máu. Trong đó huyện Văn Lâm "
      "tiếp nhận 300 đơn vị máu, huyện Mỹ Hào tiếp nhận 200 đơn vị máu.")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    src = tmp_path / "c"
    src.mkdir()
    (src / "hy.txt").write_text(VI, encoding="utf-8")
    folder = tmp_path / "out"
    assert main(["run", str(src), "--out", str(folder), "--no-progress"]) == 0
    return folder


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize("damage,words", [
    (lambda lines: lines[:-1] + [lines[-1][: len(lines[-1]) // 2]], "truncated"),
    (lambda lines: lines + ['{"id": "x:1", "metrics": [{"metric": "donors", "value": Infinity}]}\n'],
     "Infinity is not JSON"),
    (lambda lines: lines + ['{"id": "x:1", "metrics": [{"metric": "donors", "value": NaN}]}\n'], "NaN is not JSON"),
    (lambda lines: lines + ['["not", "an", "object"]\n'], "not a JSON object"),
    (lambda lines: lines + ['{"article_id": "x"}\n'], "an outcome without an 'id'"),
    (lambda lines: lines + ['{"id": "x:1", "metrics": [{"metric": "donors", "value": "many"}]}\n'],
     "numeric 'value'"),
], ids=["truncated", "Infinity", "NaN", "an array", "no id", "a string value"])
def test_a_broken_outcomes_file_is_named_with_its_line(out: Path, damage: object, words: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = out / "outcomes.jsonl"
    lines = damage(_lines(path))  # type: ignore[operator]
    path.write_text("".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path} line {len(lines)}" in err and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (out / "checks.jsonl").exists()


def test_a_broken_articles_file_is_named_too(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = out / "articles.jsonl"
    path.write_bytes(path.read_bytes() + b'{"id": "x", "figures": [{"metric": "donors"}]}\n\xff\n')
    assert main(["check", str(out)]) == 2
    assert f"{path} line 2" in capsys.readouterr().err


def test_fail_on_turns_verdicts_into_an_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = write_out(tmp_path / "out", hung_yen(m("blood_units", 2000, text="2.000 đơn vị máu")))
    assert main(["check", str(out)]) == 0
    verdicts = {c["verdict"] for c in read_jsonl(out / "checks.jsonl")}
    assert "inconsistent" in verdicts  # five drives of 1,265 units in all are not a total of 2,000
    capsys.readouterr()
    assert main(["check", str(out), "--fail-on", "inconsistent,implausible"]) == 1
    assert "inconsistent (--fail-on)" in capsys.readouterr().err
    absent = [v for v in ("implausible", "unverifiable", "consistent") if v not in verdicts]
    if absent:
        assert main(["check", str(out), "--fail-on", absent[0]]) == 0


def test_fail_on_names_only_known_verdicts(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", str(out), "--fail-on", "inconsistent,wrong"])
    assert exc.value.code == 2
    assert "unknown verdict 'wrong'" in capsys.readouterr().err


def test_checks_are_strict_json(out: Path) -> None:
    assert main(["check", str(out)]) == 0
    for line in (out / "checks.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in checks.jsonl"))


def test_a_folder_mixing_two_runs_is_named(tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What three separate renames once left after a kill: one run's articles beside another's outcomes."""
    src = tmp_path / "more"
    src.mkdir()
    (src / "a.txt").write_text(VI, encoding="utf-8")
    (src / "b.txt").write_text(VI, encoding="utf-8")
    other = tmp_path / "other"
    assert main(["run", str(src), "--out", str(other), "--no-progress"]) == 0
    (out / "articles.jsonl").write_bytes((other / "articles.jsonl").read_bytes())
    capsys.readouterr()
    assert main(["check", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'articles.jsonl'} has 2 records, but {out / 'run.json'} says the run wrote 1" in err
    assert "mixes files of two runs" in err
