"""Batch-lint benchmark: `iam-lsp lint` over the corpus against baselines measured in the same run.

Every figure is a whole process (Python start-up included), median of --runs runs:
  - json.loads only: read and json.loads every file (the floor for any Python linter);
  - iam-lsp lint: the real CLI (`python -m iam_lsp lint --format json`), default parallelism;
  - iam-lsp lint --jobs 1: one process;
  - iam-lsp lint, warm cache: a second run over unchanged files with the results cache populated by a
    first run into a temporary --cache-dir (every other iam-lsp line runs with --no-cache: cold figures);
  - parliament 1.6.4 (if installed: `pip install -e '.[bench]'`): its library in a loop over the same
    files (its --directory mode aborts on two of these policies).
Also prints time per MB at 100 files against the whole managed corpus (cost must grow linearly) and the
peak RSS of the lint process.

Usage: python bench/lint_bench.py [--runs 5] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

# Measure as installed software runs: with bytecode caches (pip compiles them at install time), even
# where the shell sets PYTHONDONTWRITEBYTECODE. The first (warm-up) run writes them.
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

JSON_ONLY = """
import json, sys
for p in sys.argv[1:]:
    with open(p, 'rb') as fh:
        json.loads(fh.read())
"""

PARLIAMENT = """
import sys, json, logging
logging.disable(logging.CRITICAL)
from parliament import analyze_policy_string
n = 0
for p in sys.argv[1:]:
    with open(p, encoding='utf-8') as fh:
        text = fh.read()
    try:
        n += len(analyze_policy_string(text).findings)
    except Exception:
        pass
"""


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=BENCH_ENV)
    dt = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd[:4])}...\n{proc.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dt, max(after, before)


def median_of(cmd: list[str], runs: int) -> tuple[float, int]:
    times, rss = [], 0
    for _ in range(runs):
        t, r = timed(cmd)
        times.append(t)
        rss = max(rss, r)
    return statistics.median(times), rss


def file_list(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.json"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()
    managed = file_list(args.corpus / "managed")
    trust = file_list(args.corpus / "trust")
    if not managed:
        raise SystemExit(f"no corpus at {args.corpus}")
    py = sys.executable
    mb = sum(os.path.getsize(p) for p in managed) / 1e6
    print(f"corpus: {len(managed)} managed policies ({mb:.2f} MB) + {len(trust)} trust policies; "
          f"{args.runs} runs each, medians; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")

    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "first100"
        sub.mkdir()
        for p in managed[:100]:
            (sub / Path(p).name).symlink_to(p)
        sub_mb = sum(os.path.getsize(p) for p in managed[:100]) / 1e6

        timed([py, "-m", "iam_lsp", "lint", "--no-cache", "--no-config", managed[0]])  # warm-up: bytecode, page cache
        rows = []
        json_t, _ = median_of([py, "-c", JSON_ONLY, *managed], args.runs)
        rows.append(("json.loads only (managed)", json_t, None))
        lint_t, lint_rss = median_of([py, "-m", "iam_lsp", "lint", "--no-cache", "--no-config", "--format", "json",
                                      str(args.corpus / "managed")], args.runs)
        rows.append(("iam-lsp lint (managed)", lint_t, lint_rss))
        lint1_t, lint1_rss = median_of([py, "-m", "iam_lsp", "lint", "--no-cache", "--no-config", "--jobs", "1", "--format",
                                        "json", str(args.corpus / "managed")], args.runs)
        rows.append(("iam-lsp lint --jobs 1 (managed)", lint1_t, lint1_rss))
        both_t, _ = median_of([py, "-m", "iam_lsp", "lint", "--no-cache", "--no-config", "--format", "json",
                               str(args.corpus / "managed"), str(args.corpus / "trust")], args.runs)
        rows.append(("iam-lsp lint (managed + trust)", both_t, None))
        small_t, _ = median_of([py, "-m", "iam_lsp", "lint", "--no-cache", "--no-config", "--jobs", "1", "--format", "json",
                                str(sub)], args.runs)
        rows.append(("iam-lsp lint --jobs 1 (first 100 managed)", small_t, None))
        one_t, _ = median_of([py, "-m", "iam_lsp", "lint", "--no-cache", "--no-config", "--jobs", "1", "--format", "json",
                              managed[0]], args.runs)
        rows.append(("iam-lsp lint, one file (fixed cost)", one_t, None))
        warm = [py, "-m", "iam_lsp", "lint", "--no-config", "--cache-dir", str(Path(tmp) / "cache"), "--format",
                "json", str(args.corpus / "managed")]
        timed(warm)  # populate the cache
        warm_t, _ = median_of(warm, args.runs)  # (children's peak RSS is a running maximum: not its own)
        rows.append(("iam-lsp lint, warm cache (managed)", warm_t, None))
        start_t, _ = median_of([py, "-c", "pass"], args.runs)
        rows.append(("bare interpreter start-up", start_t, None))
        parl_t = None
        if importlib.util.find_spec("parliament") is not None:
            parl_t, _ = median_of([py, "-c", PARLIAMENT, *managed], max(1, min(args.runs, 3)))
            rows.append(("parliament 1.6.4 library loop (managed)", parl_t, None))

    width = max(len(r[0]) for r in rows)
    for name, t, rss in rows:
        extra = f"   peak RSS {rss / 1024:.0f} MB" if rss else ""
        print(f"  {name:<{width}}  {t * 1000:8.0f} ms{extra}")
    print("ratios:")
    print(f"  lint / json.loads-only            {lint_t / json_t:6.2f}x   (target <= 5x)")
    print(f"  lint --jobs 1 / json.loads-only   {lint1_t / json_t:6.2f}x")
    if parl_t:
        print(f"  parliament / lint                 {parl_t / lint_t:6.2f}x   (target >= 10x)")
        print(f"  parliament / lint, warm cache     {parl_t / warm_t:6.2f}x")
    else:
        print("  parliament: not installed (pip install -e '.[bench]'); peers measured elsewhere: "
              "parliament 1.6.4 5.8 s, cfn-lint 27.9 s, iam-policy-validator 48.5 s")
    per_mb_small = (small_t - one_t) / sub_mb
    per_mb_all = (lint1_t - one_t) / mb
    print(f"  time per MB, 100 files vs whole corpus (one process, fixed cost of a one-file run removed): "
          f"{per_mb_small * 1000:.0f} ms/MB vs {per_mb_all * 1000:.0f} ms/MB ({per_mb_all / per_mb_small:.2f}x)")
    print(f"  peak RSS, whole corpus in one process: {lint1_rss / 1024:.0f} MB (target <= 120 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
