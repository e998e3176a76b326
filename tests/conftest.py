"""Keep every test away from the real HOME and jieba's default cache, and remove them afterwards."""

from __future__ import annotations

import os
import shutil
import tempfile

_TMP_HOME = tempfile.mkdtemp(prefix="extractor-test-home-")
os.environ["HOME"] = _TMP_HOME
os.environ["EXTRACTOR_CACHE_DIR"] = os.path.join(_TMP_HOME, "cache")
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(_TMP_HOME, "hypothesis")  # not ./.hypothesis


def pytest_configure(config: object) -> None:
    """pytest's own tmp_path folders live under the temporary HOME too, so $TMPDIR keeps nothing."""
    option = config.option  # type: ignore[attr-defined]
    if not option.basetemp:
        option.basetemp = os.path.join(_TMP_HOME, "pytest")


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """Nothing the tests wrote outlives the run."""
    shutil.rmtree(_TMP_HOME, ignore_errors=True)

pytest_plugins = ["fetch_site"]  # the local test web server's fixtures (site, fake) for every fetch test
