"""A short, seeded run of the server fuzzer (bench/fuzz_server.py does the long one)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from lsprotocol import types as t

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fuzz_server.py"


def _load():
    spec = importlib.util.spec_from_file_location("fuzz_server", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_server"] = mod  # dataclasses and the worker pool look it up by name
    spec.loader.exec_module(mod)
    return mod


fuzz_server = _load()


def test_client_positions_follow_lsp_line_breaks():
    # The oracle the fuzzer checks the server against: \u2028 and \f are not line breaks in LSP.
    text = 'a\r\nb\u2028c\rd\ne\U0001f600f'
    starts = fuzz_server.line_starts(text)
    assert starts == [0, 3, 7, 9]
    assert fuzz_server.to_position(text, starts, text.index("f")) == t.Position(3, 3)
    assert fuzz_server.to_position(text, starts, text.index("c")) == t.Position(1, 2)
    assert fuzz_server.safe_edit(text, (2, 2, "x")) == (1, 1, "x")  # never between \r and \n


def test_short_fuzz_run_has_no_crash_hang_error_bad_range_or_wrong_finding():
    stats = fuzz_server.fuzz(edits=2000, seed=11, workers=2, timeout=20, max_chars=900)
    assert stats.edits == 2000
    assert stats.requests >= 2 * stats.edits  # a hover and a completion after every edit
    assert stats.failures == 0, stats.summary() + "\n" + "\n".join(stats.problems)
