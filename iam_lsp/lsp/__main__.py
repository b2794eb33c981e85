"""`python -m iam_lsp.lsp [--stdio | --tcp --host H --port P]`: serve without the CLI."""

from __future__ import annotations

import argparse
import sys

from iam_lsp.lsp.server import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iam_lsp.lsp")
    parser.add_argument("--stdio", action="store_true", help="serve over stdin/stdout (default)")
    parser.add_argument("--tcp", action="store_true", help="serve over TCP")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2087)
    args = parser.parse_args(argv)
    return run("tcp" if args.tcp else "stdio", args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
