"""The language server (pygls). Build one with `create_server()`; serve with `run()`."""

from iam_lsp.lsp.server import create_server, run

__all__ = ["create_server", "run"]
