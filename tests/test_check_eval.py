"""The checks' own evaluation (tests/checks/table.yaml): passages written for it, each with the verdicts it
must and must not get, through the real pipeline. Alarm precision >= 0.9 and recall >= 0.8."""

from __future__ import annotations

import pytest

from extractor.checks.evaluation import DEFAULT_TABLE, evaluate, load_table, report


@pytest.fixture(scope="module")
def scores():
    return evaluate(DEFAULT_TABLE)


def test_the_table_has_true_alarms_and_traps_in_both_languages():
    cases = load_table(DEFAULT_TABLE)
    alarms = [c for c in cases if any(e.partition(":")[2] in ("inconsistent", "implausible")
                                      or e in ("inconsistent", "implausible") for e in c.get("must") or [])]
    assert len(cases) >= 60
    assert len(alarms) >= 20 and len(cases) - len(alarms) >= 40
    assert {c["lang"] for c in alarms} == {"vi", "zh"} == {c["lang"] for c in cases if c not in alarms}
    assert all(c.get("truth") for c in cases), "every case says what is wrong with it, or why it is a trap"


def test_alarm_precision_and_recall(scores):
    text = report(scores)
    print(text)
    assert scores.precision >= 0.9, text
    assert scores.recall >= 0.8, text


def test_every_trap_stays_quiet(scores):
    """No trap may raise an alarm; the thresholds above are for the true alarms a rule may still miss."""
    loud = [r.id for r in scores.results if not r.expected_alarms and r.alarms]
    assert not loud, report(scores)


def test_check_eval_command_prints_precision_and_recall(capsys, tmp_path):
    from extractor.cli import main

    table = tmp_path / "t.yaml"
    table.write_text(
        "cases:\n"
        "  - id: one\n    lang: vi\n    truth: 610 units from 120 donors\n"
        "    text: 'Ngày 19/8/2023, tại Nhà văn hóa huyện Văn Giang, có 120 người hiến máu thành công, "
        "tiếp nhận 610 đơn vị máu.'\n"
        "    must: [units_per_donor:implausible]\n",
        encoding="utf-8",
    )
    assert main(["check-eval", str(table)]) == 0
    out = capsys.readouterr().out
    assert "alarm precision 1.000 (1/1" in out and "alarm recall    1.000 (1/1" in out
    assert main(["check-eval", str(tmp_path / "missing.yaml")]) == 2
