"""`python benchmarks/run.py [N]`: the same benchmark as `extract bench --articles N`."""

import sys

from extractor.bench import run_benchmark

if __name__ == "__main__":
    sys.exit(run_benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
