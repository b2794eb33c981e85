"""Helpers shared by the rule-family tests: build policy documents and read findings back."""

from __future__ import annotations

import json


def doc(*statements: dict) -> str:
    """A pretty-printed policy document with these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def spans(text: str, findings) -> list[str]:
    """The source text each finding points at."""
    return [text[f.span.start:f.span.end] for f in findings]
