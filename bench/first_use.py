"""Where a small batch's extra cost per MB goes: first uses of the catalogue, against a second pass.

Usage: python bench/first_use.py [--corpus ../shared/corpus] [--runs 3]

Each figure is the CPU time of analysing the same files in one fresh process (medians of --runs
processes), three ways:
  first pass                 what `lint --jobs 1` pays: every service's catalogue is loaded on first use
  first pass, catalogue      the same, after loading the services those files name (load timed apart)
  second pass                the same files again in the same process (every first use already paid)
for 100 managed policies spread evenly over the corpus (as bench/lint_bench.py picks them) and for the
whole managed corpus, per MB, with ratios. Also the analysis of a one-statement policy, the per-document
floor. A profiling aid beside lint_bench.py, not a target of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import peers  # noqa: E402 - the benchmarks' shared environment (bytecode on)

ONE_STATEMENT = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                 '"Resource": "arn:aws:s3:::bucket/*"}]}')

# Runs in a fresh interpreter: argv[1] is "first", "preloaded" or "floor", stdin the list of files.
CHILD = r"""
import json, sys, time
from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.knowledge import knowledge_base

mode = sys.argv[1]
cfg = Config()
analyze('{"Version": "2012-10-17", "Statement": []}', config=cfg)  # rules and schemas imported
out = {}
if mode == "floor":
    doc = sys.argv[2]
    for _ in range(200):
        analyze(doc, config=cfg)
    t = time.process_time()
    for _ in range(2000):
        analyze(doc, config=cfg)
    out["floor"] = (time.process_time() - t) / 2000
else:
    paths = json.load(sys.stdin)
    texts = [(p, open(p, encoding="utf-8").read()) for p in paths]
    if mode == "preloaded":
        from iam_lsp.core.rules.actions import split_action
        kb = knowledge_base()
        services = set()
        for _, text in texts:
            tree = json.loads(text)
            sts = tree.get("Statement", [])
            for st in [sts] if isinstance(sts, dict) else sts:
                for key in ("Action", "NotAction"):
                    v = st.get(key, [])
                    for a in [v] if isinstance(v, str) else v:
                        split = split_action(a) if isinstance(a, str) else None
                        if split and "*" not in split[0] and "?" not in split[0]:
                            services.add(split[0].lower())
        t = time.process_time()
        for svc in services:
            kb.actions(svc)
        out["load"] = time.process_time() - t
        out["services"] = len(services)
    t = time.process_time()
    for p, text in texts:
        analyze(text, path=p, config=cfg)
    out["first"] = time.process_time() - t
    t = time.process_time()
    for p, text in texts:
        analyze(text, path=p, config=cfg)
    out["second"] = time.process_time() - t
print(json.dumps(out))
"""


def child(mode: str, paths: list[str], env: dict[str, str], extra: list[str] = ()) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, *extra], input=json.dumps(paths), env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    managed = peers.file_list(args.corpus / "managed")
    sample = peers.spread_sample(managed)

    with tempfile.TemporaryDirectory() as tmp:
        env = {**peers.BENCH_ENV, "XDG_CACHE_HOME": str(Path(tmp) / "xdg")}
        env.pop("IAM_LSP_NO_DATA_CACHE", None)
        child("first", sample, env)  # fills the start-up caches (catalogue rows, schema verdicts)
        floor = statistics.median(child("floor", [], env, [ONE_STATEMENT])["floor"] for _ in range(args.runs))
        print(f"one-statement policy, analysed again and again: {floor * 1e3:.2f} ms per document")
        print(f"CPU of one process, medians of {args.runs}:")
        per_mb = {}
        for name, paths in ((f"{len(sample)} files spread over the corpus", sample),
                            (f"the managed corpus, {len(managed)} files", managed)):
            mb = sum(os.path.getsize(p) for p in paths) / 1e6
            first = [child("first", paths, env) for _ in range(args.runs)]
            pre = [child("preloaded", paths, env) for _ in range(args.runs)]
            f, s = median_of(first, "first"), median_of(first, "second")
            pf, load = median_of(pre, "first"), median_of(pre, "load")
            per_mb[name] = (f / mb, pf / mb, s / mb)
            print(f"  {name} ({mb:.2f} MB, {pre[0]['services']} services named):")
            print(f"    first pass                    {f * 1e3:7.0f} ms  {f / mb * 1e3:5.0f} ms/MB")
            print(f"    first pass, catalogue loaded  {pf * 1e3:7.0f} ms  {pf / mb * 1e3:5.0f} ms/MB"
                  f"   (the load itself: {load * 1e3:.0f} ms)")
            print(f"    second pass                   {s * 1e3:7.0f} ms  {s / mb * 1e3:5.0f} ms/MB")
        (small, big) = per_mb.values()
        print("per MB, the whole corpus / the 100 files (1.00x is flat):")
        for i, label in enumerate(("first pass", "first pass, catalogue loaded", "second pass")):
            print(f"  {label:<30} {big[i] / small[i]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
