"""LSP feature handlers. Each converts its request, calls the core, converts the answer back."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

from lsprotocol import types as t
from pygls.uris import from_fs_path, to_fs_path

from iam_lsp.core.findings import Finding
from iam_lsp.core.outline import Symbol, document_links, document_symbols, folding_ranges
from iam_lsp.core.suppression import ignore_edit
from iam_lsp.core.text import Span
from iam_lsp.lsp.convert import COMPLETION_KINDS, SOURCE, SYMBOL_KINDS, Positions
from iam_lsp.lsp.server import (
    FIX_ALL_KIND,
    SECTION,
    TRIGGER_CHARACTERS,
    IamLanguageServer,
    Result,
    config_file_uri,
    use_lsp_line_breaks,
)


def _safe(default=None):
    """Log and swallow handler errors: a bad document or request must never take the server down."""

    def deco(fn):
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def wrapper(ls, params):
                try:
                    return await fn(ls, params)
                except Exception as exc:
                    ls.log_message(f"{fn.__name__} failed: {type(exc).__name__}: {exc}", t.MessageType.Error)
                    return default
        else:
            @functools.wraps(fn)
            def wrapper(ls, params):
                try:
                    return fn(ls, params)
                except Exception as exc:
                    ls.log_message(f"{fn.__name__} failed: {type(exc).__name__}: {exc}", t.MessageType.Error)
                    return default
        return wrapper

    return deco


def register(server: IamLanguageServer) -> None:  # noqa: C901 - one place that wires every method
    @server.feature(t.INITIALIZE)
    def initialize(ls: IamLanguageServer, params: t.InitializeParams) -> None:
        use_lsp_line_breaks(ls.workspace)
        ls.pull = bool(ls.client_supports("text_document", "diagnostic"))
        opts = params.initialization_options
        if isinstance(opts, dict) and SECTION in opts:
            ls.apply_settings(opts[SECTION])
        if ls.pull:  # registered before pygls computes the capabilities it answers with
            ls.feature(t.TEXT_DOCUMENT_DIAGNOSTIC, t.DiagnosticOptions(
                identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False))(pull_diagnostics)

    @server.feature(t.INITIALIZED)
    async def initialized(ls: IamLanguageServer, _: t.InitializedParams) -> None:
        await ls.fetch_settings()
        if ls.client_supports("workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [t.FileSystemWatcher(glob_pattern=f"**/{name}") for name in (".iam-lsp.toml", "pyproject.toml")]
            try:
                await ls.client_register_capability_async(t.RegistrationParams(registrations=[t.Registration(
                    id="iam-lsp-config-files", method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=t.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
            except Exception as exc:
                ls.log_message(f"could not watch config files: {exc}", t.MessageType.Warning)
        ls.relint_all()

    @server.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @_safe()
    async def did_change_configuration(ls: IamLanguageServer, params: t.DidChangeConfigurationParams) -> None:
        if ls.client_supports("workspace", "configuration"):
            await ls.fetch_settings()
        elif isinstance(params.settings, dict):
            ls.apply_settings(params.settings.get(SECTION))
        ls.relint_all()

    @server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_safe()
    def did_change_watched_files(ls: IamLanguageServer, params: t.DidChangeWatchedFilesParams) -> None:
        if any(config_file_uri(c.uri) for c in params.changes):
            ls.relint_all()

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    @_safe()
    def did_open(ls: IamLanguageServer, params: t.DidOpenTextDocumentParams) -> None:
        ls.docs.pop(params.text_document.uri, None)
        ls.schedule(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    @_safe()
    def did_change(ls: IamLanguageServer, params: t.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)  # pygls has already applied the change

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    @_safe()
    def did_save(ls: IamLanguageServer, params: t.DidSaveTextDocumentParams) -> None:
        if config_file_uri(params.text_document.uri):
            ls.relint_all()

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    @_safe()
    def did_close(ls: IamLanguageServer, params: t.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @_safe(t.FullDocumentDiagnosticReport(items=[]))
    async def pull_diagnostics(ls: IamLanguageServer, params: t.DocumentDiagnosticParams):
        result = await ls.current_result(params.text_document.uri)
        if result is None:
            return t.FullDocumentDiagnosticReport(items=[])
        result_id = f"{result.version}/{ls.settings_generation}/{id(result)}"
        if params.previous_result_id == result_id:
            return t.UnchangedDocumentDiagnosticReport(result_id=result_id)
        return t.FullDocumentDiagnosticReport(items=result.diagnostics, result_id=result_id)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    @_safe()
    async def hover(ls: IamLanguageServer, params: t.HoverParams) -> t.Hover | None:
        return await _hover(ls, params)

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS))
    @_safe(t.CompletionList(is_incomplete=False, items=[]))
    async def completion(ls: IamLanguageServer, params: t.CompletionParams) -> t.CompletionList:
        return await _completion(ls, params)

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION, t.CodeActionOptions(
        code_action_kinds=[t.CodeActionKind.QuickFix, FIX_ALL_KIND]))
    @_safe([])
    async def code_action(ls: IamLanguageServer, params: t.CodeActionParams) -> list[t.CodeAction]:
        return await _code_actions(ls, params)

    @server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @_safe([])
    async def symbols(ls: IamLanguageServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
        result = await ls.current_result(params.text_document.uri)
        if result is None or result.analysis is None:
            return []
        return [_symbol(s, result.positions) for s in document_symbols(result.analysis.policy)]

    @server.feature(t.TEXT_DOCUMENT_FOLDING_RANGE)
    @_safe([])
    async def folding(ls: IamLanguageServer, params: t.FoldingRangeParams) -> list[t.FoldingRange]:
        result = await ls.current_result(params.text_document.uri)
        if result is None or result.analysis is None:
            return []
        return [t.FoldingRange(start_line=f.start_line, end_line=f.end_line,
                               kind=t.FoldingRangeKind.Comment if f.kind == "comment" else None)
                for f in folding_ranges(result.analysis.tree, result.positions.index)]

    @server.feature(t.TEXT_DOCUMENT_DOCUMENT_LINK)
    @_safe([])
    async def links(ls: IamLanguageServer, params: t.DocumentLinkParams) -> list[t.DocumentLink]:
        result = await ls.current_result(params.text_document.uri)
        if result is None or result.analysis is None:
            return []
        tooltips = bool(ls.client_supports("text_document", "document_link", "tooltip_support"))
        return [t.DocumentLink(range=result.positions.range(lk.span), target=lk.target,
                               tooltip=lk.tooltip if tooltips else None)
                for lk in document_links(result.analysis.policy)]

    @server.feature(t.SHUTDOWN)
    def shutdown(ls: IamLanguageServer, _params) -> None:
        ls.pool.shutdown(wait=False, cancel_futures=True)


# --- hover and completion -------------------------------------------------------------------------


async def _hover(ls: IamLanguageServer, params: t.HoverParams) -> t.Hover | None:
    result = await ls.current_result(params.text_document.uri)
    if result is None or result.analysis is None:
        return None
    try:
        from iam_lsp.core.hover import hover_at
    except ImportError:
        return None
    pos = result.positions
    info = hover_at(pos.text, pos.offset(params.position), analysis=result.analysis, config=result.config.config)
    if info is None:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=info.markdown),
                   range=pos.range(info.span))


async def _completion(ls: IamLanguageServer, params: t.CompletionParams) -> t.CompletionList:
    empty = t.CompletionList(is_incomplete=False, items=[])
    uri = params.text_document.uri
    if not ls.is_open(uri):
        return empty
    try:
        from iam_lsp.core.complete import complete_at
    except ImportError:
        return empty
    # Completion must not wait for diagnostics: use the live text, not the analysed one.
    doc = ls.workspace.get_text_document(uri)
    state = ls.docs.get(uri)
    prev = state.result if state else None
    if prev is not None and prev.analysis is None and prev.version == doc.version:
        return empty  # unrelated JSON
    # The analysed version's positions when the text has not moved on (a line index of a large text costs).
    same = prev is not None and prev.positions.text is doc.source and prev.positions.codec is doc.position_codec
    pos = prev.positions if same else Positions(doc.source, doc.position_codec)
    eff = prev.config if prev is not None else ls.effective_config(_path(uri))
    ptype = prev.analysis.policy_type if prev is not None and prev.analysis is not None else None
    res = complete_at(doc.source, pos.offset(params.position), config=eff.config, policy_type=ptype)
    snippets = bool(ls.client_supports("text_document", "completion", "completion_item", "snippet_support"))
    items = []
    ranges: dict[Span, t.Range] = {}  # most candidates share one replace span
    for c in res.items:
        if c.is_snippet and not snippets:
            continue
        rng = ranges.get(c.replace_span)
        if rng is None:
            rng = ranges[c.replace_span] = pos.range(c.replace_span)
        items.append(t.CompletionItem(
            label=c.label,
            kind=COMPLETION_KINDS.get(c.kind),
            detail=c.detail,
            documentation=t.MarkupContent(kind=t.MarkupKind.Markdown, value=c.documentation) if c.documentation else None,
            text_edit=t.TextEdit(range=rng, new_text=c.insert_text),
            insert_text_format=t.InsertTextFormat.Snippet if c.is_snippet else t.InsertTextFormat.PlainText,
            sort_text=c.sort_text,
            filter_text=c.filter_text,
        ))
    return t.CompletionList(is_incomplete=res.is_incomplete, items=items)


def _path(uri: str) -> str | None:
    return to_fs_path(uri) if uri.startswith("file:") else None


def _symbol(s: Symbol, pos: Positions) -> t.DocumentSymbol:
    return t.DocumentSymbol(
        name=s.name or "(empty)", kind=SYMBOL_KINDS.get(s.kind, t.SymbolKind.Object), range=pos.range(s.span),
        selection_range=pos.range(s.selection), detail=s.detail,
        children=[_symbol(c, pos) for c in s.children] or None)


# --- code actions ---------------------------------------------------------------------------------


def _overlaps(a: Span, b: Span) -> bool:
    return a.start <= b.end and b.start <= a.end


def _findings_for(result: Result, params: t.CodeActionParams) -> list[Finding]:
    assert result.analysis is not None
    findings = result.analysis.findings
    wanted = [d for d in params.context.diagnostics if d.source == SOURCE]
    picked: list[Finding] = []
    for d in wanted:
        data = d.data if isinstance(d.data, dict) else {}
        span = data.get("span")
        for f in findings:
            if f.code != d.code or f in picked:
                continue
            if (isinstance(span, list) and [f.span.start, f.span.end] == span) or result.positions.range(f.span) == d.range:
                picked.append(f)
                break
    if not wanted:
        rng = result.positions.span(params.range)
        picked = [f for f in findings if _overlaps(f.span, rng)]
    return picked


def _text_edit_map(result: Result, uri: str, edits) -> t.WorkspaceEdit:
    pos = result.positions
    return t.WorkspaceEdit(changes={uri: [t.TextEdit(range=pos.range(e.span), new_text=e.new_text) for e in edits]})


async def _code_actions(ls: IamLanguageServer, params: t.CodeActionParams) -> list[t.CodeAction]:
    uri = params.text_document.uri
    result = await ls.current_result(uri)
    if result is None or result.analysis is None:
        return []
    only = params.context.only
    actions: list[t.CodeAction] = []
    want_quickfix = not only or any(k.startswith("quickfix") for k in only)
    if want_quickfix:
        for f in _findings_for(result, params):
            diag = next((d for d in result.diagnostics if d.code == f.code and d.range == result.positions.range(f.span)), None)
            for fix in f.fixes:
                actions.append(t.CodeAction(title=fix.title, kind=t.CodeActionKind.QuickFix,
                                            diagnostics=[diag] if diag else None, is_preferred=fix.preferred,
                                            edit=_text_edit_map(result, uri, fix.edits)))
        actions.extend(_ignore_actions(ls, uri, result, _findings_for(result, params)))
    if not only or any(FIX_ALL_KIND.startswith(k) for k in only):
        fix_all = _fix_all(result, uri)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _fix_all(result: Result, uri: str) -> t.CodeAction | None:
    """Every preferred fix whose edits do not overlap an earlier one's, as one edit."""
    assert result.analysis is not None
    chosen = []
    taken: list[Span] = []
    for f in result.analysis.findings:
        fix = next((x for x in f.fixes if x.preferred), None)
        if fix is None or any(_overlaps(e.span, s) for e in fix.edits for s in taken):
            continue
        chosen.extend(fix.edits)
        taken.extend(e.span for e in fix.edits)
    if not chosen:
        return None
    return t.CodeAction(title="Fix all iam-lsp problems with a preferred fix", kind=FIX_ALL_KIND,
                        edit=_text_edit_map(result, uri, sorted(chosen, key=lambda e: e.span.start)))


