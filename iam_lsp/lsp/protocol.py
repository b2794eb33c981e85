"""JSON-RPC hardening on top of pygls' protocol: every request gets an answer, whatever the client sends.

pygls (2.1) drops, without any response, a request whose params do not fit the method (the client then
waits forever), a request sent after `shutdown`, and any message that omits `params` (JSON-RPC allows
that: `{"method": "shutdown"}` or `{"method": "exit"}` were ignored, so the server never exited). It also
serves requests before `initialize`. Here those get the error responses LSP prescribes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as t
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)


@dataclass
class Unreadable:
    """A request pygls could not turn into its params type: answered with the error, never run."""

    id: int | str
    error: JsonRpcException
    jsonrpc: str = "2.0"


class IamProtocol(LanguageServerProtocol):
    _initialize_seen = False

    def structure_message(self, data: dict[str, Any]):
        if isinstance(data, dict) and "jsonrpc" in data and "method" in data and "params" not in data:
            data = {**data, "params": None}  # omitted params are allowed by JSON-RPC 2.0
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "method" in data and isinstance(data.get("id"), (int, str)):
                return Unreadable(data["id"], exc)
            raise  # a notification: there is nobody to answer

    def _reply_error(self, msg_id: int | str, exc: JsonRpcException) -> None:
        self._send_response(msg_id, error=t.ResponseError(code=exc.code, message=exc.message))

    def handle_message(self, message) -> None:
        if isinstance(message, Unreadable):
            self._reply_error(message.id, message.error)
            return
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        is_request = method is not None and msg_id is not None
        if method == t.INITIALIZE:
            self._initialize_seen = True
        elif not self._initialize_seen and method != t.EXIT:
            if is_request:
                self._reply_error(msg_id, JsonRpcServerNotInitialized())
            return  # notifications before initialize are dropped (LSP)
        if self._shutdown and is_request:
            self._reply_error(msg_id, JsonRpcInvalidRequest("the server is shutting down"))
            return
        super().handle_message(message)


class ResyncingStdin:
    """Stdin for pygls' reader that splits a line where a `Content-Length:` header starts mid-line.

    pygls only sees a header at the start of a line. After a frame with a wrong Content-Length, the next
    header is glued to the leftover bytes (message bodies end without a newline), so every following
    message was lost and the server went deaf. Splitting there lets the stream resync at the next message.
    """

    MARK = b"Content-Length:"

    def __init__(self, raw) -> None:
        self.raw = raw
        self.pending = b""

    def readline(self) -> bytes:
        line, self.pending = (self.pending, b"") if self.pending else (self.raw.readline(), b"")
        k = line.find(self.MARK, 1)
        if k > 0:
            line, self.pending = line[:k], line[k:]
        return line

    def read(self, n: int) -> bytes:
        head, self.pending = self.pending[:n], self.pending[n:]
        return head + (self.raw.read(n - len(head)) if len(head) < n else b"")
