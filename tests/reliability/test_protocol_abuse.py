"""Protocol abuse over raw stdio: malformed frames, bad JSON, wrong methods and params, odd lifecycles."""

from __future__ import annotations

import json
import re

import pytest

from iam_lsp.core.analyze import analyze
from tests.reliability.rawlsp import POLICY, RawServer

URI = "file:///tmp/iam-lsp-abuse/policy.json"
METHOD_NOT_FOUND, INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR = -32601, -32602, -32600, -32700
SERVER_NOT_INITIALIZED = -32002


def codes(text: str) -> list[str]:
    return sorted(f.code for f in analyze(text, "/tmp/iam-lsp-abuse/policy.json").findings)


@pytest.fixture
def server():
    s = RawServer()
    yield s
    s.close()
    assert not own_frames(s.stderr()), s.stderr()[-3000:]


def own_frames(stderr: str) -> list[str]:
    """Unexpected tracebacks: not pygls logging a message it rejected, nor a request cancelled by exit."""
    records = re.split(r"^(?=iam-lsp: )", stderr, flags=re.M)
    expected = ("iam-lsp: ERROR Unable to deserialize message", "iam-lsp: ERROR Unable to handle message")
    return [r[:300] for r in records if "Traceback" in r and not r.startswith(expected)
            and not r.rstrip().endswith("CancelledError")]


def alive(s: RawServer, tries: int = 1) -> None:
    """The server still answers (and has not died). After a framing error the stream only resyncs at the
    next header that starts a line, so the first request after one may be eaten: `tries` allows that."""
    for attempt in range(tries):
        rid = s.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 3, "character": 40}})
        try:
            res = s.response(rid, timeout=5 if attempt + 1 < tries else 20)
        except TimeoutError:
            assert s.proc.poll() is None, "the server died"
            continue
        assert "error" not in res, res
        assert s.proc.poll() is None
        return
    raise AssertionError("no answer after a framing error")


def test_bad_content_length_and_bodies_are_survived(server):
    server.initialize()
    server.open(URI)
    good = json.dumps({"jsonrpc": "2.0", "id": 900, "method": "shutdown"}).encode()
    server.write(b"Content-Length: 5\r\n\r\n" + good)  # too short: a fragment, then stray bytes
    server.write(b"Content-Length: abc\r\n\r\n{}")  # not a number
    server.write(b"Content-Length: 12\r\n\r\nthis is junk")  # not JSON
    server.write(b"Content-Length: 4\r\n\r\n[1]x")  # JSON, not a message
    alive(server, tries=2)
    assert not [m for m in server.seen if m.get("id") == 900], "a fragment was executed as a request"
    # Not JSON gets a ParseError response with a null id (JSON-RPC 2.0 section 5.1), when answered at all.
    for m in server.seen:
        if "error" in m and m.get("id") is None:
            assert m["error"]["code"] in (PARSE_ERROR, INVALID_REQUEST), m


def test_too_long_content_length_swallows_only_what_it_claims(server):
    server.initialize()
    server.open(URI)
    server.write(b"Content-Length: 200\r\n\r\n" + b'{"jsonrpc": "2.0", "method": "x"}')
    server.write(b" " * 300)  # the rest of the claimed body (and more whitespace)
    alive(server, tries=2)


def test_unknown_methods(server):
    server.initialize()
    res = server.call("iam/doesNotExist", {"x": 1})
    assert res["error"]["code"] == METHOD_NOT_FOUND
    server.notify("iam/alsoMissing", {"x": 1})
    server.notify("$/somethingOptional", {})
    alive(server)
    assert not [m for m in server.seen if "error" in m and m.get("id") is None], "a notification got an answer"


