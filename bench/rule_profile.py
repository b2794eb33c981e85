"""Per-rule CPU time over the managed corpus, to find what to optimise (a profiling aid, not a test).

Usage: python bench/rule_profile.py [--corpus ../shared/corpus] [--top 30] [--rules IAM2]
Prints total analyse time, parse-only time and the rules' CPU seconds, slowest first.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from iam_lsp.core import analyze as analysis
from iam_lsp.core.jsontree import parse
from iam_lsp.core.knowledge import knowledge_base
from iam_lsp.core.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--rules", default="", help="only time rules whose code starts with this")
    args = ap.parse_args()
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in sorted((args.corpus / "managed").glob("*.json"))]
    texts += [(str(p), p.read_text(encoding="utf-8")) for p in sorted((args.corpus / "trust").glob("*.json"))]
    times: collections.Counter[str] = collections.Counter()

    def timed(code, fn):
        def run(ctx):
            t = time.process_time()
            try:
                fn(ctx)
            finally:
                times[code] += time.process_time() - t
        return run

    for r in all_rules():
        if r.code.startswith(args.rules):
            object.__setattr__(r, "check", timed(r.code, r.check))
    # Warm the knowledge base first so its one-off loading is not billed to whichever rule runs first.
    kb = knowledge_base()
    t = time.process_time()
    for svc in kb.services():
        kb.actions(svc), kb.resource_types(svc), kb.service_condition_keys(svc)
    print(f"knowledge base, every service loaded: {time.process_time() - t:.2f} s")
    t = time.process_time()
    for _, text in texts:
        parse(text)
    parse_t = time.process_time() - t
    t = time.process_time()
    for path, text in texts:
        analysis.analyze(text, path=path)
    total = time.process_time() - t
    print(f"analyse {len(texts)} files: {total:.2f} s CPU (parse alone {parse_t:.2f} s, "
          f"timed rules {sum(times.values()):.2f} s)")
    for code, secs in times.most_common(args.top):
        print(f"  {code}  {secs:7.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
