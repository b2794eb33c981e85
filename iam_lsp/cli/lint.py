"""`iam-lsp lint`: lint many files (in parallel when the batch is large) and report them."""

from __future__ import annotations

import argparse
import fnmatch
import gc
import os
import sys
from pathlib import Path

from iam_lsp.cli.files import FileProblem, Target, decode, discover, read_text
from iam_lsp.cli.formats import RENDERERS, FileReport, Summary, render_text
from iam_lsp.core.config import Config
from iam_lsp.core.findings import Severity
from iam_lsp.core.policytype import PolicyType

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Below this many files a second process costs more (start-up, imports) than it saves.
PARALLEL_MIN_FILES = 150
CHUNK = 64  # files at most in a worker's chunk
CHUNKS_PER_WORKER = 8  # by size: the largest chunk is at most about 1/8 of a worker's share
WARM_UP = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], '
           '"Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}')


class NotAPolicy(Exception):
    """A JSON file that is not an IAM policy (package.json, a CloudFormation template, ...)."""


def analyze(text: str, **kwargs):
    """The core's analyze, imported on first use: a run that only hits the cache never loads the rules."""
    from iam_lsp.core.analyze import analyze as core_analyze

    return core_analyze(text, **kwargs)


def lint_text(text: str, path: str, config: Config, policy_type: PolicyType | None,
              only_policies: bool = False) -> FileReport:
    from iam_lsp.core.documents import is_policy_document
    from iam_lsp.core.jsontree import parse

    tree = None
    if only_policies and policy_type is None and not _forced(path, config):
        tree = parse(text)
        if not is_policy_document(text, path, exclude=config.exclude, max_size=config.max_size, tree=tree):
            raise NotAPolicy(path)
    a = analyze(text, path=path, config=config, policy_type=policy_type, tree=tree)
    return FileReport(path, text, a.detection.type.value, a.detection.source, a.detection.resource_kind,
                      a.findings, a.suppressed)


def _forced(path: str, config: Config) -> bool:
    """Files that config's policy-types globs name are policies whatever they contain."""
    norm = path.replace(os.sep, "/")
    return any(fnmatch.fnmatch(norm, g) or fnmatch.fnmatch(norm.rsplit("/", 1)[-1], g) for g in config.policy_types)


def _lint_path(path: str, config: Config, policy_type: PolicyType | None,
               only_policies: bool) -> FileReport | tuple[str, str] | None:
    try:
        text = read_text(path, config.max_size)
    except FileProblem as exc:
        return (path, str(exc))
    return _lint_text_or_skip(path, text, config, policy_type, only_policies)


def _lint_chunk(paths: list[str], config: Config, policy_type: PolicyType | None, only_policies: bool) -> list:
    """Lint in a worker process; the text travels back only for files with findings (for positions)."""
    out = [_strip(_lint_path(p, config, policy_type, only_policies)) for p in paths]
    _save_learned()
    return out


def _save_learned() -> None:
    """Save the schema verdicts a worker learned: workers leave through os._exit, so never at exit."""
    schema = sys.modules.get("iam_lsp.core.schema")
    if schema is not None:
        schema.save_verdicts()


def _lint_text_or_skip(path: str, text: str, config: Config, policy_type: PolicyType | None,
                       only_policies: bool) -> FileReport | None:
    try:
        return lint_text(text, path, config, policy_type, only_policies)
    except NotAPolicy:
        return None


def _lint_text_chunk(items: list[tuple[str, str]], config: Config, policy_type: PolicyType | None,
                     only_policies: bool) -> list:
    """Lint texts the parent already read (cache misses) in a worker process."""
    out = [_strip(_lint_text_or_skip(p, t, config, policy_type, only_policies)) for p, t in items]
    _save_learned()
    return out


def _strip(r: FileReport | tuple[str, str] | None) -> FileReport | tuple[str, str] | None:
    """Drop the text of a report without findings: it is kept only to place findings (and costs memory)."""
    if isinstance(r, FileReport) and not r.findings:
        r.text = ""
    return r


def _size(item: str | tuple[str, str]) -> int:
    """What linting an item costs, roughly: its length (analysis time grows with it)."""
    if isinstance(item, tuple):
        return len(item[1])
    try:
        return os.stat(item).st_size
    except OSError:
        return 0


