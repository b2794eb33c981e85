"""End-to-end tests: the real server over stdio, driven as Neovim 0.11 (pull, utf-8) and VS Code (push, utf-16)."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as t

from tests.lsp.conftest import configure, diagnostics, encoding, is_pull, open_doc, range_of, wait_published

pytestmark = pytest.mark.asyncio(loop_scope="module")

POLICY = (
    '{\n'
    '  "Version": "2012-10-17",\n'
    '  "Statement": [\n'
    '    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}\n'
    '  ]\n'
    '}\n'
)
# Non-ASCII before the finding on the same line: 'ó' is 2 UTF-8 bytes, '😀' is 2 UTF-16 units / 4 bytes.
UNICODE = (
    '{\n'
    '  "Version": "2012-10-17",\n'
    '  "Statement": [\n'
    '    {"Sid": "Ok", "Effect": "Allow", "Condition": {"StringEquals": {"aws:PrincipalTag/t": "Allów😀"}},'
    ' "Action": "s3:GetObjekt", "Resource": "*"}\n'
    '  ]\n'
    '}\n'
)


def _by_code(diags, code):
    return [d for d in diags if d.code == code]


async def test_negotiates_push_or_pull_and_encoding(client):
    if is_pull(client):
        assert encoding(client) == "utf-8"
        assert client.init_result.capabilities.diagnostic_provider is not None
    else:
        assert encoding(client) == "utf-16"
        assert client.init_result.capabilities.diagnostic_provider is None
    sync = client.init_result.capabilities.text_document_sync
    assert sync.change == t.TextDocumentSyncKind.Incremental
    assert set(client.init_result.capabilities.completion_provider.trigger_characters) == {'"', ":", "*", "{", ","}


async def test_diagnostic_code_range_severity_and_metadata(client):
    uri = open_doc(client, "policy.json", POLICY)
    diags = await diagnostics(client, uri)
    [d] = _by_code(diags, "IAM103")
    assert d.range == range_of(client, POLICY, "GetObjekt")
    assert d.severity == t.DiagnosticSeverity.Error
    assert d.source == "iam-lsp"
    assert d.code_description.href.endswith("#iam103")
    assert d.data["code"] == "IAM103" and d.data["sid"] == "Read"


async def test_non_ascii_columns_in_negotiated_encoding(client):
    uri = open_doc(client, "uni.json", UNICODE)
    diags = await diagnostics(client, uri)
    [d] = _by_code(diags, "IAM103")
    expected = range_of(client, UNICODE, "GetObjekt")
    assert d.range == expected
    line = UNICODE.splitlines()[3]
    # The column really differs between the encodings (the oracle is not trivially code points).
    assert expected.start.character != line.index("GetObjekt")


async def test_incremental_change_relints_and_stale_versions_never_publish(client):
    uri = open_doc(client, "policy.json", POLICY)
    await diagnostics(client, uri)
    ident = t.VersionedTextDocumentIdentifier(uri=uri, version=0)
    bad = range_of(client, POLICY, "GetObjekt")
    # A burst: v2 fixes the action, v3 breaks it differently, v4 fixes it again.
    for version, text in ((2, "GetObject"), (3, "GetObjectX"), (4, "GetObject")):
        ident.version = version
        end = bad.start.character + len("GetObjekt" if version == 2 else ("GetObject" if version == 3 else "GetObjectX"))
        rng = t.Range(bad.start, t.Position(bad.start.line, end))
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[t.TextDocumentContentChangePartial(range=rng, text=text)]))
    diags = await diagnostics(client, uri, version=4)
    assert _by_code(diags, "IAM103") == []
    if not is_pull(client):
        await asyncio.sleep(0.2)
        versions = [p.version for p in client.published if p.uri == uri]
        assert versions == sorted(versions) and versions[-1] == 4
        # Whatever was published for an intermediate version was published while it was current.
        assert all(v in (1, 2, 3, 4) for v in versions)


async def test_did_close_clears_diagnostics(client):
    uri = open_doc(client, "policy.json", POLICY)
    assert _by_code(await diagnostics(client, uri), "IAM103")
    client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri)))
    if is_pull(client):
        report = await client.text_document_diagnostic_async(
            t.DocumentDiagnosticParams(text_document=t.TextDocumentIdentifier(uri)))
        assert list(report.items) == []
    else:
        p = await wait_published(client, uri, None)
        for _ in range(100):
            p = client.published[-1]
            if p.uri == uri and not p.diagnostics:
                break
            await asyncio.sleep(0.02)
        assert list(p.diagnostics) == []


async def test_unrelated_json_is_ignored(client):
    text = '{"name": "app", "version": "1.0.0", "Action": "s3:GetObjekt",}'
    uri = open_doc(client, "data.json", text)
    pkg = open_doc(client, "package.json", POLICY)
    if is_pull(client):
        assert await diagnostics(client, uri) == []
        assert await diagnostics(client, pkg) == []
    else:
        probe = open_doc(client, "probe.json", POLICY)
        await wait_published(client, probe)
        await asyncio.sleep(0.1)
        assert [p for p in client.published if p.uri in (uri, pkg)] == []


async def test_policy_turned_unrelated_gets_empty_publish(client):
    uri = open_doc(client, "policy.json", POLICY)
    assert await diagnostics(client, uri)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text='{"name": "x"}')]))
    assert await diagnostics(client, uri, version=2) == []


async def test_settings_change_relints(client):
    uri = open_doc(client, "policy.json", POLICY)
    assert _by_code(await diagnostics(client, uri), "IAM103")
    refreshes = client.diagnostic_refresh_count
    before = len(client.published)
    try:
        await configure(client, {"disable": ["IAM103"], "severity": {}})
        if is_pull(client):
            # Neovim 0.11's capability set has no refreshSupport: the next pull sees the new settings.
            assert client.diagnostic_refresh_count == refreshes
            assert _by_code(await diagnostics(client, uri), "IAM103") == []
        else:
            for _ in range(300):
                if any(p.uri == uri for p in client.published[before:]):
                    break
                await asyncio.sleep(0.01)
            latest = [p for p in client.published[before:] if p.uri == uri][-1]
            assert _by_code(latest.diagnostics, "IAM103") == []
    finally:
        await configure(client, {})


async def test_severity_setting_maps_suggestions_and_overrides(client):
    await configure(client, {"severity": {"IAM103": "suggestion"}, "suggestionSeverity": "hint"})
    try:
        uri = open_doc(client, "policy.json", POLICY)
        [d] = _by_code(await diagnostics(client, uri), "IAM103")
        assert d.severity == t.DiagnosticSeverity.Hint
    finally:
        await configure(client, {})


async def test_config_file_is_read(client):
    folder = client.root / "with-config"
    folder.mkdir(exist_ok=True)
    (folder / ".iam-lsp.toml").write_text('disable = ["IAM103"]\n')
    uri = open_doc(client, "policy.json", POLICY, folder="with-config")
    assert _by_code(await diagnostics(client, uri), "IAM103") == []
    # Saving a changed config file re-reads it.
    (folder / ".iam-lsp.toml").write_text('disable = []\n')
    client.text_document_did_save(t.DidSaveTextDocumentParams(
        t.TextDocumentIdentifier((folder / ".iam-lsp.toml").as_uri())))
    await asyncio.sleep(0.1)
    uri2 = open_doc(client, "policy2.json", POLICY, folder="with-config")
    assert _by_code(await diagnostics(client, uri2), "IAM103")


async def test_quick_fix_and_ignore_actions(client):
    uri = open_doc(client, "policy.json", POLICY)
    [d] = _by_code(await diagnostics(client, uri), "IAM103")
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri), range=d.range,
        context=t.CodeActionContext(diagnostics=[d])))
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.title == "Change to 's3:GetObject'")
    assert fix.is_preferred and fix.kind == t.CodeActionKind.QuickFix
    [edit] = fix.edit.changes[uri]
    assert edit.range == d.range and edit.new_text == "GetObject"
    assert "Ignore IAM103 for this file (in .iam-lsp.toml)" in titles
    assert "Ignore IAM103 for Sid 'Read' (in .iam-lsp.toml)" in titles
    ignore = next(a for a in actions if a.title.startswith("Ignore IAM103 for this file"))
    ops = ignore.edit.document_changes
    assert isinstance(ops[0], t.CreateFile) and ops[0].uri.endswith("/.iam-lsp.toml")
    assert 'rules = ["IAM103"]' in ops[1].edits[0].new_text and 'policy.json"' in ops[1].edits[0].new_text
    fix_all = next(a for a in actions if a.kind == "source.fixAll.iam-lsp")
    assert [e.new_text for e in fix_all.edit.changes[uri]] == ["GetObject"]


async def test_symbols_folding_links(client):
    uri = open_doc(client, "policy.json", POLICY)
    syms = await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri)))
    assert [s.name for s in syms] == ["Version", "Statement"]
    assert [c.name for c in syms[1].children] == ["Read"]
    assert syms[1].children[0].selection_range == range_of(client, POLICY, '"Read"')
    folds = await client.text_document_folding_range_async(
        t.FoldingRangeParams(text_document=t.TextDocumentIdentifier(uri)))
    assert [(f.start_line, f.end_line) for f in folds] == [(0, 4), (2, 3)]
    links = await client.text_document_document_link_async(
        t.DocumentLinkParams(text_document=t.TextDocumentIdentifier(uri)))
    [link] = links
    assert link.range == range_of(client, POLICY, "s3:GetObjekt")
    assert link.target.endswith("/list_amazons3.html")


async def test_hover(client):
    pytest.importorskip("iam_lsp.core.hover")
    text = POLICY.replace("s3:GetObjekt", "s3:GetObject")
    uri = open_doc(client, "policy.json", text)
    at = range_of(client, text, "GetObject").start
    hover = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri), position=t.Position(at.line, at.character + 2)))
    assert hover is not None and "GetObject" in hover.contents.value
    assert hover.range.start.line == at.line


async def test_completion_of_actions(client):
    pytest.importorskip("iam_lsp.core.complete")
    text = POLICY.replace("s3:GetObjekt", "s3:GetObj")
    uri = open_doc(client, "policy.json", text)
    end = range_of(client, text, "s3:GetObj").end
    result = await client.text_document_completion_async(t.CompletionParams(
        text_document=t.TextDocumentIdentifier(uri), position=end))
    labels = [i.label for i in result.items]
    assert any("GetObject" in lb for lb in labels), labels[:20]
    item = next(i for i in result.items if i.label == "s3:GetObject")
    # The core replaces the whole string token, quotes included.
    assert item.text_edit.range == range_of(client, text, '"s3:GetObj"')
    assert item.text_edit.new_text == '"s3:GetObject"'
    assert end.character > 0


async def test_bad_input_keeps_server_up(client):
    deep = '{"Version": "2012-10-17", "Statement": ' + "[" * 5000
    uri = open_doc(client, "policy.json", deep)
    assert "IAM010" in {d.code for d in await diagnostics(client, uri)}
    # Over the size limit: the analysis-skipped finding, not a hang.
    await configure(client, {"maxSize": 50})
    big = open_doc(client, "big.json", POLICY)
    assert [d.code for d in await diagnostics(client, big)] == ["IAM001"]
    # An edit far outside the document, and requests for documents nobody opened.
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=big, version=2),
        content_changes=[t.TextDocumentContentChangePartial(
            range=t.Range(t.Position(900, 5), t.Position(901, 0)), text="x")]))
    ghost = (client.root / "ghost.json").as_uri()
    assert await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(ghost), position=t.Position(0, 0))) is None
    assert await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(ghost))) == []
    text_uri = open_doc(client, "notes.txt", "hello", language="plaintext")
    assert list(await client.text_document_folding_range_async(
        t.FoldingRangeParams(text_document=t.TextDocumentIdentifier(text_uri)))) == []
    # Still serving.
    assert [d.code for d in await diagnostics(client, big, version=2)] == ["IAM001"]
    await configure(client, {})
