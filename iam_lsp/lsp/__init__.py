"""The language server (pygls). Build one with `create_server()`; serve with `run()`."""

import gc as _gc

from iam_lsp.lsp import codecache as _codecache

# Importing lsprotocol, pygls and pydantic builds thousands of classes that live as long as the process;
# collecting in between only costs start-up time (about a fifth of it).
_collecting = _gc.isenabled()
_gc.disable()
_code = _codecache.start()  # attrs' generated code for lsprotocol's classes, compiled on an earlier start
try:
    from iam_lsp.lsp.server import create_server, run
finally:
    _codecache.finish(_code)
    # Those classes live as long as the process: frozen, the first collection after start-up does not walk
    # them all (it took about 40 ms).
    _gc.freeze()
    if _collecting:
        _gc.enable()

__all__ = ["create_server", "run"]
