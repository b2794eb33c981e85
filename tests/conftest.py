"""Suite-wide fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from iam_lsp.cli.cache import ENV_DIR

# The server keeps a start-up cache in the user's cache folder (iam_lsp/codecache.py), filled on the
# first import of iam_lsp.lsp, which may happen while test modules are collected: set before any of that,
# so the tests and the servers they start use a temporary folder, never the user's.
_CACHE_HOME = tempfile.mkdtemp(prefix="iam-lsp-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE_HOME, ignore_errors=True)


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