def _balanced_chunks(items: list, jobs: int) -> list[list[int]]:
    """Positions of `items` in chunks for the workers: the largest items first and the chunks' sizes
    falling, so the last chunks are small and the workers finish together. (Chunks of the files in name
    order left one worker idle for the last 0.15 s of the managed corpus's 1.7 s, waiting for a chunk of
    big policies.)"""
    sizes = [_size(item) for item in items]
    order = sorted(range(len(items)), key=sizes.__getitem__, reverse=True)
    per_chunk = max(1, sum(sizes) // (jobs * CHUNKS_PER_WORKER))
    chunks: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for i in order:
        current.append(i)
        filled += sizes[i]
        if filled >= per_chunk or len(current) >= CHUNK:
            chunks.append(current)
            current, filled = [], 0
    if current:
        chunks.append(current)
    return chunks


def _parallel(worker, items: list, config: Config, policy_type: PolicyType | None, only: bool,
              jobs: int) -> list | None:
    """Results of `worker` over chunks of `items` in worker processes, in the order of `items`, or None
    when the batch is too small."""
    if jobs <= 1 or len(items) < PARALLEL_MIN_FILES:
        return None
    positions = _balanced_chunks(items, jobs)
    chunks = [[items[i] for i in chunk] for chunk in positions]
    # Load the rules, schemas and common catalogue entries once here: forked workers inherit them, and
    # frozen, the workers' collector never walks them.
    analyze(WARM_UP, config=config)
    gc.freeze()
    n = len(chunks)
    from concurrent.futures import ProcessPoolExecutor  # 20 ms of imports that small runs never need

    results: list = [None] * len(items)
    with ProcessPoolExecutor(max_workers=min(jobs, n)) as pool:
        for chunk, result in zip(positions, pool.map(worker, chunks, [config] * n, [policy_type] * n, [only] * n),
                                 strict=True):
            for i, r in zip(chunk, result, strict=True):
                results[i] = r
    return results


def _lint_files(paths: list[str], config: Config, policy_type: PolicyType | None, only: bool,
                jobs: int) -> list:
    """One result per path, in order: without the cache, workers read the files themselves."""
    results = _parallel(_lint_chunk, paths, config, policy_type, only, jobs)
    if results is None:
        results = [_strip(_lint_path(p, config, policy_type, only)) for p in paths]
    return results


def _lint_files_cached(paths: list[str], config: Config, policy_type: PolicyType | None, only: bool,
                       jobs: int, cache) -> list:
    """One result per path, in order: read every file, answer from the cache what it holds and lint the rest
    (in workers only if enough files miss). Files that cannot be read are never cached."""
    from iam_lsp.cli.cache import MISS

    results: list = [None] * len(paths)
    misses: list[tuple[int, str, str, str]] = []  # (position, path, text, digest)
    for i, path in enumerate(paths):
        try:
            text = read_text(path, config.max_size)
        except FileProblem as exc:
            results[i] = (path, str(exc))
            continue
        digest, hit = cache.get(path, text)
        if hit is MISS:
            misses.append((i, path, text, digest))
        else:
            results[i] = hit
    items = [(path, text) for _, path, text, _ in misses]
    fresh = _parallel(_lint_text_chunk, items, config, policy_type, only, jobs)
    if fresh is None:
        fresh = [_strip(_lint_text_or_skip(p, t, config, policy_type, only)) for p, t in items]
    for (i, path, _, digest), r in zip(misses, fresh, strict=True):
        results[i] = r
        cache.put(path, digest, r)
    cache.save()
    return results


def _open_cache(args: argparse.Namespace, config: Config, policy_type: PolicyType | None):
    """The results cache of this run, or None with --no-cache."""
    if getattr(args, "no_cache", False):
        return None
    from iam_lsp.cli.cache import LintCache, default_dir

    directory = Path(args.cache_dir) if getattr(args, "cache_dir", None) else default_dir()
    return LintCache.open(directory, config, policy_type.value if policy_type else None, args.all_json)


def _collect(result: FileReport | tuple[str, str] | None, reports: list[FileReport], summary: Summary) -> None:
    """File a result: a report, a per-file problem (path, reason), or None for JSON that is no policy."""
    if result is None:
        summary.skipped += 1
    elif isinstance(result, FileReport):
        reports.append(result)
    else:
        summary.errors.append(result)


def run_lint(args: argparse.Namespace) -> int:
    from iam_lsp.cli.main import config_for

    # Parse trees hold no reference cycles (their parent links are weak), so nearly all a lint allocates
    # is freed by reference counting; collecting cycles less often saves 10-15% of the analysis time at
    # the same peak memory (bench/lint_bench.py).
    gc.set_threshold(10_000, 50, 100)

    try:
        config = config_for(args)
    except ValueError as exc:
        print(f"iam-lsp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    policy_type = PolicyType(args.policy_type) if args.policy_type else None
    summary = Summary()
    targets: list[Target] = list(discover(args.paths, config.include, config.exclude, summary.errors))
    reports: list[FileReport] = []

    stdin_targets = [t for t in targets if t.stdin]
    file_targets = [t.path for t in targets if not t.stdin]
    for _ in stdin_targets:
        name = args.stdin_filename or "-"
        try:
            text = decode(sys.stdin.buffer.read())
        except FileProblem as exc:
            summary.errors.append((name, str(exc)))
            continue
        reports.append(lint_text(text, name, config, policy_type))  # stdin is always linted

    only = not args.all_json
    jobs = args.jobs or (os.cpu_count() or 1)
    if file_targets:
        cache = _open_cache(args, config, policy_type)
        if cache is None:
            results = _lint_files(file_targets, config, policy_type, only, jobs)
        else:
            results = _lint_files_cached(file_targets, config, policy_type, only, jobs, cache)
        for r in results:
            _collect(r, reports, summary)

    if not targets and not summary.errors:
        print("iam-lsp: no files to lint (folders are searched for *.json; see --include)", file=sys.stderr)
    fail_rank = Severity(args.fail_level).rank
    failing = False
    summary.files = len(reports)
    for r in reports:
        summary.suppressed += r.suppressed
        if r.findings:
            summary.files_with_findings += 1
        for f in r.findings:
            summary.counts[f.severity.value] += 1
            if f.severity.rank >= fail_rank:
                failing = True

    if args.format == "text":
        color = args.color == "always" or (args.color == "auto" and args.output is None and sys.stdout.isatty()
                                            and not os.environ.get("NO_COLOR"))
        output = render_text(reports, summary, color=color, show_type=not args.no_type)
    else:
        output = RENDERERS[args.format](reports, summary)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(output)
        except OSError as exc:
            print(f"iam-lsp: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return EXIT_ERROR
        if args.format != "text":
            print(summary.line(), file=sys.stderr)
    else:
        sys.stdout.write(output)
        sys.stdout.flush()
    if summary.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if failing else EXIT_CLEAN
