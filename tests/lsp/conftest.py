"""pytest-lsp fixtures: the real server over stdio, once per client capability set."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

CLIENTS = ["neovim@v0.11", "visual-studio-code"]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "iam_lsp.lsp"]),
    params=CLIENTS,
    scope="module",  # one server per capability set: spawning is the slow part on a busy machine
)
async def client(request, lsp_client: LanguageClient):
    root = Path(tempfile.mkdtemp(prefix="iam-lsp-e2e-"))
    lsp_client.root = root
    lsp_client.published = []
    # Record every publish (with its version) on top of pytest-lsp's own bookkeeping.
    fm = lsp_client.protocol.fm
    original = fm.features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params):
        lsp_client.published.append(params)
        return original(params)

    fm.features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    lsp_client.registrations = []
    if t.CLIENT_REGISTER_CAPABILITY not in fm.features:  # real editors accept dynamic registration
        lsp_client.feature(t.CLIENT_REGISTER_CAPABILITY)(
            lambda params: lsp_client.registrations.extend(params.registrations))
    lsp_client.set_configuration({"iamLsp": {}})
    caps = client_capabilities(request.param)
    lsp_client.capset = request.param
    lsp_client.init_result = await lsp_client.initialize_session(t.InitializeParams(
        capabilities=caps, root_uri=root.as_uri(),
        workspace_folders=[t.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    yield lsp_client
    await lsp_client.shutdown_session()


def is_pull(client: LanguageClient) -> bool:
    return client.capset.startswith("neovim")


_counter = iter(range(1_000_000))


def open_doc(client: LanguageClient, name: str, text: str, version: int = 1, language: str = "json",
             folder: str | None = None) -> str:
    """Open a document in a fresh folder of the workspace (tests share one server per module)."""
    path = client.root / (folder or f"d{next(_counter)}") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    uri = path.as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))
    return uri


async def wait_published(client: LanguageClient, uri: str, version: int | None = None, timeout: float = 10):
    """The newest publish for `uri` (with `version`, when given)."""
    async def poll():
        while True:
            for p in reversed(client.published):
                if p.uri == uri and (version is None or p.version == version):
                    return p
            await asyncio.sleep(0.01)
    return await asyncio.wait_for(poll(), timeout)


async def diagnostics(client: LanguageClient, uri: str, version: int = 1) -> list[t.Diagnostic]:
    """The document's diagnostics through whichever path the client negotiated."""
    if is_pull(client):
        report = await client.text_document_diagnostic_async(
            t.DocumentDiagnosticParams(text_document=t.TextDocumentIdentifier(uri)))
        return list(report.items)
    return list((await wait_published(client, uri, version)).diagnostics)


def encoding(client: LanguageClient) -> str:
    enc = client.init_result.capabilities.position_encoding or "utf-16"
    return str(getattr(enc, "value", enc))


def column(client: LanguageClient, line: str, index: int) -> int:
    """Independent oracle: the column of code-point `index` in the negotiated encoding."""
    enc = encoding(client)
    if enc == "utf-8":
        return len(line[:index].encode("utf-8"))
    if enc == "utf-16":
        return len(line[:index].encode("utf-16-le")) // 2
    return index


def range_of(client: LanguageClient, text: str, needle: str, occurrence: int = 0) -> t.Range:
    """The LSP range of the `occurrence`-th `needle` in `text` (single line)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    line_no = text.count("\n", 0, start)
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start: text.find("\n", start) if "\n" in text[start:] else len(text)]
    a = start - line_start
    return t.Range(t.Position(line_no, column(client, line, a)),
                   t.Position(line_no, column(client, line, a + len(needle))))


async def configure(client: LanguageClient, settings: dict) -> None:
    """Change the client's settings and let the server fetch them."""
    client.set_configuration({"iamLsp": settings})
    refreshes = client.diagnostic_refresh_count
    client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
    for _ in range(15):
        await asyncio.sleep(0.02)
        if is_pull(client) and client.diagnostic_refresh_count > refreshes:
            break
