"""Fuzz a live iam-lsp server over stdio with random edits of real policies.

    python bench/fuzz_server.py --edits 100000 --seed 1 [--workers 2] [--timeout 10]

Each worker runs its own server (`python -m iam_lsp.lsp`), alternating push and pull sessions. After
every edit (an insert, delete or replacement of characters, JSON tokens or half-typed IAM snippets at a
random place) it checks that the server answers a hover and a completion without an error response,
that diagnostics for the current version are published (push) or returned (pull) and equal a fresh
analysis of its own copy of the text (push), that no stale
diagnostics are left showing, and that every range lies inside the document and matches the finding's
code-point span in the client's own copy of the text (so the server's copy never diverges).
Prints the number of edits, crashes, hangs (no answer within --timeout) and error responses.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iam_lsp.core.analyze import analyze  # noqa: E402
from iam_lsp.core.documents import is_policy_document  # noqa: E402
from tests.reliability.corpus import apply, random_edit, sample_policies  # noqa: E402

EDITS_PER_DOC = 60
DOCS_PER_SESSION = 4  # then a fresh server, alternating push and pull
MAX_PROBLEMS = 20


@dataclass
class Stats:
    edits: int = 0
    requests: int = 0
    crashes: int = 0  # the server process died
    hangs: int = 0  # a request or publish without an answer within the timeout
    error_responses: int = 0  # JSON-RPC error answers
    logged_errors: int = 0  # window/logMessage of type Error (a handler swallowed an exception)
    bad_ranges: int = 0  # a range outside the document, or not the finding's span in our text
    stale: int = 0  # diagnostics of an older version left showing / returned
    wrong: int = 0  # published findings differ from a fresh analysis of the client's copy of the text
    problems: list[str] = field(default_factory=list)

    def note(self, kind: str, msg: str) -> None:
        count = getattr(self, kind) + 1
        setattr(self, kind, count)
        if count <= 5 and len(self.problems) < MAX_PROBLEMS:  # a few of each kind, so rare ones show
            self.problems.append(f"{kind}: {msg}")

    def merge(self, other: Stats) -> None:
        for name in ("edits", "requests", "crashes", "hangs", "error_responses", "logged_errors", "bad_ranges",
                     "stale", "wrong"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems[: MAX_PROBLEMS - len(self.problems)])

    @property
    def failures(self) -> int:
        return (self.crashes + self.hangs + self.error_responses + self.logged_errors + self.bad_ranges
                + self.stale + self.wrong)

    def summary(self) -> str:
        return (f"edits={self.edits} requests={self.requests} crashes={self.crashes} hangs={self.hangs} "
                f"error_responses={self.error_responses} logged_errors={self.logged_errors} "
                f"bad_ranges={self.bad_ranges} stale={self.stale} wrong={self.wrong}")


# --- positions in the client's copy (LSP line breaks: \n, \r\n, \r; UTF-16 columns) -----------------


def line_starts(text: str) -> list[int]:
    starts = [0]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            starts.append(i)
            continue
        i += 1
        if ch in "\r\n":
            starts.append(i)
    return starts


def units(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def to_position(text: str, starts: list[int], offset: int) -> t.Position:
    import bisect

    line = bisect.bisect_right(starts, offset) - 1
    return t.Position(line, units(text[starts[line]:offset]))


def line_units(text: str, starts: list[int], line: int) -> int:
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return units(text[starts[line]:end].rstrip("\r\n"))


def in_document(text: str, starts: list[int], rng: t.Range) -> bool:
    for p in (rng.start, rng.end):
        if not (0 <= p.line < len(starts)) or not (0 <= p.character <= line_units(text, starts, p.line)):
            return False
    return (rng.start.line, rng.start.character) <= (rng.end.line, rng.end.character)


def safe_edit(text: str, edit: tuple[int, int, str]) -> tuple[int, int, str]:
    """Never start or end an edit between \\r and \\n: that offset has no LSP position."""
    start, end, new = edit
    insert = start == end
    if 0 < start < len(text) and text[start - 1] == "\r" and text[start] == "\n":
        start -= 1
    if insert:
        return start, start, new
    if 0 < end < len(text) and text[end - 1] == "\r" and text[end] == "\n":
        end += 1
    return start, max(start, end), new


# --- one session ----------------------------------------------------------------------------------


class Session:
    def __init__(self, stats: Stats, pull: bool, timeout: float, progress: int = 0) -> None:
        self.stats = stats
        self.progress = progress  # print the running figures every this many edits (0: never)
        self.pull = pull
        self.timeout = timeout
        self.client = LanguageClient("iam-lsp-fuzz", "1")
        self.published: dict[str, list[t.PublishDiagnosticsParams]] = {}
        self.dead = False

        @self.client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_publish(params: t.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)

        @self.client.feature(t.WINDOW_LOG_MESSAGE)
        def on_log(params: t.LogMessageParams) -> None:
            if params.type == t.MessageType.Error:
                self.stats.note("logged_errors", params.message[:300])

        @self.client.feature(t.WORKSPACE_CONFIGURATION)
        def on_config(params: t.ConfigurationParams) -> list:
            return [{} for _ in params.items]

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "iam_lsp.lsp")
        caps = t.ClientCapabilities(
            text_document=t.TextDocumentClientCapabilities(
                publish_diagnostics=t.PublishDiagnosticsClientCapabilities(version_support=True),
                diagnostic=t.DiagnosticClientCapabilities() if self.pull else None,
                completion=t.CompletionClientCapabilities(
                    completion_item=t.ClientCompletionItemOptions(snippet_support=True)),
            ),
            workspace=t.WorkspaceClientCapabilities(configuration=True),
            general=t.GeneralClientCapabilities(position_encodings=[t.PositionEncodingKind.Utf16]),
        )
        await self.request(self.client.initialize_async(t.InitializeParams(capabilities=caps)), "initialize")
        self.client.initialized(t.InitializedParams())

    async def stop(self) -> None:
        try:
            if not self.dead:
                await asyncio.wait_for(self.client.shutdown_async(None), self.timeout)
                self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), self.timeout)
        except Exception:
            server = self.client._server
            if server is not None and server.returncode is None:
                server.kill()

    async def request(self, coro, what: str):
        self.stats.requests += 1
        try:
            return await asyncio.wait_for(coro, self.timeout)
        except asyncio.TimeoutError:
            self.stats.note("hangs", what)
            self.dead = True
        except RuntimeError as exc:  # pygls: the server process exited
            self.stats.note("crashes", f"{what}: {exc}")
            self.dead = True
        except Exception as exc:  # JsonRpcException and friends: an error response
            self.stats.note("error_responses", f"{what}: {type(exc).__name__}: {exc}")
        return None

    def check_range(self, text: str, starts: list[int], rng: t.Range, what: str) -> None:
        if not in_document(text, starts, rng):
            self.stats.note("bad_ranges", f"{what}: {rng} outside a {len(text)}-char document")

    def check_diagnostics(self, text: str, starts: list[int], diags: list[t.Diagnostic], what: str) -> None:
        for d in diags:
            self.check_range(text, starts, d.range, f"{what} {d.code}")
            span = d.data.get("span") if isinstance(d.data, dict) else None
            if isinstance(span, list) and 0 <= span[0] <= span[1] <= len(text):
                want = t.Range(to_position(text, starts, span[0]), to_position(text, starts, span[1]))
                if want != d.range:
                    self.stats.note("bad_ranges", f"{what} {d.code}: range {d.range} is not span {span} ({want})")

    def check_findings(self, text: str, path: str, diags: list[t.Diagnostic]) -> None:
        """The server's findings (code and span) must be a fresh analysis's: the server re-analyses only the
        edited statement (StatementMemo), and this is where random edits would show it going wrong."""
        got = sorted((str(d.code), tuple(d.data["span"])) for d in diags
                     if isinstance(d.data, dict) and isinstance(d.data.get("span"), list))
        want = sorted((f.code, (f.span.start, f.span.end)) for f in analyze(text, path=path).findings)
        if got != want:
            self.stats.note("wrong", f"{len(got)} findings published, {len(want)} from a fresh analysis: "
                                     f"{sorted(set(got) ^ set(want))[:4]}")

    async def check_version(self, uri: str, text: str, version: int, uri_path: str) -> None:
        starts = line_starts(text)
        doc = t.TextDocumentIdentifier(uri)
        if self.pull:
            report = await self.request(self.client.text_document_diagnostic_async(
                t.DocumentDiagnosticParams(text_document=doc)), "diagnostic")
            if report is not None:
                rid = getattr(report, "result_id", None)
                if rid is not None and not rid.startswith(f"{version}/"):
                    self.stats.note("stale", f"pull result {rid} for version {version}")
                self.check_diagnostics(text, starts, list(getattr(report, "items", []) or []), "pull")
            return
        # The hover answers after the analysis of this version, and the publish is sent before it.
        policy = is_policy_document(text, uri_path)
        deadline = time.monotonic() + (self.timeout if policy else 0.05)
        while True:
            pubs = self.published.get(uri, [])
            last = pubs[-1] if pubs else None
            if last is not None and last.version == version:
                self.check_diagnostics(text, starts, list(last.diagnostics), "push")
                if policy:
                    self.check_findings(text, uri_path, list(last.diagnostics))
                return
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.002)
        if policy:
            self.stats.note("hangs", f"no publish for version {version}")
        elif last is not None and last.diagnostics and last.version != version:
            self.stats.note("stale", f"diagnostics of version {last.version} showing at version {version}")

    async def fuzz_document(self, rng: random.Random, text: str, n: int, name: str) -> None:
        path = f"/tmp/iam-lsp-fuzz/{name}.json"
        uri = "file://" + path
        version = 1
        self.client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(uri=uri, language_id="json", version=version, text=text)))
        for _ in range(n):
            if self.dead:
                return
            start, end, new = safe_edit(text, random_edit(rng, text))
            starts = line_starts(text)
            rng_ = t.Range(to_position(text, starts, start), to_position(text, starts, end))
            text = apply(text, (start, end, new))
            version += 1
            self.client.text_document_did_change(t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[t.TextDocumentContentChangePartial(range=rng_, text=new)]))
            self.stats.edits += 1
            if self.progress and self.stats.edits % self.progress == 0:
                print(f"[{os.getpid()}] {self.stats.summary()}", flush=True)
            await self.probe(uri, text, rng)
            await self.check_version(uri, text, version, path)
        self.client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri)))

    async def probe(self, uri: str, text: str, rng: random.Random) -> None:
        starts = line_starts(text)
        doc = t.TextDocumentIdentifier(uri)
        pos = to_position(text, starts, rng.randint(0, len(text)))
        hover = await self.request(self.client.text_document_hover_async(t.HoverParams(doc, pos)), "hover")
        if hover is not None and hover.range is not None:
            self.check_range(text, starts, hover.range, "hover")
        pos = to_position(text, starts, rng.randint(0, len(text)))
        comp = await self.request(self.client.text_document_completion_async(t.CompletionParams(doc, pos)),
                                  "completion")
        items = comp.items if isinstance(comp, t.CompletionList) else (comp or [])
        for item in items[:50]:
            edit = item.text_edit
            if edit is not None and hasattr(edit, "range"):
                self.check_range(text, starts, edit.range, f"completion {item.label!r}")


async def run_worker(edits: int, seed: int, timeout: float, policies: list[str], progress: int = 0) -> Stats:
    rng = random.Random(seed)
    stats = Stats()
    session_no = 0
    while stats.edits < edits:
        session = Session(stats, pull=session_no % 2 == 1, timeout=timeout, progress=progress)
        session_no += 1
        try:
            await session.start()
            for doc_no in range(DOCS_PER_SESSION):
                if stats.edits >= edits or session.dead:
                    break
                n = min(EDITS_PER_DOC, edits - stats.edits)
                await session.fuzz_document(rng, rng.choice(policies), n, f"s{seed}-{session_no}-{doc_no}")
        finally:
            await session.stop()
    return stats


def _worker(args: tuple[int, int, float, int, int]) -> Stats:
    edits, seed, timeout, max_chars, progress = args
    policies = sample_policies(200, seed=seed, max_chars=max_chars)
    return asyncio.run(run_worker(edits, seed, timeout, policies, progress))


def fuzz(edits: int, seed: int, workers: int = 1, timeout: float = 10.0, max_chars: int = 1500,
         progress: int = 0) -> Stats:
    jobs = [(edits // workers + (1 if i < edits % workers else 0), seed * 1000 + i, timeout, max_chars, progress)
            for i in range(workers)]
    total = Stats()
    if workers == 1:
        total.merge(_worker(jobs[0]))
        return total
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        for s in pool.map(_worker, jobs):
            total.merge(s)
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds before a request counts as a hang")
    ap.add_argument("--max-chars", type=int, default=1500, help="largest corpus policy to start from")
    ap.add_argument("--progress", type=int, default=5000, help="print running figures every N edits per worker")
    args = ap.parse_args(argv)
    t0 = time.time()
    stats = fuzz(args.edits, args.seed, args.workers, args.timeout, args.max_chars, args.progress)
    print(stats.summary() + f" seconds={time.time() - t0:.0f}")
    for p in stats.problems:
        print("  " + p)
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