def _ignore_actions(ls: IamLanguageServer, uri: str, result: Result, findings: list[Finding]) -> list[t.CodeAction]:
    path = _path(uri)
    if path is None:
        return []
    root = _workspace_root(ls)
    can_create = "create" in (ls.client_supports("workspace", "workspace_edit", "resource_operations") or [])
    out: list[t.CodeAction] = []
    seen: set[tuple] = set()
    for f in findings:
        for sid in ([None, f.sid] if f.sid else [None]):
            key = (f.code, sid)
            if key in seen:
                continue
            seen.add(key)
            edit = _config_edit(ls, f.code, Path(path), sid, root)
            if edit is None or (edit[0].create and not can_create):
                continue
            ce, wedit = edit
            out.append(t.CodeAction(title=ce.title, kind=t.CodeActionKind.QuickFix, edit=wedit, is_preferred=False))
    return out


def _workspace_root(ls: IamLanguageServer) -> Path | None:
    root = ls.workspace.root_path
    return Path(root) if root else None


def _config_edit(ls: IamLanguageServer, code: str, doc: Path, sid: str | None, root: Path | None):
    from iam_lsp.core.config import find_config_file

    target = find_config_file(doc)
    open_text = None
    if target is not None:
        target_uri = from_fs_path(str(target))
        if target_uri and ls.is_open(target_uri):
            open_text = ls.workspace.get_text_document(target_uri).source
    ce = ignore_edit(code, doc, sid=sid, workspace_root=root, config_file=target, config_text=open_text)
    if ce is None:
        return None
    cfg_uri = from_fs_path(str(ce.path))
    old = "" if ce.create else (open_text if open_text is not None else ce.path.read_text(encoding="utf-8"))
    codec = ls.workspace.position_codec
    at = Positions(old, codec).position(ce.offset) if old else t.Position(0, 0)
    text_edit = t.TextEdit(range=t.Range(at, at), new_text=ce.new_text)
    changes: list = []
    if ce.create:
        changes.append(t.CreateFile(uri=cfg_uri, options=t.CreateFileOptions(ignore_if_exists=True)))
    changes.append(t.TextDocumentEdit(text_document=t.OptionalVersionedTextDocumentIdentifier(uri=cfg_uri, version=None),
                                      edits=[text_edit]))
    if ls.client_supports("workspace", "workspace_edit", "document_changes") or ce.create:
        return ce, t.WorkspaceEdit(document_changes=changes)
    return ce, t.WorkspaceEdit(changes={cfg_uri: [text_edit]})


__all__ = ["register"]
