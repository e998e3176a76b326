"""The project files a dataset's users rely on: a licence, a citation that names this version, a changelog."""

from __future__ import annotations

from pathlib import Path

import yaml

from extractor import __version__

REPO = Path(__file__).resolve().parents[1]


def test_the_licence_is_the_gpl_version_3() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text


def test_the_citation_names_this_version_and_licence() -> None:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert str(cff["version"]) == __version__
    assert cff["license"] == "GPL-3.0-or-later"


def test_the_changelog_has_this_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in text and "## [Unreleased]" in text
