"""The report in a real browser: Debian's chromium driven by Playwright, on the shipped corpus.

Every highlighted figure's words are its figure's words, a filter changes what is shown, the page logs no
error, and the flags and sums a fact-checker looks for are beside the words. A screenshot is kept
(in $EXTRACTOR_SCREENSHOT_DIR when set, e.g. docs/ for the README's; else in the test's temp folder)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent


def _chromium() -> Path:
    """/usr/bin/chromium, installed from Debian's archive when missing and we may (CI runs as root)."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        for command in (["apt-get", "install", "-y", "-q", "chromium"], ["apt-get", "update", "-q"],
                        ["apt-get", "install", "-y", "-q", "chromium"]):  # the package lists may be stale
            subprocess.run(command, check=False, capture_output=True, timeout=900,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            if CHROMIUM.exists():
                break
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed and cannot be installed here (not root, or no apt-get)")
    return CHROMIUM


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from extractor.cli import main

    out = tmp_path_factory.mktemp("report") / "out"
    assert main(["run", str(ROOT / "corpus"), "--out", str(out), "--check", "--no-progress"]) == 0
    assert main(["report", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def page(report: Path, tmp_path_factory: pytest.TempPathFactory):
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh profile: nothing of an earlier run
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(executable), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        tab = context.new_page()
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("request", lambda r: errors.append(f"request {r.url}") if not r.url.startswith("file:") else None)
        tab.goto((report / "report.html").as_uri())
        tab.errors = errors  # type: ignore[attr-defined]
        yield tab
        context.close()


def test_every_highlighted_figure_is_its_figures_words(page, report: Path) -> None:
    articles = [json.loads(line) for line in (report / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    marks = page.eval_on_selector_all("mark.fig", "ms => ms.map(m => [m.id, m.textContent])")
    assert len(marks) >= sum(1 for a in articles for f in a["figures"] if f.get("outcome_id"))
    for mark_id, words in marks:
        _, index, start, end = mark_id.split("-")
        article = articles[int(index)]
        figure = next(f for f in article["figures"] if f["start"] == int(start) and f["end"] == int(end))
        assert words == figure["text"] == article["text"][int(start):int(end)]


def test_a_filter_changes_what_is_shown(page) -> None:
    visible = "() => document.querySelectorAll('article.article:not(.hidden)').length"
    everything = page.evaluate(visible)
    page.select_option("#filter-lang", "zh")
    chinese = page.evaluate(visible)
    assert 0 < chinese < everything
    page.select_option("#filter-lang", "")
    page.fill("#filter-search", "Phố Nối A")
    assert page.evaluate(visible) == 1
    page.fill("#filter-search", "")
    page.select_option("#filter-verdict", "implausible")
    assert page.evaluate(visible) == 1
    page.select_option("#filter-verdict", "")
    assert page.evaluate(visible) == everything


def test_the_flags_and_sums_a_fact_checker_looks_for(page, report: Path) -> None:
    flagged = page.evaluate("""() => [...document.querySelectorAll('mark.fig')]
        .filter(m => m.textContent === '1.635.000 đơn vị máu')
        .map(m => m.nextElementSibling && m.nextElementSibling.matches('a.flag')
                  ? m.nextElementSibling.textContent : '')""")
    assert flagged and "implausible" in flagged[0]
    sums = page.inner_text("article:has(mark[id]) >> text=263 + 119 + 560 + 143 + 180 = 1,265 units")
    assert "matching the stated total of 1,265 units" in sums
    beside = page.evaluate("""() => [...document.querySelectorAll('mark.fig')]
        .filter(m => m.textContent === '1.265 đơn vị máu').map(m => m.nextElementSibling.textContent)""")
    assert beside == ["Σ 263 + 119 + 560 + 143 + 180 = 1,265 ✓"]
    shot_dir = Path(os.environ.get("EXTRACTOR_SCREENSHOT_DIR") or report)
    shot_dir.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelector('a.flag').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(shot_dir / "report.png"))
    assert (shot_dir / "report.png").stat().st_size > 10_000


def test_the_page_logs_no_error_and_fetches_nothing(page) -> None:
    page.select_option("#filter-province", index=1)
    page.click("a.flag")
    assert page.errors == []  # type: ignore[attr-defined]
