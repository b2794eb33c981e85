"""The results cache of `iam-lsp lint`: hits give exactly the fresh output; anything that can change a
file's findings is a miss; a broken or unwritable cache never fails the lint."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

import iam_lsp
from iam_lsp.cli import cache as cache_mod
from iam_lsp.cli import lint
from iam_lsp.cli.main import main
from iam_lsp.core.analyze import analyze as core_analyze
from iam_lsp.core.config import Config
from iam_lsp.core.rules import all_rules
from iam_lsp.core.text import Span

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("text", "json", "sarif", "github")
TYPO = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}\n'
GOOD = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
        '"Resource": "arn:aws:s3:::bucket/*"}]}\n')


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A project: the README examples (findings with fixes and related places), non-ASCII text, a UTF-8
    BOM, a JSON file that is no policy and an unreadable (binary) file. The cwd is the project."""
    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "examples", proj / "examples")
    (proj / "emoji.json").write_text(TYPO.replace('"Effect"', '"Sid": "caf\u00e9\U0001f600", "Effect"'), encoding="utf-8")
    (proj / "bom.json").write_bytes(b"\xef\xbb\xbf" + TYPO.encode())
    (proj / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (proj / "binary.json").write_bytes(b"\x00\x01\x02")
    monkeypatch.chdir(proj)
    monkeypatch.delenv(cache_mod.ENV_DIR, raising=False)
    return proj


@pytest.fixture
def analyses(monkeypatch):
    """Count calls of analyze (in-process lints); a cache hit makes none."""
    calls: list[str] = []

    def counting(text, **kwargs):
        calls.append(kwargs.get("path"))
        return core_analyze(text, **kwargs)

    monkeypatch.setattr(lint, "analyze", counting)
    return calls


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["lint", "--jobs", "1", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def space_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("v*-*.cache"))


def read_space(path: Path) -> tuple[dict, dict]:
    head, _, body = path.read_bytes().partition(b"\n")
    return json.loads(head), json.loads(body)


def space_bytes(head: dict, entries: dict) -> bytes:
    """A well-formed cache file (its body digest right) holding `entries`."""
    body = json.dumps(entries).encode()
    return json.dumps({**head, "body": hashlib.blake2b(body, digest_size=16).hexdigest()}).encode() + b"\n" + body


def test_second_run_hits_and_every_format_is_identical(tree, capsys, analyses):
    for fmt in FORMATS:
        analyses.clear()
        fresh = run(capsys, "--no-cache", "-f", fmt, ".")
        assert fresh[0] == 2  # binary.json cannot be read: the exit code must survive the cache too
        assert len(analyses) == 10  # 8 examples, emoji, bom (package.json is rejected before analysis)
        analyses.clear()
        first = run(capsys, "--cache-dir", "c", "-f", fmt, ".")
        assert len(analyses) == (10 if fmt == FORMATS[0] else 0)
        analyses.clear()
        second = run(capsys, "--cache-dir", "c", "-f", fmt, ".")
        assert analyses == []  # all from the cache
        assert first == fresh and second == fresh
    text = run(capsys, "--cache-dir", "c", ".")[1]
    assert "emoji.json:1:" in text and "bom.json:1:" in text and "1 non-policy JSON file skipped" in text
    assert "binary.json: error:" in text


def test_hits_never_call_the_analyser(tree, capsys, monkeypatch):
    fresh = run(capsys, "--no-cache", "-f", "json", "examples")
    assert run(capsys, "-f", "json", "examples") == fresh

    def fail(text, **kwargs):
        raise AssertionError("analyze called on a cache hit")

    monkeypatch.setattr(lint, "analyze", fail)
    assert run(capsys, "-f", "json", "examples") == fresh


def test_default_folder_in_cwd_with_gitignore(tree, capsys):
    run(capsys, "examples")
    folder = tree / ".iam-lsp-cache"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(space_files(folder)) == 1


def test_env_var_places_the_cache(tree, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(cache_mod.ENV_DIR, str(tmp_path / "elsewhere"))
    run(capsys, "examples")
    assert len(space_files(tmp_path / "elsewhere")) == 1 and not (tree / ".iam-lsp-cache").exists()


def test_no_cache_writes_nothing(tree, capsys):
    run(capsys, "--no-cache", ".")
    run(capsys, "--no-cache", "--cache-dir", "c", ".")
    assert not (tree / ".iam-lsp-cache").exists() and not (tree / "c").exists()


def test_stdin_is_never_cached(tree, capsys, monkeypatch):
    import io
    import sys

    class Stdin:
        buffer = io.BytesIO(TYPO.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    rc, out, _ = run(capsys, "--cache-dir", "c", "--stdin-filename", "x.json", "-")
    assert rc == 1 and "x.json:1:" in out
    assert not (tree / "c").exists()


def test_unreadable_files_are_not_cached(tree, capsys):
    run(capsys, "--cache-dir", "c", ".")
    _, entries = read_space(space_files(tree / "c")[0])
    assert "./binary.json" not in entries
    assert "./emoji.json" in entries
    assert entries["./package.json"][3] is None  # a skipped non-policy file is a cached result


def test_content_change_is_a_miss(tree, capsys, analyses):
    run(capsys, "--cache-dir", "c", ".")
    p = tree / "emoji.json"
    p.write_text(TYPO.replace("GetObjekt", "PutObjekt"), encoding="utf-8")
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))  # an older mtime must not hide the change
    analyses.clear()
    rc, out, _ = run(capsys, "--cache-dir", "c", ".")
    assert analyses == ["./emoji.json"]
    assert "PutObjekt" in out and (rc, out) == run(capsys, "--no-cache", ".")[:2]


def test_path_is_part_of_the_key(tree, capsys, analyses):
    # Same content under another name: detection and config ignores depend on the path.
    (tree / ".iam-lsp.toml").write_text('[[ignores]]\npath = "ignored/*"\nrules = ["IAM103"]\n')
    (tree / "ignored").mkdir()
    (tree / "kept").mkdir()
    (tree / "ignored" / "p.json").write_text(TYPO)
    (tree / "kept" / "p.json").write_text(TYPO)
    rc, out, _ = run(capsys, "--cache-dir", "c", "ignored/p.json")
    assert rc == 0 and "1 suppressed" in out
    analyses.clear()
    rc, out, _ = run(capsys, "--cache-dir", "c", "kept/p.json")
    assert analyses == ["kept/p.json"] and rc == 1 and "IAM103" in out
    analyses.clear()
    assert run(capsys, "--cache-dir", "c", "./kept/p.json")[0] == 1 and analyses == ["./kept/p.json"]


def test_config_change_is_a_miss(tree, capsys, analyses):
    (tree / "typo.json").write_text(TYPO)
    cfg = tree / ".iam-lsp.toml"
    cfg.write_text('disable = ["IAM103"]\n')
    assert run(capsys, "--cache-dir", "c", "typo.json")[0] == 0
    analyses.clear()
    assert run(capsys, "--cache-dir", "c", "typo.json")[0] == 0 and analyses == []
    cfg.write_text('disable = []\n')
    rc, out, _ = run(capsys, "--cache-dir", "c", "typo.json")
    assert rc == 1 and "IAM103" in out and analyses == ["typo.json"]
    analyses.clear()  # command-line rule selection changes the effective config too
    assert run(capsys, "--cache-dir", "c", "--select", "IAM1", "typo.json")[0] == 1 and analyses == ["typo.json"]
    analyses.clear()  # the key is the effective config: --ignore IAM103 now equals the first run's file
    assert run(capsys, "--cache-dir", "c", "--ignore", "IAM103", "typo.json")[0] == 0 and analyses == []


def test_config_file_location_is_part_of_the_key(tree, capsys, analyses):
    # The same config text in another folder matches `path` globs against other relative paths.
    (tree / "a").mkdir()
    (tree / "a" / "p.json").write_text(TYPO)
    text = '[[ignores]]\npath = "a/p.json"\nrules = ["IAM103"]\n'
    (tree / "a" / "cfg.toml").write_text(text)
    (tree / "cfg.toml").write_text(text)
    assert run(capsys, "--cache-dir", "c", "--config", "a/cfg.toml", "a/p.json")[0] == 1
    analyses.clear()
    assert run(capsys, "--cache-dir", "c", "--config", "cfg.toml", "a/p.json")[0] == 0 and analyses == ["a/p.json"]


def test_policy_type_and_all_json_are_part_of_the_key(tree, capsys, analyses):
    run(capsys, "--cache-dir", "c", ".")
    analyses.clear()
    rc, out, _ = run(capsys, "--cache-dir", "c", "--policy-type", "trust", "emoji.json")
    assert analyses == ["emoji.json"] and "trust policy" in out
    assert (rc, out) == run(capsys, "--no-cache", "--policy-type", "trust", "emoji.json")[:2]
    analyses.clear()
    rc, out, _ = run(capsys, "--cache-dir", "c", "--all-json", ".")
    assert "./package.json" in analyses and "non-policy" not in out
    assert (rc, out) == run(capsys, "--no-cache", "--all-json", ".")[:2]


def test_corrupt_cache_is_ignored_and_rewritten(tree, capsys, analyses):
    fresh = run(capsys, "--no-cache", "-f", "json", ".")
    run(capsys, "--cache-dir", "c", "-f", "json", ".")
    (space,) = space_files(tree / "c")
    raw = space.read_bytes()
    head, entries = read_space(space)
    flipped = raw.replace(b"GetObjekt", b"GetObjekX", 1)  # one changed byte in the body: digest mismatch
    malformed = space_bytes(head, {p: [e[0], "", e[2], ["x", 1]] for p, e in entries.items()})
    wrong_types = space_bytes(head, {p: [e[0], "", e[2], [1, 2, 3, 4, [[None] * 12]]] for p, e in entries.items()})
    assert flipped != raw
    for damage in (b"\x00garbage{", b"[]", raw[:len(raw) // 2], flipped, malformed, wrong_types):
        space.write_bytes(damage)
        analyses.clear()
        assert run(capsys, "--cache-dir", "c", "-f", "json", ".") == fresh
        assert len(analyses) == 10
        assert read_space(space)[1].keys() == entries.keys()


def test_unwritable_cache_never_fails_the_lint(tree, capsys):
    (tree / "c").write_text("a file where the folder should be")
    fresh = run(capsys, "--no-cache", ".")
    rc, out, err = run(capsys, "--cache-dir", "c", ".")
    assert (rc, out) == fresh[:2]
    assert err.count("results cache not written") == 1


def test_parallel_run_then_few_misses_in_process(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in range(lint.PARALLEL_MIN_FILES + 10):
        (tmp_path / f"p{i:03}.json").write_text(TYPO if i % 2 else GOOD)
    fresh = run(capsys, "--no-cache", "-f", "json", ".")
    assert main(["lint", "--jobs", "2", "--cache-dir", "c", "-f", "json", "."]) == fresh[0]  # workers
    assert capsys.readouterr().out == fresh[1]
    for i in (1, 2, 3):
        (tmp_path / f"p{i:03}.json").write_text(TYPO.replace("GetObjekt", f"GetObjekt{i}"))
    calls: list[str] = []
    real = lint.analyze
    monkeypatch.setattr(lint, "analyze", lambda text, **kw: calls.append(kw.get("path")) or real(text, **kw))
    # Three misses must not start workers (lint imports the pool from here when a batch needs it).
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", None)
    assert main(["lint", "--jobs", "2", "--cache-dir", "c", "-f", "json", "."]) == 1
    out = capsys.readouterr().out
    assert sorted(calls) == ["./p001.json", "./p002.json", "./p003.json"]
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert out == run(capsys, "--no-cache", "-f", "json", ".")[1]


def test_old_key_spaces_are_pruned_and_other_files_kept(tree, capsys):
    folder = tree / "c"
    folder.mkdir()
    old = [folder / f"v1-{i:032x}.cache" for i in range(12)]
    for i, p in enumerate(old):
        p.write_text("{}")
        os.utime(p, (1_000_000 + i, 1_000_000 + i) if i < 4 else None)  # four unused for decades
    (folder / "notes.json").write_text("mine")
    (folder / "v1-mine.cache").write_text("mine")
    run(capsys, "--cache-dir", "c", "examples")
    kept = space_files(folder)
    assert len([p for p in kept if p.name != "v1-mine.cache"]) == cache_mod.MAX_FILES
    assert not any(p.exists() for p in old[:4])
    assert (folder / "notes.json").read_text() == "mine" and (folder / "v1-mine.cache").exists()


def test_every_rule_example_round_trips():
    """Findings read back from the cache equal fresh ones, with fixes, related places and data."""
    cfg = Config()
    seen = {"fixes": 0, "related": 0, "data": 0}
    for r in all_rules():
        for text in (r.bad, r.good):
            a = core_analyze(text, path="x.json", config=cfg, policy_type=r.example_type)
            report = lint.FileReport("x.json", text, a.detection.type.value, a.detection.source,
                                     a.detection.resource_kind, a.findings, a.suppressed)
            payload = json.loads(json.dumps(cache_mod.encode_result(report)))
            back = cache_mod.decode_result(payload, "x.json", text)
            assert back.findings == report.findings, r.code
            assert (back.policy_type, back.type_source, back.resource_kind, back.suppressed) == (
                report.policy_type, report.type_source, report.resource_kind, report.suppressed)
            seen["fixes"] += sum(bool(f.fixes) for f in back.findings)
            seen["related"] += sum(bool(f.related) for f in back.findings)
            seen["data"] += sum(any(isinstance(v, Span) for v in f.data.values()) for f in back.findings)
    assert all(seen.values()), seen


def test_code_fingerprint_follows_source_edits(tmp_path, monkeypatch):
    pkg = tmp_path / "iam_lsp"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    mod = pkg / "core" / "rule.py"
    mod.write_text("X = 1\n")
    monkeypatch.setattr(iam_lsp, "__file__", str(pkg / "__init__.py"))
    cache_mod.code_fingerprint.cache_clear()
    try:
        before = cache_mod.code_fingerprint()
        mod.write_text("X = 2\n")  # same size: the mtime tells
        os.utime(mod, ns=(mod.stat().st_atime_ns, mod.stat().st_mtime_ns + 10**9))
        cache_mod.code_fingerprint.cache_clear()
        assert cache_mod.code_fingerprint() != before
    finally:
        cache_mod.code_fingerprint.cache_clear()
