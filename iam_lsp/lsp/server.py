"""The language server: a thin pygls layer that routes LSP requests to iam_lsp.core.

Analysis runs in a worker thread. Changes that arrive while a document is being analysed coalesce
into one re-run on the newest text, and a result is only published when its version is still the
document's version, so a slow document never blocks hover/completion and stale results never show.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types as t
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec, TextDocument, Workspace

from iam_lsp import __version__, codecache
from iam_lsp.core.analyze import Analysis, StatementMemo, analyze
from iam_lsp.core.config import CONFIG_FILES, Config, find_config_file, load_config_file
from iam_lsp.core.documents import is_json_document, is_policy_document
from iam_lsp.core.locate import parse_cached
from iam_lsp.core.text import line_starts
from iam_lsp.lsp.convert import Positions, diagnostic
from iam_lsp.lsp.protocol import IamProtocol, ResyncingStdin
from iam_lsp.lsp.settings import ClientSettings, EffectiveConfig, merge, parse_client_settings

log = logging.getLogger(__name__)
SECTION = "iamLsp"
TRIGGER_CHARACTERS = ['"', ":", "*", "{", ","]
FIX_ALL_KIND = "source.fixAll.iam-lsp"


def lsp_lines(text: str) -> tuple[str, ...]:
    """The text's lines with their line breaks; lines end only at \\n, \\r\\n and \\r."""
    if "\r" in text:  # where the core's line index starts each line
        starts = line_starts(text)
        lines = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
        if not lines[-1]:
            lines.pop()
        return tuple(lines)
    parts = text.split("\n")  # twice as fast as slicing at line starts on large documents (every edit)
    last = parts.pop()
    lines = [p + "\n" for p in parts]
    if last:
        lines.append(last)
    return tuple(lines)


class LspTextDocument(TextDocument):
    """pygls splits lines with str.splitlines, which also breaks at \\f, \\x85, \\u2028...; LSP lines end
    only at \\n, \\r\\n and \\r. Without this, edits after such a character land in the wrong place.

    The lines of the current source are kept (pygls asks for them on every edit and position conversion),
    and an edit is spliced in rather than copied line by line."""

    _lines_of: tuple[str, tuple[str, ...]] | None = None

    @property
    def lines(self) -> tuple[str, ...]:
        source = self.source
        cached = self._lines_of
        if cached is None or cached[0] is not source:
            cached = self._lines_of = (source, lsp_lines(source))
        return cached[1]

    def _apply_incremental_change(self, change: t.TextDocumentContentChangePartial) -> None:
        lines = self.lines
        rng = self._position_codec.range_from_client_units(lines, change.range)
        start_line, start_col = rng.start.line, rng.start.character
        end_line, end_col = rng.end.line, rng.end.character
        if start_line >= len(lines) or end_line < start_line:
            super()._apply_incremental_change(change)  # rare shapes: pygls' own loop
            return
        # What pygls' loop writes: lines before the range, the start line's head, the new text, the end
        # line's tail (if the range ends inside the document), then the lines after the range.
        parts = ["".join(lines[:start_line]), lines[start_line][:start_col], change.text]
        if end_line < len(lines):
            parts.append(lines[end_line][end_col:])
        parts.append("".join(lines[end_line + 1:]))
        self._source = "".join(parts)


class LspWorkspace(Workspace):
    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None) -> TextDocument:
        return LspTextDocument(doc_uri, source=source, version=version, language_id=language_id,
                               sync_kind=self._sync_kind, position_codec=self._position_codec)


def use_lsp_line_breaks(workspace: Workspace) -> None:
    """Called from initialize, right after pygls created the workspace and before any document opens."""
    if type(workspace) is Workspace:
        workspace.__class__ = LspWorkspace


@dataclass
class Result:
    """One analysis of one document version, with its diagnostics already converted."""

    version: int | None
    analysis: Analysis | None  # None: not an IAM policy (or not JSON)
    positions: Positions
    config: EffectiveConfig
    diagnostics: list[t.Diagnostic] = field(default_factory=list)
    security_error: bool = False  # the severity settings the diagnostics were converted with
    suggestion_hint: bool = False


@dataclass
class DocState:
    task: asyncio.Task | None = None
    result: Result | None = None
    published: bool = False  # a non-empty push is showing in the client
    # Findings of statement-scoped rules per statement text: an edit re-analyses the edited statement only.
    memo: StatementMemo = field(default_factory=StatementMemo)


class IamLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("iam-lsp", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Incremental,
                         protocol_cls=IamProtocol)
        self.pull = False
        self.client = ClientSettings()
        self.settings_generation = 0
        self.docs: dict[str, DocState] = {}
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="iam-lsp-analysis")
        self._config_files: dict[str, tuple[float, Config]] = {}
        self._config_for_dir: dict[str, Path | None] = {}

    def report_server_error(self, error: Exception, source) -> None:
        """A body that is not JSON gets JSON-RPC's Parse error (id null) instead of an editor pop-up."""
        if isinstance(error, (ValueError, UnicodeDecodeError)) and not isinstance(error, JsonRpcException):
            self.protocol._send_response(None, error=t.ResponseError(  # type: ignore[arg-type]
                code=-32700, message=f"Parse error: {error}"))
            return
        super().report_server_error(error, source)

    # --- capabilities -------------------------------------------------------------------------

    def client_supports(self, *path: str) -> object:
        node: object = self.client_capabilities
        for part in path:
            node = getattr(node, part, None)
            if node is None:
                return None
        return node

    # --- configuration ------------------------------------------------------------------------

    def file_config(self, path: str | None) -> Config:
        if not path:
            return Config()
        folder = str(Path(path).parent)
        if folder not in self._config_for_dir:
            self._config_for_dir[folder] = find_config_file(Path(path))
        found = self._config_for_dir[folder]
        if found is None:
            return Config()
        try:
            mtime = found.stat().st_mtime
        except OSError:
            return Config()
        cached = self._config_files.get(str(found))
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            cfg = load_config_file(found)
        except ValueError as exc:
            self.log_message(str(exc), t.MessageType.Warning)
            cfg = Config()
        self._config_files[str(found)] = (mtime, cfg)
        return cfg

    def effective_config(self, path: str | None) -> EffectiveConfig:
        eff, problems = merge(self.file_config(path), self.client)
        for p in problems:
            self.log_message(p, t.MessageType.Warning)
        return eff

    def forget_config_files(self) -> None:
        self._config_files.clear()
        self._config_for_dir.clear()

    def apply_settings(self, raw: object) -> None:
        self.client = parse_client_settings(raw)
        self.settings_generation += 1
        for p in self.client.problems:
            self.log_message(p, t.MessageType.Warning)

    def log_message(self, message: str, kind: t.MessageType = t.MessageType.Log) -> None:
        log.info(message)
        try:
            self.window_log_message(t.LogMessageParams(type=kind, message=message))
        except Exception:  # no client attached (unit use)
            pass

    # --- analysis -----------------------------------------------------------------------------

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self.workspace.text_documents

    def analyse_sync(self, text: str, version: int | None, uri: str, path: str | None,
                     language_id: str | None, eff: EffectiveConfig, codec, memo: StatementMemo | None = None) -> Result:
        """Runs in the worker thread: pure core work plus conversion to LSP diagnostics."""
        pos = Positions(text, codec)
        cfg = eff.config
        if not is_json_document(language_id, path):
            return Result(version, None, pos, eff)
        include = cfg.include if eff.explicit_include else ()
        # One parse per version, shared by the policy check, the analysis, hover and completion.
        tree = parse_cached(text) if len(text) <= cfg.max_size else None
        if not is_policy_document(text, path, include=include, exclude=cfg.exclude, max_size=cfg.max_size,
                                  tree=tree):
            return Result(version, None, pos, eff)
        analysis = analyze(text, path, cfg, tree=tree, memo=memo)
        sec, hint = self.client.security_error, self.client.suggestion_hint
        diags = [diagnostic(f, pos, uri, version, security_error=sec, suggestion_hint=hint) for f in analysis.findings]
        return Result(version, analysis, pos, eff, diags, sec, hint)

    def schedule(self, uri: str) -> asyncio.Task:
        state = self.docs.setdefault(uri, DocState())
        if state.task is None or state.task.done():
            state.task = asyncio.get_running_loop().create_task(self._lint(uri))
        return state.task

    async def _lint(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        while self.is_open(uri):
            doc = self.workspace.get_text_document(uri)
            text, version = doc.source, doc.version
            path = to_fs_path(uri) if uri.startswith("file:") else None
            eff = self.effective_config(path)
            generation = self.settings_generation
            memo = self.docs.setdefault(uri, DocState()).memo
            try:
                result = await loop.run_in_executor(
                    self.pool, self.analyse_sync, text, version, uri, path, doc.language_id, eff, doc.position_codec,
                    memo)
            except Exception as exc:  # keep serving; the log says what went wrong
                self.log_message(f"analysis of {uri} failed: {type(exc).__name__}: {exc}", t.MessageType.Error)
                return
            state = self.docs.get(uri)
            if state is None or not self.is_open(uri):
                return
            current = self.workspace.get_text_document(uri)
            if current.version != version or current.source != text:
                continue  # the document moved on while we worked: never publish a stale result
            if generation != self.settings_generation and self.settings_changed(path, eff, result):
                continue  # settings arrived while we worked (workspace/configuration at start-up)
            # Freeing the previous analysis takes milliseconds on a large document: do it after the publish.
            previous, state.result = state.result, result
            self.publish(uri, state)
            del previous
            return

    def settings_changed(self, path: str | None, eff: EffectiveConfig, result: Result) -> bool:
        """Whether a result computed with `eff` would differ under the settings now in force."""
        now, _ = merge(self.file_config(path), self.client)
        return now != eff or (result.security_error, result.suggestion_hint) != (
            self.client.security_error, self.client.suggestion_hint)

    def publish(self, uri: str, state: DocState) -> None:
        if self.pull or state.result is None:
            return
        diags = state.result.diagnostics
        if not diags and not state.published:
            if state.result.analysis is None:
                return  # unrelated JSON, never shown anything: stay silent
        self.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=state.result.version))
        state.published = bool(diags)

    async def current_result(self, uri: str) -> Result | None:
        """The analysis of the document's current version (waits for the worker when needed)."""
        for _ in range(20):
            if not self.is_open(uri):
                return None
            state = self.docs.setdefault(uri, DocState())
            doc = self.workspace.get_text_document(uri)
            if state.result is not None and state.result.version == doc.version \
                    and state.result.positions.text == doc.source:
                return state.result
            await self.schedule(uri)
        return None

    def relint_all(self) -> None:
        self.forget_config_files()
        for uri, state in list(self.docs.items()):
            state.result = None
            if not self.pull:
                self.schedule(uri)
        if self.pull and self.client_supports("workspace", "diagnostics", "refresh_support"):
            self.workspace_diagnostic_refresh(None)

    def close(self, uri: str) -> None:
        state = self.docs.pop(uri, None)
        if state and state.task and not state.task.done():
            state.task.cancel()
        if not self.pull:
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def fetch_settings(self) -> None:
        if not self.client_supports("workspace", "configuration"):
            return
        try:
            values = await self.workspace_configuration_async(
                t.ConfigurationParams(items=[t.ConfigurationItem(section=SECTION)]))
        except Exception as exc:
            self.log_message(f"workspace/configuration failed: {exc}", t.MessageType.Warning)
            return
        self.apply_settings(values[0] if values else None)


