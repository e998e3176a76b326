"""Campaign outcomes: figures grouped into drives, named campaigns and period totals (`grouping`), each
given its period and place (`attribution`), written as records with stable ids (`records`)."""

from extractor.outcomes.grouping import build_outcomes
from extractor.outcomes.model import Outcome
from extractor.outcomes.records import outcome_record

__all__ = ["Outcome", "build_outcomes", "outcome_record"]
