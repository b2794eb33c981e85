"""lsprotocol's classes are built as plain classes while the server package imports them (lsptypes.py)."""

from __future__ import annotations

import os

from iam_lsp.lsp.lsptypes import SLOTTED_ENV
from tests.processes import run_python

CHECK = """
import json
import attrs
import iam_lsp.lsp
from lsprotocol import types as t
from lsprotocol.converters import get_converter

@attrs.define
class Elsewhere:  # another module's attrs class, defined after the import: attrs' default (slotted)
    x: int

d = t.Diagnostic(range=t.Range(t.Position(0, 1), t.Position(2, 3)), message="m", code="IAM101",
                 severity=t.DiagnosticSeverity.Warning)
wire = get_converter().unstructure(d)
back = get_converter().structure(wire, t.Diagnostic)
try:
    t.Position(line=-1, character=0)
    validated = False
except (TypeError, ValueError):
    validated = True
print(json.dumps({"slotted": "__slots__" in vars(t.Diagnostic), "elsewhere": "__slots__" in vars(Elsewhere),
                  "define_restored": attrs.define.__module__, "wire": wire, "round_trip": back == d,
                  "validated": validated, "repr": repr(d), "fields": [f.name for f in attrs.fields(t.Diagnostic)]}))
"""


def _run(**env: str) -> dict:
    import json

    return json.loads(run_python(CHECK, env={**os.environ, **env}).stdout)


def test_the_server_package_builds_lsprotocol_classes_plain_and_they_behave_the_same():
    plain = _run()
    slotted = _run(**{SLOTTED_ENV: "1"})
    assert not plain["slotted"] and slotted["slotted"]
    assert plain["elsewhere"] and slotted["elsewhere"]  # nobody else's classes change
    assert plain["define_restored"] == slotted["define_restored"] == "attr._next_gen"
    for key in ("wire", "round_trip", "validated", "repr", "fields"):
        assert plain[key] == slotted[key], key
    assert plain["round_trip"] and plain["validated"]
    assert plain["wire"]["range"] == {"start": {"line": 0, "character": 1}, "end": {"line": 2, "character": 3}}
