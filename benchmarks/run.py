"""`python benchmarks/run.py [N ...]`: the same benchmark as `extract bench --articles N ...`."""

import sys

from extractor.bench import run_benchmark

if __name__ == "__main__":
    sys.exit(run_benchmark([int(n) for n in sys.argv[1:]] or [1000]))
