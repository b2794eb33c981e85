"""Batch mode against hostile file systems (extends tests/cli/test_lint_cli.py, which covers binary,
non-UTF-8, a directory named x.json inside a folder, symlink loops and dangling links)."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys

import pytest

from iam_lsp.cli import lint
from iam_lsp.cli.files import FileProblem
from iam_lsp.cli.main import main

GOOD = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n'


def run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", "lint", "--no-config", *args],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_fifo_socket_and_named_directory_get_per_file_errors(tmp_path):
    (tmp_path / "good.json").write_text(GOOD)
    os.mkfifo(tmp_path / "fifo.json")  # opening it for reading would block forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.json"))
    (tmp_path / "x.json").mkdir()
    try:
        code, out, err = run(str(tmp_path / "fifo.json"), str(tmp_path / "sock.json"), str(tmp_path / "x.json"),
                             str(tmp_path / "good.json"))
    finally:
        sock.close()
    assert code == 2
    assert "fifo.json: error: not a regular file" in out
    assert "sock.json: error: " in out
    assert "Checked 1 file" in out
    assert "Traceback" not in out + err


def test_explicit_symlink_loop_and_binary_named_on_the_command_line(tmp_path):
    os.symlink(tmp_path / "a.json", tmp_path / "b.json")
    os.symlink(tmp_path / "b.json", tmp_path / "a.json")
    (tmp_path / "bin.json").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "ok.json").write_text(GOOD)
    code, out, err = run(str(tmp_path / "a.json"), str(tmp_path / "bin.json"), str(tmp_path / "ok.json"))
    assert code == 2
    assert "a.json: error: symbolic link loop" in out
    assert "bin.json: error: binary file" in out
    assert "Checked 1 file" in out
    assert "Traceback" not in out + err


def test_file_vanishing_during_the_run(tmp_path, monkeypatch, capsys):
    for i in range(20):
        (tmp_path / f"p{i:02}.json").write_text(GOOD)
    real = lint.read_text
    seen: list[str] = []

    def read_then_delete_the_next(path: str, max_chars: int) -> str:
        # Race-free simulation: each read deletes the next file before the linter gets to it.
        seen.append(path)
        i = int(path[-7:-5])
        nxt = tmp_path / f"p{i + 1:02}.json"
        if i % 2 == 0 and nxt.exists():
            nxt.unlink()
        return real(path, max_chars)

    monkeypatch.setattr(lint, "read_text", read_then_delete_the_next)
    assert main(["lint", "--no-config", "--jobs", "1", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert out.count("error: no such file or directory") == 10
    assert "Checked 10 files" in out


def test_permission_error_while_reading_is_a_clear_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.json").write_text(GOOD)
    (tmp_path / "b.json").write_text(GOOD)
    real_open = open

    def deny_a(path, *args, **kwargs):
        if str(path).endswith("a.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny_a)
    assert main(["lint", "--no-config", "--jobs", "1", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "a.json: error: permission denied" in out
    assert "Checked 1 file" in out


def test_decode_errors_name_the_byte():
    from iam_lsp.cli.files import decode

    with pytest.raises(FileProblem, match="invalid byte 0xff at offset 3"):
        decode(b'{"a\xff"}')
    with pytest.raises(FileProblem, match="not valid UTF-16"):
        decode(b"\xff\xfe" + b"\x00\xd8")  # a UTF-16 BOM, then a lone surrogate


def test_lint_never_writes_anything_it_reads(tmp_path):
    (tmp_path / "sub").mkdir()
    files = {tmp_path / "a.json": GOOD, tmp_path / "sub" / "b.json": GOOD.replace("GetObject", "GetObjekt"),
             tmp_path / "c.json": '{"Statement": [{"Effect": "Allow",,}]}'}
    for p, text in files.items():
        p.write_text(text)
    os.chmod(tmp_path / "a.json", 0o444)

    def snapshot():
        return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_mode)
                for p in sorted(tmp_path.rglob("*")) if p.is_file()}

    before = snapshot()
    for fmt in ("text", "json", "sarif", "github"):
        run("-f", fmt, str(tmp_path))
    assert snapshot() == before
