"""The start-up cache of the code dataclasses, attrs and cattrs generate (iam_lsp/codecache.py)."""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import attr
import pytest
from attr import _make

from iam_lsp import codecache


def _define_classes() -> list[type]:
    """A few attrs classes of the shapes lsprotocol uses (slotted, frozen, with defaults)."""

    @attr.define
    class Position:
        line: int
        character: int = 0

    @attr.frozen
    class Range:
        start: Position
        end: Position

    @attr.define(kw_only=True)
    class Params:
        uri: str
        version: int | None = None

    return [Position, Range, Params]


def _exercise(classes: list[type]) -> list[str]:
    position, rng, params = classes
    a, b = position(1, 2), position(line=3)
    return [repr(rng(a, b)), repr(params(uri="file:///x", version=4)), str(a == position(1, 2)), str(a == b)]


def _fill(cache: codecache.CodeCache, *sources: str) -> None:
    """Compile the sources, plus enough others that save() writes the file."""
    for i in range(codecache._FEW_MISSES + 1):
        cache.code(f"filler = {i}\n", "<filler>", "exec")
    for source in sources:
        cache.code(source, "<a>", "exec")


@pytest.fixture(autouse=True)
def no_session_left_behind():
    yield
    for purpose in ("server", "cli"):  # a test that failed half-way must not leave shims behind
        codecache.finish(purpose)
    assert "compile" not in vars(_make) and "exec" not in vars(dataclasses)


@pytest.fixture
def cache_file(tmp_path: Path) -> Path:
    return tmp_path / "attrs-code.marshal"


def test_compiles_once_then_serves_the_same_code_from_the_file(cache_file: Path) -> None:
    first = codecache.CodeCache(cache_file)
    first.install(_make)
    try:
        expected = _exercise(_define_classes())
    finally:
        first.uninstall()
    assert first.misses > 0 and not first.known
    _fill(first)
    first.save()
    assert cache_file.exists()

    second = codecache.CodeCache(cache_file)
    assert set(second.known) == set(first.used)  # (one process: the same hash salt)
    second.install(_make)
    try:
        assert _exercise(_define_classes()) == expected
    finally:
        second.uninstall()
    assert second.misses == 0
    assert "compile" not in vars(_make)  # uninstalled: attrs uses the builtin again


def test_cached_code_equals_what_compile_makes(cache_file: Path) -> None:
    cache = codecache.CodeCache(cache_file)
    source = "def __init__(self, a):\n    self.a = a\n"
    made = cache.code(source, "<attrs generated init x.Y>", "exec")
    _fill(cache)
    cache.save()
    again = codecache.CodeCache(cache_file).code(source, "<attrs generated init x.Y>", "exec")
    plain = compile(source, "<attrs generated init x.Y>", "exec")
    assert made.co_code == again.co_code == plain.co_code
    assert again.co_consts[0].co_code == plain.co_consts[0].co_code


def test_a_different_source_or_file_name_is_a_miss(cache_file: Path) -> None:
    cache = codecache.CodeCache(cache_file)
    _fill(cache, "x = 1\n")
    cache.save()
    reloaded = codecache.CodeCache(cache_file)
    reloaded.code("x = 2\n", "<a>", "exec")
    reloaded.code("x = 1\n", "<b>", "exec")
    assert reloaded.misses == 2
    assert reloaded.code("x = 1\n", "<a>", "exec").co_consts == (1, None)


def test_only_entries_still_used_are_saved(cache_file: Path) -> None:
    cache = codecache.CodeCache(cache_file)
    _fill(cache, "old = 1\n")
    cache.save()
    newer = codecache.CodeCache(cache_file)
    for i in range(codecache._FEW_MISSES + 1):
        newer.code(f"new = {i}\n", "<a>", "exec")
    newer.save()
    assert len(codecache.CodeCache(cache_file).known) == codecache._FEW_MISSES + 1


def test_a_few_misses_do_not_rewrite_the_file(cache_file: Path) -> None:
    cache = codecache.CodeCache(cache_file)
    _fill(cache)
    cache.save()
    mtime = cache_file.stat().st_mtime_ns
    again = codecache.CodeCache(cache_file)
    _fill(again, "hash_salted = 12345\n")
    again.save()
    assert again.misses == 1 and cache_file.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("content", [b"", b"not marshal data", marshal.dumps({"key": "not code"}),
                                     marshal.dumps([1, 2, 3]), b"\xe3" + b"\x00" * 64])
