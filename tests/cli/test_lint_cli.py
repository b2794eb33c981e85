"""`iam-lsp lint`: exit codes, formats, stdin, configuration and per-file errors."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import jsonschema
import pytest

from iam_lsp.cli.main import main

GOOD = '{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}\n'
BAD = '{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*",}]}\n'
SARIF_SCHEMA = pathlib.Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "good.json").write_text(GOOD)
    (tmp_path / "bad.json").write_text(BAD)
    (tmp_path / "notes.txt").write_text("not a policy")
    return tmp_path


def run(*args, stdin=None, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "iam_lsp", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_clean_file_exits_zero(tree, capsys):
    assert main(["lint", "--no-config", str(tree / "good.json")]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("0 suggestions")
    assert "Checked 1 file: 0 findings" in out


def test_findings_exit_one_with_location_code_and_type(tree, capsys):
    assert main(["lint", "--no-config", str(tree / "bad.json")]) == 1
    out = capsys.readouterr().out
    col = BAD.index(",}") + 1
    assert f"{tree / 'bad.json'}:1:{col}: IAM010 [error] Trailing comma" in out
    assert "identity policy" in out


def test_fail_level_decides_the_exit_code(tree):
    assert main(["lint", "--no-config", "--select", "IAM010", "--fail-level", "error", str(tree / "bad.json")]) == 1
    assert main(["lint", "--no-config", "--ignore", "IAM010", str(tree / "bad.json")]) in (0, 1)


def test_folder_is_searched_recursively_for_json_only(tree, capsys):
    sub = tree / "nested" / "deeper"
    sub.mkdir(parents=True)
    (sub / "p.json").write_text(GOOD)
    main(["lint", "--no-config", str(tree)])
    out = capsys.readouterr().out
    assert "Checked 3 files" in out


def test_include_and_exclude_globs(tree, capsys):
    main(["lint", "--no-config", "--exclude", "bad.json", str(tree)])
    assert "Checked 1 file" in capsys.readouterr().out


def test_stdin_with_filename(capsys, monkeypatch):
    half_typed_trust = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",}]}'
    code, out, _ = run("lint", "--no-config", "-", "--stdin-filename", "role-trust.json", stdin=half_typed_trust)
    assert code == 1
    assert out.startswith("role-trust.json: trust policy")


def test_json_format(tree):
    code, out, _ = run("lint", "--no-config", "--format", "json", str(tree / "bad.json"))
    assert code == 1
    doc = json.loads(out)
    f = doc["files"][0]["findings"][0]
    assert f["code"] == "IAM010" and f["severity"] == "error"
    assert f["range"]["start"]["offset"] == BAD.index(",}")
    assert doc["files"][0]["policyType"] == "identity"
    assert doc["summary"]["error"] >= 1


def test_sarif_validates_against_the_sarif_2_1_0_schema(tree):
    code, out, _ = run("lint", "--no-config", "--format", "sarif", str(tree))
    assert code == 1
    sarif = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "IAM010"
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == BAD.index(",}") + 1
    assert sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "IAM010"


def test_github_annotations(tree):
    _, out, _ = run("lint", "--no-config", "--format", "github", str(tree / "bad.json"))
    line = out.splitlines()[0]
    assert line.startswith("::error file=")
    assert "title=IAM010 json-syntax::Trailing comma" in line


def test_config_file_disables_rules_and_ignores_by_path(tree, capsys):
    (tree / ".iam-lsp.toml").write_text('disable = []\n[[ignores]]\npath = "bad.json"\nrules = ["IAM010"]\n')
    assert main(["lint", str(tree / "bad.json")]) == 0
    assert "1 suppressed" in capsys.readouterr().out


def test_pyproject_config_is_read(tree, capsys):
    (tree / "pyproject.toml").write_text('[tool.iam-lsp]\ndisable = ["json-syntax"]\n')
    assert main(["lint", str(tree / "bad.json")]) == 0


def test_bad_config_is_a_clear_usage_error(tree, capsys):
    (tree / ".iam-lsp.toml").write_text("disable = 3\n")
    assert main(["lint", str(tree / "bad.json")]) == 2
    assert "invalid configuration" in capsys.readouterr().err


def test_policy_type_override(tree, capsys):
    main(["lint", "--no-config", "--policy-type", "trust", str(tree / "bad.json")])
    assert "trust policy" in capsys.readouterr().out


def test_unreadable_inputs_get_a_clear_error_and_the_rest_is_linted(tmp_path):
    (tmp_path / "good.json").write_text(GOOD)
    (tmp_path / "binary.json").write_bytes(b"\x00\x01\x02{")
    (tmp_path / "latin1.json").write_bytes('{"Sid": "caf\xe9"}'.encode("latin-1"))
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "dir.json" / "inner.json").write_text(GOOD)
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    code, out, _ = run("lint", "--no-config", str(tmp_path), str(tmp_path / "missing.json"))
    assert code == 2
    assert "binary.json: error: binary file" in out
    assert "latin1.json: error: not UTF-8 text" in out
    assert "dangling.json: error: no such file or directory" in out
    assert "missing.json: error: no such file or directory" in out
    assert "Checked 2 files" in out  # good.json and dir.json/inner.json
    assert "Traceback" not in out


def test_utf16_with_bom_is_decoded(tmp_path, capsys):
    (tmp_path / "u16.json").write_bytes(GOOD.encode("utf-16"))
    assert main(["lint", "--no-config", str(tmp_path / "u16.json")]) == 0


def test_huge_file_is_refused_without_reading_it(tmp_path, capsys):
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(50_000_000)
    assert main(["lint", "--no-config", str(big)]) == 2
    assert "file too large" in capsys.readouterr().out


def test_lint_never_writes_to_the_files_it_reads(tree):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tree.iterdir()}
    run("lint", "--no-config", str(tree))
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tree.iterdir()} == before


def test_usage_error_exits_two():
    code, _, err = run("lint", "--format", "xml")
    assert code == 2 and "invalid choice" in err


def test_parallel_batch_gives_the_same_findings_as_serial(tmp_path):
    for i in range(160):  # sizes vary, so the workers' chunks (largest first) do not follow name order
        (tmp_path / f"p{i:03}.json").write_text((BAD if i % 3 == 0 else GOOD) + " " * (i * 37 % 1000))
    _, serial, _ = run("lint", "--no-config", "--jobs", "1", "--format", "json", str(tmp_path))
    _, parallel, _ = run("lint", "--no-config", "--jobs", "2", "--format", "json", str(tmp_path))
    assert json.loads(serial)["files"] == json.loads(parallel)["files"]


def test_rules_and_explain(capsys):
    assert main(["rules"]) == 0
    assert "IAM010  json-syntax" in capsys.readouterr().out
    assert main(["explain", "IAM011"]) == 0
    out = capsys.readouterr().out
    assert "duplicate-key" in out and "Bad:" in out and "Good:" in out and "->" in out
    assert main(["explain", "NOPE999"]) == 2


def test_non_policy_json_is_skipped_unless_asked(tmp_path, capsys):
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "template.json").write_text('{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}')
    (tmp_path / "good.json").write_text(GOOD)
    assert main(["lint", "--no-config", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Checked 1 file" in out and "2 non-policy JSON files skipped" in out
    assert main(["lint", "--no-config", "--all-json", str(tmp_path)]) == 1
    assert "Checked 3 files" in capsys.readouterr().out


def test_balanced_chunks_take_every_file_once_largest_first(tmp_path):
    from iam_lsp.cli import lint

    items = [(f"f{i}", "x" * size) for i, size in enumerate([5, 500, 50, 5000, 0, 5, 50_000, 7] * 40)]
    chunks = lint._balanced_chunks(items, jobs=2)
    flat = [i for chunk in chunks for i in chunk]
    assert sorted(flat) == list(range(len(items)))
    sizes = [len(items[i][1]) for i in flat]
    assert sizes == sorted(sizes, reverse=True)
    assert all(len(chunk) <= lint.CHUNK for chunk in chunks)
    assert len(chunks) >= 2 * lint.CHUNKS_PER_WORKER  # enough chunks for both workers to finish together
    missing = tmp_path / "gone.json"
    assert lint._size(str(missing)) == 0  # a file that vanished costs nothing to plan (its error comes later)
