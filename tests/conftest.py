"""Keep every test away from the real HOME and jieba's default cache (nothing leaks outside the repo)."""

from __future__ import annotations

import os
import tempfile

_TMP_HOME = tempfile.mkdtemp(prefix="extractor-test-home-")
os.environ["HOME"] = _TMP_HOME
os.environ["EXTRACTOR_CACHE_DIR"] = os.path.join(_TMP_HOME, "cache")