def test_a_damaged_file_is_ignored(cache_file: Path, content: bytes) -> None:
    cache_file.write_bytes(content)
    cache = codecache.CodeCache(cache_file)
    assert cache.known == {}
    assert cache.code("y = 1\n", "<a>", "exec").co_consts == (1, None)


def test_an_unwritable_folder_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = codecache.CodeCache(blocker / "sub" / "attrs-code.marshal")
    cache.code("z = 1\n", "<a>", "exec")
    cache.save()  # no exception
    assert not (blocker / "sub").exists()


def test_calls_of_another_shape_go_to_the_builtin(cache_file: Path) -> None:
    cache = codecache.CodeCache(cache_file)
    code = cache.compile_shim()("1 + 1", "<expr>", "eval", 0, dont_inherit=True)
    assert eval(code) == 2 and cache.misses == 0 and not cache.used


def test_environment_variable_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(codecache.DISABLE_ENV, "1")
    assert codecache.start("server", codecache.SERVER_MODULES) is None
    assert "compile" not in vars(_make) and "exec" not in vars(dataclasses)


def test_start_installs_into_attrs_and_finish_removes_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(codecache.DISABLE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = codecache.start("server", codecache.SERVER_MODULES)
    assert cache is not None
    import cattrs.gen

    assert callable(vars(_make).get("compile")) and callable(vars(cattrs.gen).get("compile"))
    assert callable(vars(dataclasses).get("exec"))
    try:
        _exercise(_define_classes())
        _fill(cache)
    finally:
        codecache.finish("server")
    assert "compile" not in vars(_make) and "compile" not in vars(cattrs.gen) and "exec" not in vars(dataclasses)
    assert cache.path.parent == tmp_path / "iam-lsp" and cache.path.exists()
    assert "server" in cache.path.name


def test_pause_and_resume_keep_one_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(codecache.DISABLE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = codecache.start("cli", codecache.CLI_MODULES)
    assert cache is not None and codecache.start("cli", codecache.CLI_MODULES) is None  # one per process
    codecache.pause("cli")
    assert "exec" not in vars(dataclasses)
    codecache.resume("cli")
    assert vars(dataclasses)["exec"] is cache._installed[0][2]

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    assert cache.misses > 0 and Point(1) == Point(1, 0) and repr(Point(2, 3)).endswith("Point(x=2, y=3)")
    codecache.finish("cli")
    assert "exec" not in vars(dataclasses)
    codecache.resume("cli")  # no session any more: nothing to put back
    assert "exec" not in vars(dataclasses)


def test_dataclasses_built_through_the_cache_equal_plain_ones(tmp_path: Path) -> None:
    def define() -> list[type]:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Span:
            start: int
            end: int = 0

        @dataclasses.dataclass(order=True)
        class Item:
            name: str
            tags: list[str] = dataclasses.field(default_factory=list)

        return [Span, Item]

    plain = define()
    for round_ in range(2):  # compiled and saved, then served from the file
        cache = codecache.CodeCache(tmp_path / "code.marshal")
        cache.install(dataclasses, "exec")
        try:
            cached = define()
        finally:
            cache.uninstall()
        assert (cache.misses > 0) == (round_ == 0)
        _fill(cache)
        cache.save()
        for a, b in zip(plain, cached, strict=True):
            for method in ("__init__", "__repr__", "__eq__"):
                ca, cb = getattr(a, method).__code__, getattr(b, method).__code__
                assert ca.co_code == cb.co_code and ca.co_flags == cb.co_flags and ca.co_consts == cb.co_consts
        span, item = cached
        assert span(1) == span(1, 0) and hash(span(1, 2)) == hash(span(1, 2)) and item("a") < item("b")
        with pytest.raises(dataclasses.FrozenInstanceError):
            span(1).start = 2  # type: ignore[misc]


def test_the_exec_shim_runs_in_the_callers_namespace_without_globals() -> None:
    run = codecache.CodeCache(Path("/nonexistent/never-written.marshal")).exec_shim()
    marker = "local"  # noqa: F841 - read by the executed source
    out: dict = {}
    run("out['seen'] = marker")
    assert out == {"seen": "local"}
    namespace: dict = {}
    run("x = 6 * 7", namespace)
    assert namespace["x"] == 42


SERVE_ONCE = """
import json
import attrs
import iam_lsp.lsp  # starts the cache, imports lsprotocol through the server, pauses the cache
from iam_lsp import codecache
from iam_lsp.core.analyze import analyze
from iam_lsp.lsp.server import WARM_UP_POLICY, create_server, warm_up
from lsprotocol import types as t
codecache.resume("server")  # as run() does: the rules' dataclasses and cattrs' converters, until the warm-up ends
server = create_server()
warm_up(server)
r = t.Range(t.Position(0, 0), t.Position(0, 1))
d = t.Diagnostic(range=r, message="m", code="IAM001", severity=t.DiagnosticSeverity.Error)
print(json.dumps({"repr": [repr(r), repr(d), repr(t.InitializeParams(capabilities=t.ClientCapabilities()))],
                  "findings": [repr(f) for f in analyze(WARM_UP_POLICY).findings],
                  "wire": server.protocol._converter.unstructure(t.PublishDiagnosticsParams(uri="file:///a", diagnostics=[d])),
                  "eq": r == t.Range(t.Position(0, 0), t.Position(0, 1)), "ne": r != t.Range(t.Position(0, 0), t.Position(1, 1)),
                  "fields": [f.name for f in attrs.fields(t.CompletionItem)]}))
"""


def test_the_server_package_starts_the_same_with_and_without_the_file(tmp_path: Path) -> None:
    """The real thing: lsprotocol's ~570 classes and the rules' dataclasses, compiled without the cache,
    then compiled and saved, then served from the file: the classes behave the same each time."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop(codecache.DISABLE_ENV, None)

    def serve(**extra: str) -> dict:
        run = subprocess.run([sys.executable, "-c", SERVE_ONCE], env={**env, **extra}, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    plain = serve(**{codecache.DISABLE_ENV: "1"})
    assert not list(tmp_path.glob("iam-lsp/startup-code-*"))
    assert serve() == plain  # compiles and saves
    saved = list((tmp_path / "iam-lsp").glob("startup-code-server-*.marshal"))
    assert len(saved) == 1 and len(codecache.CodeCache(saved[0]).known) > 700
    assert plain["findings"] and plain["wire"]["diagnostics"][0]["code"] == "IAM001"
    mtime = saved[0].stat().st_mtime_ns
    assert serve() == plain  # served from the file
    assert saved[0].stat().st_mtime_ns == mtime  # nothing new: not rewritten
    assert plain["eq"] and plain["ne"] and "label" in plain["fields"]


def test_no_home_folder_starts_without_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(codecache.DISABLE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert codecache.start("server", codecache.SERVER_MODULES) is None
    assert "compile" not in vars(_make) and "exec" not in vars(dataclasses)


def test_cache_folder_follows_the_platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert codecache.cache_dir() == tmp_path / "iam-lsp"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(Path, "home", staticmethod(lambda: tmp_path))
    monkeypatch.setattr(codecache.sys, "platform", "darwin")
    assert codecache.cache_dir() == tmp_path / "Library" / "Caches" / "iam-lsp"
    monkeypatch.setattr(codecache.sys, "platform", "linux")
    assert codecache.cache_dir() == tmp_path / ".cache" / "iam-lsp"


def test_code_is_what_attrs_itself_compiles() -> None:
    """Misses are compiled with attrs' own __future__ flags, not this module's: the generated methods
    of a class built through the cache equal those of the same class built without it."""
    plain = _define_classes()
    cache = codecache.CodeCache(Path("/nonexistent/never-written.marshal"))
    cache.install(_make)
    try:
        cached = _define_classes()
    finally:
        cache.uninstall()
    assert cache.misses > 0
    for a, b in zip(plain, cached, strict=True):
        for method in ("__init__", "__repr__", "__eq__"):
            ca, cb = getattr(a, method).__code__, getattr(b, method).__code__
            assert ca.co_code == cb.co_code and ca.co_flags == cb.co_flags and ca.co_consts == cb.co_consts


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setattr(Path, "home", staticmethod(lambda: tmp_path))
    monkeypatch.setattr(codecache.sys, "platform", "linux")
    assert codecache.cache_dir() == tmp_path / ".cache" / "iam-lsp"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_file_others_can_write_is_not_loaded(cache_file: Path) -> None:
    cache = codecache.CodeCache(cache_file)
    _fill(cache)
    cache.save()
    assert cache_file.stat().st_mode & 0o777 == 0o600
    assert codecache.CodeCache(cache_file).known
    cache_file.chmod(0o620)
    assert codecache.CodeCache(cache_file).known == {}
    cache_file.chmod(0o602)
    assert codecache.CodeCache(cache_file).known == {}


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_the_folder_is_created_private(tmp_path: Path) -> None:
    cache = codecache.CodeCache(tmp_path / "new" / "attrs-code.marshal")
    _fill(cache)
    cache.save()
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_temporaries_of_a_killed_save_are_removed(cache_file: Path) -> None:
    old = cache_file.parent / (codecache._TEMP_PREFIX + "killed")
    old.write_bytes(b"half a file")
    recent = cache_file.parent / (codecache._TEMP_PREFIX + "saving-now")
    recent.write_bytes(b"another server is writing this")
    stale = os.stat(old).st_mtime - codecache._STALE_TEMP_SECONDS - 60
    os.utime(old, (stale, stale))
    cache = codecache.CodeCache(cache_file)
    _fill(cache)
    cache.save()
    assert not old.exists() and recent.exists() and cache_file.exists()


def test_forward_references_compiled_through_the_cache_resolve_the_same(tmp_path: Path) -> None:
    import typing

    cache = codecache.CodeCache(tmp_path / "code.marshal")
    cache.install(typing, "compile")
    try:
        ref = typing.ForwardRef("dict[str, list[int]]")
        with pytest.raises(SyntaxError):
            typing.ForwardRef("not an expression !")
        optional = typing.Optional["list[int]"]  # noqa: UP037, UP045 - what lsprotocol's annotations do
    finally:
        cache.uninstall()
    assert "compile" not in vars(typing) and cache.misses == 2
    assert ref == typing.ForwardRef("dict[str, list[int]]")
    assert ref._evaluate(globals(), None, frozenset()) == dict[str, list[int]]

    def holder(items: optional) -> None: ...  # type: ignore[valid-type]

    holder.__annotations__ = {"items": optional}
    assert typing.get_type_hints(holder) == {"items": typing.Optional[list[int]]}  # noqa: UP045


def test_a_cli_run_in_a_process_with_a_server_session_leaves_it_alone(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    monkeypatch.delenv(codecache.DISABLE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = codecache.start("server", codecache.SERVER_MODULES)
    assert server is not None
    codecache.pause("server")
    assert codecache.start("cli", codecache.CLI_MODULES) is None  # one session a process
    codecache.finish("cli")  # what the CLI does after its run: not its session, nothing happens
    codecache.resume("server")
    assert server._installed and vars(dataclasses)["exec"] is not None
    codecache.finish("server")
    assert not server._installed and "exec" not in vars(dataclasses)




def test_calls_passed_to_the_builtins_keep_the_callers_flags() -> None:
    """The builtins, called from inside the shims, would inherit codecache.py's __future__ flags; the
    shims pass the caller's instead, whatever the call's shape."""
    import __future__

    import ast

    annotations = __future__.annotations.compiler_flag
    cache = codecache.CodeCache(Path("/nonexistent/never-written.marshal"))
    source = "def f(x: undefined_name): pass\n"
    for module_flags, postponed in ((0, False), (annotations, True)):
        compile_ = cache.compile_shim(module_flags)
        for code in (compile_(source, "<m>", "exec"),  # served by the cache
                     compile_(source, "<m>", "exec", 0),  # passed on: extra arguments
                     compile_(ast.parse(source), "<m>", "exec")):  # passed on: not a string
            namespace: dict = {}
            if postponed:
                exec(code, namespace)
            else:
                with pytest.raises(NameError):
                    exec(code, namespace)
        run = cache.exec_shim(module_flags)
        for text in (source, source.encode()):
            namespace = {}
            if postponed:
                run(text, namespace)
            else:
                with pytest.raises(NameError):
                    run(text, namespace)


def test_the_exec_shim_takes_the_builtins_argument_forms() -> None:
    run = codecache.CodeCache(Path("/nonexistent/never-written.marshal")).exec_shim()
    g: dict = {}
    run("a = 1", g)
    loc: dict = {}
    run("b = a + 1", g, loc)
    assert g["a"] == 1 and loc == {"b": 2}
    if sys.version_info >= (3, 13):
        kw: dict = {}
        run("c = 3", globals=kw)
        assert kw["c"] == 3

    def function_scope() -> int:
        x = 1
        run("x = 2")  # as the builtin: a function's variables are not changed
        return x

    assert function_scope() == 1
