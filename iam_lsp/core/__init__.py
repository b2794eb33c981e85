"""The analysis core: text in, findings / hover / completions out.

Nothing in this package may import pygls or lsprotocol (tests/core/test_core_is_pure.py enforces it).
"""
