"""Import every module that registers a pattern-example checker (see extractor.patterns)."""

# One import per module that owns a pattern dimension.