def create_server() -> IamLanguageServer:
    """Build a server with every feature registered (no import-time global)."""
    from iam_lsp.lsp import features

    server = IamLanguageServer()
    features.register(server)
    return server


# A small policy whose analysis touches every rule family, the JSON Schema validators and a few small
# services, so the first real document does not pay for those one-time costs. (Not ec2: its catalogue
# alone takes 6 ms to load, on the way to the first diagnostics of documents that may never use it.)
WARM_UP_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"],
     "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/${aws:username}/*"],
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Effect": "Allow", "Action": ["iam:PassRole", "sts:AssumeRole", "lambda:CreateFunction"], "Resource": "*"},
    {"Effect": "Deny", "NotAction": "kms:Decrypt", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}
"""
# After start-up the long-lived objects (modules, classes, the catalogue) are frozen out of the collector:
# full collections over them cost 100 ms and more on large documents. Parse trees hold no reference
# cycles (Node.parent is weak), so what an edit replaces is freed by reference counting; young
# collections can run rarely, and these thresholds gave the least collector time per edit.
GC_THRESHOLDS = (20_000, 5, 20)


def warm_up(server: IamLanguageServer) -> None:
    """Pay the first analysis' one-time costs, then hand the heap to the collector tuned for serving."""
    try:
        analysis = analyze(WARM_UP_POLICY, None, Config())
        pos = Positions(WARM_UP_POLICY, PositionCodec())
        diags = [diagnostic(f, pos, "file:///warm-up.json", 1) for f in analysis.findings]
        # lsprotocol's converter writes its (un)structuring code on first use of each type.
        server.protocol._converter.unstructure(
            t.PublishDiagnosticsParams(uri="file:///warm-up.json", diagnostics=diags, version=1))
    except Exception as exc:  # never fatal: the first document then pays for it
        log.warning("warm-up failed: %s: %s", type(exc).__name__, exc)
    finally:
        codecache.finish("server")  # (the first requests' cattrs code has mostly been written by now)
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        gc.enable()


def run(transport: str = "stdio", host: str = "127.0.0.1", port: int = 2087) -> int:
    """Serve over stdio or TCP until the client exits. Returns a process exit code."""
    logging.basicConfig(level=logging.WARNING, format="iam-lsp: %(levelname)s %(message)s")
    gc.disable()  # start-up only allocates what lives as long as the process; warm_up turns it back on
    codecache.resume("server")  # compiled code of earlier starts for the rules' dataclasses and cattrs' converters
    server = create_server()
    # While the client reads our initialize answer and sends didOpen, the warm-up runs beside it.
    threading.Thread(target=warm_up, args=(server,), name="iam-lsp-warm-up", daemon=True).start()
    try:
        if transport == "tcp":
            server.start_tcp(host, port)
        else:
            server.start_io(stdin=ResyncingStdin(sys.stdin.buffer))
    finally:
        server.pool.shutdown(wait=False, cancel_futures=True)
    # LSP: exit code 0 only after a shutdown request (pygls swallows the SystemExit it raises on exit).
    return 0 if getattr(server.protocol, "_shutdown", False) else 1


def config_file_uri(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] in CONFIG_FILES
