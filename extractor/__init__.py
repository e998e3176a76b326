"""extractor: blood-donation campaign outcomes from Vietnamese and Chinese health news."""

__version__ = "0.1.0"
