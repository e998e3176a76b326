"""Import every module that registers a pattern-example checker (see extractor.patterns)."""

# One import per module that owns a pattern dimension.
import extractor.dates  # noqa: F401
import extractor.fetch.topic  # noqa: F401
import extractor.figures  # noqa: F401
import extractor.numbers  # noqa: F401
import extractor.outcomes  # noqa: F401
import extractor.places  # noqa: F401
import extractor.textdoc  # noqa: F401
