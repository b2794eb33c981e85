"""Import `lsprotocol.types` with its classes built as plain (dict) classes instead of slotted ones.

For a slotted class attrs builds the class a second time (`__slots__` can only be set when a class is
made): for lsprotocol's 554 classes that is about 20 ms of every server start, a twentieth of it.
The classes behave the same (fields, `__init__`, validators, equality, repr, cattrs); their instances
take a dict, about 40% more memory and 5-10% more time to create: ~0.7 MB and ~1 ms per 5,000
diagnostics, against the 20 ms saved once. One difference: writing an attribute that is not a field no
longer raises (reading one still does); nothing in pygls, cattrs or this server writes such attributes.

Only the `@attrs.define` calls made by lsprotocol.types' own code are changed, only while it is imported.
`IAM_LSP_SLOTTED_LSP_TYPES=1` keeps attrs' default.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

SLOTTED_ENV = "IAM_LSP_SLOTTED_LSP_TYPES"
_MODULE = "lsprotocol.types"


def import_types() -> ModuleType:
    """lsprotocol.types, imported now if it was not yet (and then with plain classes)."""
    if _MODULE in sys.modules or os.environ.get(SLOTTED_ENV):
        import lsprotocol.types

        return lsprotocol.types
    import attrs

    original = attrs.define

    def define(maybe_cls=None, **kwargs):
        # The decorator is called from the class statement's module: lsprotocol.types or someone else.
        if sys._getframe(1).f_globals.get("__name__") == _MODULE:
            kwargs.setdefault("slots", False)
        return original(maybe_cls, **kwargs)

    attrs.define = define
    try:
        import lsprotocol.types
    finally:
        if attrs.define is define:
            attrs.define = original
    return lsprotocol.types
