"""How often each rule fires on the shared corpus (AWS managed policies and real trust policies).

Usage: python bench/corpus_report.py [--corpus ../shared/corpus] [--samples 2]
Prints, per rule: severity, findings and files on managed/ and trust/, and sample locations to check
by hand. A rule that is usually wrong on AWS's own policies is wrong.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from iam_lsp.core.analyze import analyze
from iam_lsp.core.rules import get_rule
from iam_lsp.core.text import LineIndex

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--samples", type=int, default=0, help="sample findings to print per rule")
    args = ap.parse_args()
    counts: dict[str, collections.Counter] = {"managed": collections.Counter(), "trust": collections.Counter()}
    files: dict[str, dict[str, set]] = {"managed": collections.defaultdict(set), "trust": collections.defaultdict(set)}
    samples: dict[str, list[str]] = collections.defaultdict(list)
    severity: dict[str, str] = {}
    totals = {}
    for folder in ("managed", "trust"):
        paths = sorted((args.corpus / folder).glob("*.json"))
        totals[folder] = len(paths)
        for path in paths:
            text = path.read_text(encoding="utf-8")
            lines = None
            for f in analyze(text, path=str(path)).findings:
                counts[folder][f.code] += 1
                files[folder][f.code].add(path.name)
                severity[f.code] = f.severity.value
                if len(samples[f.code]) < args.samples:
                    lines = lines or LineIndex(text)
                    p = lines.position(f.span.start)
                    samples[f.code].append(f"{folder}/{path.name}:{p.line + 1}:{p.column + 1}: {f.message}")
    print(f"managed: {totals['managed']} files; trust: {totals['trust']} files")
    print(f"{'rule':<8}{'severity':<12}{'managed (files)':>18}{'trust (files)':>16}  name")
    for code in sorted(severity):
        rule = get_rule(code)
        m, t = counts["managed"][code], counts["trust"][code]
        print(f"{code:<8}{severity[code]:<12}{m:>8} ({len(files['managed'][code]):>5}){t:>8} ({len(files['trust'][code]):>4})"
              f"  {rule.name if rule else ''}")
        for s in samples[code]:
            print(f"          {s[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