def test_request_before_initialize_is_refused_not_crashed(server):
    res = server.call("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}})
    assert "error" in res and res["error"]["code"] in (SERVER_NOT_INITIALIZED, INVALID_REQUEST), res
    server.initialize()
    server.open(URI)
    alive(server)


def test_params_of_the_wrong_shape_are_invalid_params(server):
    server.initialize()
    server.open(URI)
    for params in ({"textDocument": 5}, {"position": "here"}, [1, 2, 3], {"textDocument": {"uri": URI}}):
        res = server.call("textDocument/hover", params)
        assert res.get("error", {}).get("code") == INVALID_PARAMS, (params, res)
    res = server.call("textDocument/completion", {"textDocument": {"uri": URI},
                                                   "position": {"line": -1, "character": "x"}})
    assert res["error"]["code"] == INVALID_PARAMS
    server.notify("textDocument/didChange", {"textDocument": {"uri": URI}, "contentChanges": "nope"})
    server.notify("textDocument/didOpen", {"textDocument": None})
    alive(server)


def test_cancel_storm(server):
    server.initialize()
    server.open(URI)
    ids = [server.request("textDocument/hover", {"textDocument": {"uri": URI},
                                                 "position": {"line": 3, "character": i % 60}}) for i in range(200)]
    for rid in ids + list(range(5000, 6000)):  # cancel real and never-sent ids
        server.notify("$/cancelRequest", {"id": rid})
    for rid in ids:  # every request gets an answer: a result or RequestCancelled (-32800)
        res = server.response(rid)
        assert "result" in res or res["error"]["code"] == -32800, res
    alive(server)


def _change(version: int, text: str, rng: dict | None = None) -> dict:
    change = {"text": text} if rng is None else {"range": rng, "text": text}
    return {"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]}


def _pos(line: int, ch: int) -> dict:
    return {"line": line, "character": ch}


def test_odd_changes_keep_the_server_up(server):
    server.initialize()
    server.notify("textDocument/didChange", {"textDocument": {"uri": "file:///never/opened.json", "version": 2},
                                             "contentChanges": [{"text": POLICY}]})
    server.open(URI)
    server.notify("textDocument/didChange", _change(5, "x", {"start": _pos(900, 3), "end": _pos(950, 0)}))
    server.notify("textDocument/didChange", _change(3, "y", {"start": _pos(5, 99), "end": _pos(2, 0)}))  # reversed
    server.notify("textDocument/didChange", _change(2, "", {"start": _pos(-1, -1), "end": _pos(0, 1)}))
    alive(server)
    server.notify("textDocument/didChange", _change(6, POLICY))
    res = server.call("textDocument/hover", {"textDocument": {"uri": URI}, "position": _pos(3, 47)})
    assert "GetObjekt" in json.dumps(res["result"]) or res["result"] is None


def test_no_stale_diagnostics_under_rapid_changes(server):
    server.initialize()
    server.open(URI)
    last = 60  # even: the last text is POLICY itself
    for v in range(2, last + 1):
        action = "s3:GetObject" if v % 2 else "s3:GetObjekt"
        server.notify("textDocument/didChange", _change(v, POLICY.replace("s3:GetObjekt", action)))
    server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["version"] == last)
    server.drain(0.5)
    versions = [p["version"] for p in server.publishes(URI)]
    assert versions == sorted(versions), versions  # never an older version after a newer one
    assert versions[-1] == last
    final = server.publishes(URI)[-1]["diagnostics"]
    assert sorted(d["code"] for d in final) == codes(POLICY)


def test_pull_diagnostics_are_for_the_latest_version():
    s = RawServer()
    try:
        s.initialize(pull=True)
        s.open(URI)
        for v in range(2, 30):
            s.notify("textDocument/didChange", _change(v, POLICY if v % 2 else POLICY.replace("Objekt", "Object")))
        res = s.call("textDocument/diagnostic", {"textDocument": {"uri": URI}})
        assert res["result"]["resultId"].startswith("29/"), res
        assert sorted(d["code"] for d in res["result"]["items"]) == codes(POLICY)
    finally:
        assert s.close() == 0


def test_shutdown_then_requests_then_exit_zero():
    s = RawServer()
    s.initialize()
    s.open(URI)
    assert s.call("shutdown").get("result", "missing") is None
    res = s.call("textDocument/hover", {"textDocument": {"uri": URI}, "position": _pos(0, 0)})
    assert res["error"]["code"] == INVALID_REQUEST, res
    s.notify("exit")
    assert s.proc.wait(20) == 0
    assert not own_frames(s.stderr())


def test_exit_without_shutdown_is_exit_code_one():
    s = RawServer()
    s.initialize()
    s.open(URI)
    s.notify("exit")
    assert s.proc.wait(20) == 1
    assert not own_frames(s.stderr())


def test_cli_serve_speaks_the_same_protocol():
    s = RawServer("serve", module="iam_lsp")
    try:
        assert s.initialize()["result"]["serverInfo"]["name"] == "iam-lsp"
        assert s.call("iam/nope")["error"]["code"] == METHOD_NOT_FOUND
    finally:
        assert s.close() == 0


def test_a_body_that_is_not_json_gets_a_parse_error(server):
    server.initialize()
    server.open(URI)
    server.write(b"Content-Length: 12\r\n\r\nthis is junk")
    alive(server)
    errors = [m for m in server.seen if "error" in m and m.get("id") is None]
    assert errors and errors[0]["error"]["code"] == PARSE_ERROR, server.seen
    assert not [m for m in server.seen if m.get("method") == "window/showMessage"], "garbage popped up a message"
