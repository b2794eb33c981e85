"""Config: defaults without pydantic, values validated by pydantic, and the two kept in step."""

from __future__ import annotations

import pytest

from iam_lsp.core.config import Config, Ignore, load_config_file
from iam_lsp.core.config_model import ConfigModel
from iam_lsp.core.findings import Severity
from iam_lsp.core.policytype import PolicyType
from tests.processes import assert_not_loaded, run_python


def test_default_config_and_one_file_lint_never_import_pydantic(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    run_python(
        "from iam_lsp.cli.main import main\n"
        f"code = main(['lint', '--no-cache', {str(policy)!r}])\n"
        "assert code == 1, code\n"
        + assert_not_loaded("pydantic", "pydantic_core"),
        cwd=tmp_path,
    )


def test_values_are_validated_and_converted():
    cfg = Config(**{"severity": {"IAM101": "error"}, "policy-types": {"trust/*.json": "trust"}, "max-size": 50,
                    "ignores": [{"path": "a.json", "rules": ["IAM1"]}], "select": ["IAM1"]})
    assert cfg.severity == {"IAM101": Severity.ERROR}
    assert cfg.policy_types == {"trust/*.json": PolicyType.TRUST}
    assert cfg.max_size == 50
    assert cfg.ignores == [Ignore("a.json", ["IAM1"], None)]
    assert cfg.fields_set == {"severity", "policy_types", "max_size", "ignores", "select"}
    assert cfg.include == ["*.json"]  # not given: the default


def test_field_names_work_as_well_as_the_files_spelling():
    assert Config(max_size=7).max_size == Config(**{"max-size": 7}).max_size == 7


@pytest.mark.parametrize("values, field", [
    ({"severity": {"IAM101": "loud"}}, "'loud' is not a valid Severity"),
    ({"max-size": "big"}, "max-size"),
    ({"selct": ["IAM1"]}, "selct"),
    ({"ignores": [{"paths": "x"}]}, "ignores.0.paths"),
])
def test_bad_values_raise_pydantic_errors_naming_the_field(values, field):
    with pytest.raises(Exception) as info:
        Config(**values)
    assert "validation error for Config" in str(info.value)
    assert field in str(info.value)


def test_config_file_errors_are_readable(tmp_path):
    path = tmp_path / ".iam-lsp.toml"
    path.write_text('max-size = "big"\n')
    with pytest.raises(ValueError, match=r"invalid configuration: 1 validation error for Config\nmax-size"):
        load_config_file(path)


def test_defaults_match_the_pydantic_model():
    model = ConfigModel()
    assert Config().to_dict() == {name: getattr(model, name) for name in ConfigModel.model_fields if name != "root"}
    assert Config().root is model.root is None


def test_root_is_accepted_as_before():
    assert Config(root="/x").root == "/x"


def test_to_dict_round_trips_and_fingerprints_compare_values():
    cfg = Config(**{"disable": ["IAM2"], "ignores": [{"sid": "S1"}], "options": {"IAM800": {"max-characters": 9}}})
    again = Config.from_mapping(cfg.to_dict(by_alias=True))
    assert again == cfg and again.fingerprint() == cfg.fingerprint()
    assert Config().fingerprint() != cfg.fingerprint()
    assert Config() == Config() and Config() != cfg


def test_to_dict_returns_copies():
    cfg = Config()
    cfg.to_dict()["include"].append("*.yaml")
    assert cfg.include == ["*.json"]
