"""`iam-lsp`: lint policy files, list and explain rules, or serve the language server.

The lint path imports only the core (never pygls/lsprotocol), so a CI run starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# pydantic looks up plugins in every installed package's entry points when the first model class is
# built: tens of milliseconds of start-up that this program, which uses no pydantic plugins, never needs.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from iam_lsp import __version__  # noqa: E402 - after the environment setting above

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
POLICY_TYPES = ("identity", "trust", "resource", "scp", "rcp", "boundary")
SEVERITIES = ("error", "security", "warning", "suggestion")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="iam-lsp", description="Language server and linter for AWS IAM policies.")
    p.add_argument("--version", action="version", version=f"iam-lsp {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    lint = sub.add_parser("lint", help="lint policy files and folders", description="Lint IAM policy JSON files.")
    lint.add_argument("paths", nargs="*", default=["."], help="files, folders (recursive) or - for stdin")
    lint.add_argument("--format", "-f", choices=("text", "json", "sarif", "github"), default="text")
    lint.add_argument("--fail-level", choices=SEVERITIES, default="warning",
                      help="exit 1 when a finding at or above this severity remains (default: warning)")
    lint.add_argument("--policy-type", "-t", choices=POLICY_TYPES, help="analyse every file as this policy type")
    lint.add_argument("--config", help="configuration file (.iam-lsp.toml or pyproject.toml)")
    lint.add_argument("--no-config", action="store_true", help="ignore configuration files")
    lint.add_argument("--select", action="append", default=[], metavar="RULES",
                      help="only these rules (codes, names or prefixes like IAM4; comma-separated)")
    lint.add_argument("--ignore", action="append", default=[], metavar="RULES", help="disable these rules")
    lint.add_argument("--include", action="append", default=[], metavar="GLOB",
                      help="files to lint inside folders (default *.json)")
    lint.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="files or folders to skip")
    lint.add_argument("--all-json", action="store_true",
                      help="lint every JSON file, also those that do not look like IAM policies")
    lint.add_argument("--stdin-filename", help="file name to use for stdin (for type detection and ignores)")
    lint.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: automatic)")
    lint.add_argument("--output", "-o", help="write the report to this file instead of stdout")
    lint.add_argument("--no-type", action="store_true", help="text format: do not print the detected type")
    lint.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    lint.add_argument("--no-cache", action="store_true",
                      help="do not read or write the results cache")
    lint.add_argument("--cache-dir", metavar="DIR",
                      help="results cache folder (default: $IAM_LSP_CACHE_DIR, else .iam-lsp-cache)")

    rules = sub.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    explain = sub.add_parser("explain", help="explain one rule, with its examples")
    explain.add_argument("rule", help="rule code (IAM410) or name")

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="use stdio (the default; accepted for editors)")
    serve.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=2087)
    return p


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command in ("lint", "rules", "explain"):
        from iam_lsp import codecache

        # The core's dataclasses' generated code, compiled on an earlier run (10-20 ms of every start).
        codecache.start("cli", codecache.CLI_MODULES)
        try:
            return _run(args)
        finally:
            codecache.finish("cli")
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "lint":
            from iam_lsp.cli.lint import run_lint

            return run_lint(args)
        if args.command == "rules":
            from iam_lsp.cli.catalogue import print_rules

            return print_rules(args.format)
        if args.command == "explain":
            from iam_lsp.cli.catalogue import explain

            return explain(args.rule)
        if args.command == "serve":
            from iam_lsp.lsp.server import run

            return run("tcp" if args.tcp else "stdio", args.host, args.port) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `iam-lsp lint | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    _parser().print_help()
    return EXIT_ERROR


def config_for(args: argparse.Namespace):
    """The configuration: --config, else the nearest config file above the first path (or cwd)."""
    from iam_lsp.core.config import Config, load_config, load_config_file

    if args.no_config:
        cfg = Config()
    elif args.config:
        cfg = load_config_file(Path(args.config))
    else:
        first = next((p for p in args.paths if p != "-"), ".")
        cfg = load_config(Path(first))
    if args.select:
        cfg.select = _split(args.select)
    if args.ignore:
        cfg.disable = [*cfg.disable, *_split(args.ignore)]
    if args.include:
        cfg.include = _split(args.include)
    if args.exclude:
        cfg.exclude = [*cfg.exclude, *_split(args.exclude)]
    return cfg


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
