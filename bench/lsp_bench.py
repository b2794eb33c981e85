"""Latency benchmark of the language server, driven over stdio by pygls' LanguageClient.

Prints p50/p99 for didChange -> publishDiagnostics at 2, 6, 25 and 100 KB policies built from the
corpus, for completion and hover, and for cold start (process spawn -> first diagnostics), each
beside its target. Cold starts are measured with the start-up caches (the code cache of
iam_lsp/codecache.py and the data cache of iam_lsp/datacache.py) and, interleaved, without them,
plus the very first start that fills them. "core NKB" lines time a full
parse + analyze() alone in this process on the same edits (plain process, default GC, no per-statement
memo): the server, which re-runs statement-scoped rules only on the edited statement, goes below them
on large documents.

Run: python bench/lsp_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "managed"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/managed")
SERVER = [sys.executable, "-m", "iam_lsp.lsp"]
# Run the server as installed software runs: with bytecode caches, even where the shell disables them.
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TARGETS_MS = {"2KB": None, "6KB": 15, "25KB": None, "100KB": 60, "completion": 10, "hover": 10, "cold start": 400}


def build_policy(size: int) -> str:
    """A pretty-printed identity policy of about `size` characters, from real corpus statements."""
    statements: list[dict] = []
    length = 60
    for f in sorted(CORPUS.glob("*.json")):
        doc = json.loads(f.read_text())
        sts = doc.get("Statement", [])
        for st in sts if isinstance(sts, list) else [sts]:
            piece = len(json.dumps(st, indent=2)) + 8
            if statements and length + piece > size:
                continue  # too big for what is left; a smaller statement may still fit
            statements.append(st)
            length += piece
            if length >= size * 0.97:
                break
        if length >= size * 0.97:
            break
    for i, st in enumerate(statements):
        st["Sid"] = f"S{i:04d}"
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("iam-lsp-bench", "1")
        self.published: dict[str, asyncio.Future] = {}
        self.want: dict[str, int] = {}

        @self.client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: t.PublishDiagnosticsParams) -> None:
            fut = self.published.get(params.uri)
            if fut and not fut.done() and params.version == self.want.get(params.uri):
                fut.set_result(params)

        @self.client.feature(t.WORKSPACE_CONFIGURATION)
        def _configuration(params: t.ConfigurationParams):
            return [{} for _ in params.items]

        @self.client.feature(t.CLIENT_REGISTER_CAPABILITY)
        def _register(params):
            return None

    async def start(self, env: dict[str, str] | None = None) -> None:
        await self.client.start_io(*SERVER, env=env or BENCH_ENV)
        caps = t.ClientCapabilities(
            workspace=t.WorkspaceClientCapabilities(configuration=True),
            text_document=t.TextDocumentClientCapabilities(
                hover=t.HoverClientCapabilities(content_format=[t.MarkupKind.Markdown]),
                completion=t.CompletionClientCapabilities(
                    completion_item=t.ClientCompletionItemOptions(snippet_support=True))),
            general=t.GeneralClientCapabilities(position_encodings=[t.PositionEncodingKind.Utf16]))
        await self.client.initialize_async(t.InitializeParams(capabilities=caps, root_uri=Path.cwd().as_uri()))
        self.client.initialized(t.InitializedParams())

    def expect(self, uri: str, version: int) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.published[uri] = fut
        self.want[uri] = version
        return fut

    async def open(self, uri: str, text: str) -> None:
        fut = self.expect(uri, 1)
        self.client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(uri=uri, language_id="json", version=1, text=text)))
        await asyncio.wait_for(fut, 30)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def change_latency(bench: Bench, uri: str, text: str, runs: int) -> list[float]:
    """Rewrite the digits of the first Sid and time until that version's diagnostics arrive.

    Every version's text is new (S0001, S0002, ...): toggling between two texts would let the server's
    per-statement memo answer the edited statement too, which typing never does."""
    await bench.open(uri, text)
    idx = text.index('"S0000"') + 2
    line = text.count("\n", 0, idx)
    col = idx - (text.rfind("\n", 0, idx) + 1)
    out = []
    for i in range(runs):
        version = i + 2
        fut = bench.expect(uri, version)
        start = time.perf_counter()
        bench.client.text_document_did_change(t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[t.TextDocumentContentChangePartial(
                range=t.Range(t.Position(line, col), t.Position(line, col + 4)), text=f"{(i + 1) % 10000:04d}")]))
        await asyncio.wait_for(fut, 30)
        out.append((time.perf_counter() - start) * 1000)
    return out


async def request_latency(bench: Bench, uri: str, text: str, runs: int) -> tuple[list[float], list[float]]:
    needle = text.index('"Action"')
    act = text.index('"', text.index(":", needle) + 1)
    while text[act + 1] in "[ \n":
        act += 1
    act = text.index('"', act) + 4
    line = text.count("\n", 0, act)
    col = act - (text.rfind("\n", 0, act) + 1)
    pos = t.Position(line, col)
    doc = t.TextDocumentIdentifier(uri)
    comp, hov = [], []
    for _ in range(runs):
        s = time.perf_counter()
        await bench.client.text_document_completion_async(t.CompletionParams(text_document=doc, position=pos))
        comp.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        await bench.client.text_document_hover_async(t.HoverParams(text_document=doc, position=pos))
        hov.append((time.perf_counter() - s) * 1000)
    return comp, hov


async def cold_start(text: str, runs: int) -> dict[str, list[float]]:
    """Spawn -> first diagnostics, in a fresh cache folder: the first start ever (it compiles and saves the
    attrs code of lsprotocol's classes and the data the first analysis derives), then starts with those
    caches and, interleaved so both see the same machine, starts with both turned off (the baseline)."""
    out: dict[str, list[float]] = {"first start": [], "cold start": [], "no start-up caches": []}
    with tempfile.TemporaryDirectory() as home:
        cached = {**BENCH_ENV, "XDG_CACHE_HOME": home}
        cached.pop("IAM_LSP_NO_CODE_CACHE", None)
        cached.pop("IAM_LSP_NO_DATA_CACHE", None)
        plain = {**cached, "IAM_LSP_NO_CODE_CACHE": "1", "IAM_LSP_NO_DATA_CACHE": "1"}
        plan = [("first start", cached)] + [run for _ in range(runs)
                                           for run in (("cold start", cached), ("no start-up caches", plain))]
        for i, (name, env) in enumerate(plan):
            start = time.perf_counter()
            bench = Bench()
            await bench.start(env)
            await bench.open(f"file:///bench/cold{i}.json", text)
            out[name].append((time.perf_counter() - start) * 1000)
            await bench.stop()
    return out


def core_latency(text: str, runs: int) -> list[float]:
    """The core alone (parse + analyze, in this process) on the same edits: what the server cannot go below."""
    from iam_lsp.core.analyze import analyze
    from iam_lsp.core.config import Config
    from iam_lsp.core.jsontree import parse

    cfg = Config()
    analyze(text, "/bench/core.json", cfg)
    out = []
    for i in range(runs):
        edited = text.replace('"S0000"', f'"S{(i + 1) % 10000:04d}"', 1)
        start = time.perf_counter()
        analyze(edited, "/bench/core.json", cfg, tree=parse(edited))
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, values: list[float]) -> None:
    target = TARGETS_MS.get(name)
    p50, p99 = pct(values, 50), pct(values, 99)
    verdict = "" if target is None else (f"target p99 <= {target} ms: " + ("ok" if p99 <= target else "MISSED"))
    print(f"{name:>18}  n={len(values):4d}  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {verdict}")


async def main(runs: int, split: bool) -> None:
    docs = {name: build_policy(kb * 1024) for name, kb in (("2KB", 2), ("6KB", 6), ("25KB", 25), ("100KB", 100))}
    bench = Bench()
    await bench.start()
    for name, text in docs.items():
        await bench.open(f"file:///bench/warm-{name}.json", text)  # warm the knowledge base
        report(name, await change_latency(bench, f"file:///bench/{name}.json", text, runs))
    comp, hov = await request_latency(bench, "file:///bench/warm-6KB.json", docs["6KB"], runs)
    report("completion", comp)
    report("hover", hov)
    await bench.stop()
    starts = await cold_start(docs["2KB"], max(3, runs // 20))
    for name, values in starts.items():
        report(name, values)
    print(f"{'':>18}  cold start with the start-up caches / without them (same run): "
          f"{pct(starts['cold start'], 50) / pct(starts['no start-up caches'], 50):.2f}x at p50")
    if split:  # last: loading the core into this client process would slow its side of the cold starts
        for name, text in docs.items():
            report(f"core {name}", core_latency(text, max(10, runs // 5)))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--no-split", action="store_true", help="skip timing the core alone on each size")
    args = ap.parse_args()
    asyncio.run(main(args.runs, not args.no_split))
