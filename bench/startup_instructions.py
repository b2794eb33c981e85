"""Start-up cost in CPU instructions, counted by valgrind: a figure the shared machines' noise leaves alone.

Wall-clock start-up figures on these machines drift by 1.5x within an hour, which hides a 5% change.
Instruction counts (valgrind's cachegrind, no cache simulation, hash seed fixed) repeat to within 0.1%,
so an A/B of two commits shows what a change saves, to compare with what the wall-clock benches say.

Counts, each with the start-up caches filled by an earlier run (as after the first start), with the hash
seed fixed (so the few attrs sources salted with a per-process string hash, which real starts compile
each time, are cache hits here: a few million instructions better than real):
  - a bare interpreter (`python -c pass`), the floor;
  - the language server's start-up: import, create_server and the warm-up (what precedes the first
    diagnostics, less the client's messages);
  - `iam-lsp lint` of one file (the fixed cost of a run: pre-commit's case).

Usage: python bench/startup_instructions.py [--baseline GIT_REF] [--file POLICY.json]
With --baseline, the same counts for that commit (checked out in a temporary worktree) and the ratios.
Needs valgrind (Debian: `apt-get install valgrind`); about 10 s a count.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT.parent / "shared" / "corpus" / "managed" / "AmazonS3ReadOnlyAccess.json"

# Works for commits before and after the code cache moved to iam_lsp/codecache.py (and gained resume()).
SERVER_START = """
import iam_lsp.lsp
try:
    from iam_lsp import codecache
except ImportError:  # older commits: the cache lived in iam_lsp.lsp and ended with the import
    codecache = None
if codecache is not None:
    try:
        codecache.resume("server")  # as run() does
    except TypeError:
        codecache.resume()
from iam_lsp.lsp.server import create_server, warm_up
warm_up(create_server())
"""


def count(cmd: list[str], env: dict[str, str], ok_codes: tuple[int, ...] = (0,)) -> int:
    """Instructions the command executes (all its threads), under cachegrind."""
    proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           *cmd], env=env, capture_output=True, text=True, timeout=600,
                          cwd=tempfile.gettempdir())  # not the repository: `-c` and `-m` import from the cwd first
    m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if proc.returncode not in ok_codes or not m:
        raise SystemExit(f"valgrind run failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def measure(tree: Path, policy: Path, home: Path) -> dict[str, int]:
    py = sys.executable
    env = {**os.environ, "PYTHONPATH": str(tree), "XDG_CACHE_HOME": str(home), "PYTHONHASHSEED": "0"}
    for name in ("PYTHONDONTWRITEBYTECODE", "IAM_LSP_NO_CODE_CACHE", "IAM_LSP_NO_DATA_CACHE"):
        env.pop(name, None)
    lint = [py, "-m", "iam_lsp", "lint", "--no-cache", "--format", "json", str(policy)]
    server = [py, "-c", SERVER_START]
    for cmd in (lint, server):  # fill the bytecode and start-up caches, as any earlier run has
        subprocess.run(cmd, env=env, capture_output=True, timeout=300, cwd=tempfile.gettempdir())
    imported = subprocess.run([py, "-c", "import iam_lsp; print(iam_lsp.__file__)"], env=env, capture_output=True,
                              text=True, timeout=60, cwd=tempfile.gettempdir()).stdout.strip()
    if not imported.startswith(str(tree)):
        raise SystemExit(f"{tree}: the interpreter imports iam_lsp from {imported}")
    return {
        "bare interpreter": count([py, "-c", "pass"], env),
        "server start-up (import, create_server, warm-up)": count(server, env),
        f"lint one file ({policy.name})": count(lint, env, (0, 1)),  # 1: the file has findings
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="git ref to compare with (checked out in a temporary worktree)")
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE, help="policy for the one-file lint")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="iam-lsp-instr-") as tmp:
        trees = {"working tree": ROOT}
        if args.baseline:
            where = Path(tmp) / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(where), args.baseline],
                           check=True)
            trees = {args.baseline: where, **trees}
        try:
            results = {name: measure(path, args.file.resolve(), Path(tmp) / f"home-{i}")
                       for i, (name, path) in enumerate(trees.items())}
        finally:
            if args.baseline:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(Path(tmp) / "baseline")],
                               check=False)
    names = list(results)
    width = max(len(k) for k in results[names[0]])
    print(f"{'':{width}}  " + "  ".join(f"{n[:18]:>18}" for n in names) + ("   ratio" if len(names) > 1 else ""))
    for key in results[names[0]]:
        cells = "  ".join(f"{results[n][key] / 1e6:16.1f} M" for n in names)
        ratio = f"   {results[names[-1]][key] / results[names[0]][key]:.3f}x" if len(names) > 1 else ""
        print(f"{key:{width}}  {cells}{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
