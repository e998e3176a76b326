"""What an outcome is while the stages build it: its figures, its sentence, its period and place."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.dates import DateMention
from extractor.figures import Figure
from extractor.places import PlaceMention
from extractor.textdoc import Sentence


@dataclass
class Outcome:
    sentence: Sentence
    anchor: int  # the position the outcome is read from (its first figure, or its date)
    figures: list[Figure] = field(default_factory=list)
    status: str = "actual"
    period: DateMention | None = None
    place: PlaceMention | None = None
    place_text_span: tuple[int, int] | None = None
    period_from: str = ""  # how its period was chosen: the scope or rule that gave it (records.SOURCES)
    place_from: str = ""  # how its place was chosen
    name: str | None = None
    organizer: str | None = None
    partial: bool = False
    is_drive_report: bool = False
    parent: Outcome | None = None
    sentence_figures: list[Figure] = field(default_factory=list, repr=False)
    id: str = ""
