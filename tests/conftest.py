"""Suite-wide fixtures."""

from __future__ import annotations

import os

import pytest

from iam_lsp.cli.cache import ENV_DIR


@pytest.fixture(autouse=True, scope="session")
def lint_cache_outside_the_repo(tmp_path_factory):
    """`iam-lsp lint` caches results in ./.iam-lsp-cache by default and many tests run it from the repo root
    (in-process or as a subprocess, which inherits the environment): point the cache at a temporary folder."""
    old = os.environ.get(ENV_DIR)
    os.environ[ENV_DIR] = str(tmp_path_factory.mktemp("iam-lsp-cache"))
    yield
    if old is None:
        os.environ.pop(ENV_DIR, None)
    else:
        os.environ[ENV_DIR] = old
