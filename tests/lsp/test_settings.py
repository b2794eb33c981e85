"""Client settings over the config file: checked values applied as they are, the rest through pydantic."""

from __future__ import annotations

import json
from pathlib import Path

from iam_lsp.core.config import Config
from iam_lsp.core.findings import Severity
from iam_lsp.lsp.settings import ClientSettings, merge, parse_client_settings
from tests.processes import assert_not_loaded, run_python


def _vscode_defaults() -> dict:
    """What VS Code answers to workspace/configuration for the "iamLsp" section when nothing is set: every
    setting of the extension's package.json at its default, nested by the dots of its name."""
    manifest = json.loads((Path(__file__).resolve().parents[2] / "editors" / "vscode" / "package.json").read_text())
    section: dict = {}
    for key, spec in manifest["contributes"]["configuration"]["properties"].items():
        *parents, leaf = key.split(".")[1:]
        node = section
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = spec.get("default")
    return section


VSCODE_DEFAULTS = _vscode_defaults()


def test_merge_without_client_overrides_keeps_the_file_config():
    file_config = Config(include=["policies/*.json"], options={"IAM800": {"max-characters": 9}})
    eff, problems = merge(file_config, ClientSettings())
    assert eff.config == file_config and eff.explicit_include and not problems
    eff.config.options["IAM800"]["max-characters"] = 1  # a copy: the cached file config is untouched
    assert file_config.options == {"IAM800": {"max-characters": 9}}


def test_merge_drops_only_the_bad_override():
    eff, problems = merge(Config(), ClientSettings(overrides={"select": ["IAM1"], "severity": {"IAM101": "loud"}}))
    assert eff.config.select == ["IAM1"] and eff.config.severity == {}
    assert len(problems) == 1 and "'severity'" in problems[0]


def test_checked_overrides_are_applied_without_touching_the_file_config():
    file_config = Config(exclude=["vendor/*"])
    eff, problems = merge(file_config, parse_client_settings({"select": ["IAM1"], "maxSize": 10}))
    assert not problems
    assert eff.config.select == ["IAM1"] and eff.config.max_size == 10 and eff.config.exclude == ["vendor/*"]
    assert file_config.select == [] and file_config.max_size == 2_000_000
    assert eff.config == Config(select=["IAM1"], exclude=["vendor/*"], max_size=10)


def test_map_overrides_still_go_through_pydantic():
    eff, problems = merge(Config(), parse_client_settings({"severity": {"IAM101": "error"}, "maxSize": 10}))
    assert not problems and eff.config.severity == {"IAM101": Severity.ERROR} and eff.config.max_size == 10


def test_vscode_default_settings_apply_without_importing_pydantic():
    run_python(
        "from iam_lsp.core.config import Config\n"
        "from iam_lsp.lsp.settings import merge, parse_client_settings\n"
        f"eff, problems = merge(Config(), parse_client_settings({VSCODE_DEFAULTS!r}))\n"
        "assert not problems and eff.explicit_include and eff.config.include == [], (eff, problems)\n"
        "assert eff.config.select == [] and eff.config.max_size == 2000000\n"
        + assert_not_loaded("pydantic", "pydantic_core")
    )
