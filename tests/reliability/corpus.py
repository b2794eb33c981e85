"""Shared helpers for the reliability tests: corpus samples, random edits and a span/node walker."""

from __future__ import annotations

import random
from pathlib import Path

from iam_lsp.core.jsontree import Node

CORPUS = Path("/work/shared/corpus")
# JSON tokens and half-typed IAM snippets a fuzzer splices into documents.
TOKENS = ("{", "}", "[", "]", ":", ",", '"', "\\", " ", "\n", "*", "null", "1e999999", "-0.5e-3",
          '"Action": "s3:Get', '"Statement": [', '"Condition": {"StringEquals": {', '"Principal": {"AWS": "',
          '"Resource": "arn:aws:s3:::', '"Effect": "Deny"', '"\\u00e9"', '"\\ud800"', "\u00e9", "\U0001f600",
          "\x00", "\ud800", "\r\n", "\r", "\t", "\u2028", "\x0c", "\x85")


def corpus_files(kind: str) -> list[Path]:
    return sorted((CORPUS / kind).glob("*.json"))


def sample_policies(count: int, seed: int = 7, max_chars: int = 6000) -> list[str]:
    """A reproducible sample of managed and trust policies (small ones: fuzzing time goes on edits)."""
    rng = random.Random(seed)
    files = corpus_files("managed") + corpus_files("trust")
    texts = []
    for p in rng.sample(files, min(len(files), count * 3)):
        text = p.read_text(encoding="utf-8")
        if len(text) <= max_chars:
            texts.append(text)
        if len(texts) == count:
            break
    return texts


def random_edit(rng: random.Random, text: str) -> tuple[int, int, str]:
    """(start, end, new_text) in code points: an insert, a delete or a replacement at a random place."""
    n = len(text)
    start = rng.randint(0, n)
    choice = rng.random()
    if choice < 0.45:
        return start, start, rng.choice(TOKENS)
    if choice < 0.8:
        return start, min(n, start + rng.randint(1, 8)), ""
    return start, min(n, start + rng.randint(1, 4)), rng.choice(TOKENS)


def apply(text: str, edit: tuple[int, int, str]) -> str:
    start, end, new = edit
    return text[:start] + new + text[end:]


def walk(root: Node | None):
    """Every node of a tree, iteratively (deep trees must not need Python's stack)."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        yield node
        for m in node.members:
            stack.append(m.key_node)
            if m.value is not None:
                stack.append(m.value)
        stack.extend(node.items)
