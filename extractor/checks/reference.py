"""The reference table (extractor/data/reference.yaml): sourced national totals, populations, thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from extractor.checks.model import PlaceKey, QualifierReading, normalise_place

REFERENCE_PATH = Path(__file__).resolve().parent.parent / "data" / "reference.yaml"
REQUIRED_FIGURE_KEYS = ("id", "quantity", "value", "unit", "year", "place", "country", "source", "note")


@dataclass(frozen=True)
class ReferenceFigure:
    id: str
    quantity: str
    value: float
    qualifier: str
    unit: str
    year: int
    place: str
    country: str
    province: str | None
    aliases: tuple[str, ...]
    source: str
    source_article_id: str | None
    note: str

    @classmethod
    def from_record(cls, raw: dict[str, Any]) -> ReferenceFigure:
        missing = [key for key in REQUIRED_FIGURE_KEYS if raw.get(key) in (None, "")]
        if missing:
            raise ValueError(f"reference figure {raw.get('id')!r} lacks {', '.join(missing)}")
        return cls(
            id=raw["id"],
            quantity=raw["quantity"],
            value=float(raw["value"]),
            qualifier=raw.get("qualifier") or "exact",
            unit=raw["unit"],
            year=int(raw["year"]),
            place=raw["place"],
            country=raw["country"],
            province=raw.get("province"),
            aliases=tuple(raw.get("aliases") or ()),
            source=raw["source"],
            source_article_id=raw.get("source_article_id"),
            note=raw["note"],
        )

    def names(self) -> set[str | None]:
        return {normalise_place(n) for n in (self.province, *self.aliases) if n} or {None}

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "quantity": self.quantity,
            "value": self.value,
            "qualifier": self.qualifier,
            "year": self.year,
            "place": self.place,
            "source": self.source,
        }


@dataclass
class Reference:
    figures: list[ReferenceFigure]
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def reading(self) -> QualifierReading:
        q = self.thresholds.get("qualifiers") or {}
        return QualifierReading(float(q.get("about_relative", 0.10)), float(q.get("open_headroom", 0.20)))

    def threshold(self, *path: str, default: Any = None) -> Any:
        node: Any = self.thresholds
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def find(self, quantity: str, country: str | None, province: str | None) -> list[ReferenceFigure]:
        """Figures of a quantity for a place (province None = national), any year."""
        name = normalise_place(province)
        return [f for f in self.figures if f.quantity == quantity and f.country == country and name in f.names()]

    def national_total(self, country: str | None, year: int, max_gap: int) -> ReferenceFigure | None:
        """The national blood-unit total of `year`, else of the nearest year within `max_gap`."""
        candidates = [f for f in self.find("blood_units", country, None) if abs(f.year - year) <= max_gap]
        return min(candidates, key=lambda f: (abs(f.year - year), -f.year), default=None)

    def population(self, place: PlaceKey) -> ReferenceFigure | None:
        """Population of the place's province (the country for national figures), latest census."""
        found = self.find("population", place.country, place.province)
        return max(found, key=lambda f: f.year, default=None)


def load_reference(path: Path | None = None) -> Reference:
    with open(path or REFERENCE_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    figures = [ReferenceFigure.from_record(entry) for entry in raw.get("figures") or []]
    return Reference(figures, dict(raw.get("thresholds") or {}))
