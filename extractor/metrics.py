"""The eight outcome metrics: the one list that figure rules, output schemas and checks all use.

Adding a metric is one entry here, its rules in `patterns/<lang>/figures.yaml`, and its name in the
schemas' enums (tests/test_registry.py fails until they agree).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # count (people, units, millilitres: they add up) | percent
    noun: str  # how a fact-checker's sentence names its unit ("350 units", "12% growth")


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("blood_units", "count", "units"),
    Metric("volume_ml", "count", "ml"),
    Metric("donors", "count", "donors"),
    Metric("registrations", "count", "registrations"),
    Metric("participants", "count", "participants"),
    Metric("achievement_pct", "percent", "% of target"),
    Metric("growth_pct", "percent", "% growth"),
    Metric("share_pct", "percent", "% share"),
)}

METRIC_NAMES: tuple[str, ...] = tuple(METRICS)
COUNT_METRICS: tuple[str, ...] = tuple(name for name, m in METRICS.items() if m.kind == "count")
# counts of people: one headline's "500 công nhân tham gia" may be the body's donors or participants
PEOPLE_METRICS: frozenset[str] = frozenset({"donors", "registrations", "participants"})
METRIC_NOUNS: dict[str, str] = {name: m.noun for name, m in METRICS.items()}
