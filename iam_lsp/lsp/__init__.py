"""The language server (pygls). Build one with `create_server()`; serve with `run()`."""

import gc as _gc

from iam_lsp import codecache as _codecache

# Importing lsprotocol, pygls and pydantic builds thousands of classes that live as long as the process;
# collecting in between only costs start-up time (about a fifth of it).
_collecting = _gc.isenabled()
_gc.disable()
# The code attrs, cattrs and dataclasses generate, compiled on an earlier start. `run()` resumes the
# session for its warm-up and first requests, and ends it.
_codecache.start("server", _codecache.SERVER_MODULES)
try:
    from iam_lsp.lsp.lsptypes import import_types as _import_types

    _import_types()  # before pygls and the server import it: plain classes build faster (lsptypes.py)
    from iam_lsp.lsp.server import create_server, run
finally:
    _codecache.pause("server")
    # Those classes live as long as the process: frozen, the first collection after start-up does not walk
    # them all (it took about 40 ms).
    _gc.freeze()
    if _collecting:
        _gc.enable()

__all__ = ["create_server", "run"]
