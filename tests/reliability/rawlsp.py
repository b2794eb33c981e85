"""A raw JSON-RPC peer for the server's stdio: frames what it is told to, reads every message back."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

POLICY = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:GetObjekt", '
          '"Resource": "*"}\n  ]\n}\n')


class RawServer:
    def __init__(self, *args: str, env: dict | None = None, module: str = "iam_lsp.lsp") -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", module, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.messages: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.next_id = 0
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self._stderr.extend(self.proc.stderr), daemon=True).start()

    # --- writing ---

    def write(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: object = None) -> int:
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.next_id

    def notify(self, method: str, params: object = None) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    # --- reading ---

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = out.read(length or 0)
            msg = json.loads(body)
            if msg.get("method") == "workspace/configuration" and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": [{}]})
            elif msg.get("method") == "client/registerCapability" and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            self.messages.put(msg)

    def wait(self, predicate, timeout: float = 20.0) -> dict:
        for msg in self.seen:
            if predicate(msg):
                return msg
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching message; stderr: {self.stderr()[-2000:]}")
            try:
                msg = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(msg)
            if predicate(msg):
                return msg

    def response(self, rid: int, timeout: float = 20.0) -> dict:
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def call(self, method: str, params: object = None, timeout: float = 20.0) -> dict:
        return self.response(self.request(method, params), timeout)

    def drain(self, seconds: float) -> list[dict]:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.seen.append(self.messages.get(timeout=max(0.0, end - time.monotonic())))
            except queue.Empty:
                pass
        return self.seen

    def publishes(self, uri: str) -> list[dict]:
        self.drain(0)
        return [m["params"] for m in self.seen
                if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]

    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    # --- session ---

    def initialize(self, pull: bool = False) -> dict:
        caps: dict = {"textDocument": {"publishDiagnostics": {"versionSupport": True}},
                      "workspace": {"configuration": True}}
        if pull:
            caps["textDocument"]["diagnostic"] = {}
        res = self.call("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": caps})
        self.notify("initialized", {})
        return res

    def open(self, uri: str, text: str = POLICY, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": version,
                                                              "text": text}})

    def hover(self, uri: str, line: int = 3, character: int = 40) -> dict:
        return self.call("textDocument/hover", {"textDocument": {"uri": uri},
                                                "position": {"line": line, "character": character}})

    def close(self, timeout: float = 10.0) -> int:
        """Shut down properly, or kill; the exit code."""
        if self.proc.poll() is None:
            try:
                self.call("shutdown", timeout=timeout)
                self.notify("exit")
            except (TimeoutError, OSError):
                pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
