"""The knowledge base: lazy per-service loading, lookups, wildcard expansion and did-you-mean."""

from __future__ import annotations

import json

from iam_lsp.core.knowledge import KnowledgeBase, arn_format_regex, knowledge_base, wildcard_match
from tests.processes import run_python


def test_nothing_is_loaded_until_asked():
    kb = KnowledgeBase()
    assert kb._actions == {} and kb._resources == {} and kb._ckeys == {}
    kb.action("s3:GetObject")
    assert list(kb._actions) == ["s3"]  # only the service that was asked for


def test_analysing_s3_policies_loads_only_the_s3_catalogue():
    code = (
        "from iam_lsp.core.analyze import analyze\n"
        "from iam_lsp.core.knowledge import knowledge_base\n"
        "analyze('{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
        "\"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}')\n"
        # on every resource without conditions: the risk rules look for sensitive actions it grants
        "analyze('{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
        "\"Action\": \"s3:*\", \"Resource\": \"*\"}]}')\n"
        "print(sorted(knowledge_base()._actions))\n"
    )
    assert run_python(code).stdout.strip() == "['s3']"


def test_action_lookup_is_case_insensitive_and_complete():
    kb = knowledge_base()
    info = kb.action("IAM:passrole")
    assert info.full_name == "iam:PassRole"
    assert info.access_level == "Write"
    assert set(info.condition_keys) == {"iam:PassedToService", "iam:AssociatedResourceArn"}
    assert [r.name for r in info.resource_types] == ["role"]
    assert kb.action("iam:PassRoles") is None
    assert kb.action("nosuchservice:Thing") is None


def test_wildcard_expansion_matches_iam_semantics():
    kb = knowledge_base()
    got = {a.name for a in kb.expand("s3:Get*")}
    assert "GetObject" in got and "PutObject" not in got
    assert all(n.lower().startswith("get") for n in got)
    assert {a.name for a in kb.expand("s3:?etObject")} == {"GetObject"}
    assert kb.expand("s3:NoSuchThing*") == []
    assert len(kb.expand("iam:*")) == len(kb.actions("iam"))
    assert wildcard_match("iam:Pass*", "IAM:PASSROLE")
    assert not wildcard_match("iam:Pass?", "iam:PassRole")


def test_did_you_mean():
    kb = knowledge_base()
    assert kb.suggest_action("iam", "PassRoles")[0] == "iam:PassRole"
    assert kb.suggest_service("s4") == ["s3"]
    assert kb.suggest_service("lamda")[0] == "lambda"
    assert "aws:SourceAccount" in kb.suggest_condition_key("aws:SourceAcount")


def test_condition_keys_global_service_tag_patterns_and_oidc_claims():
    kb = knowledge_base()
    assert kb.condition_key("aws:sourceip").type == "IPAddress"
    assert kb.condition_key("aws:TagKeys").multivalued
    tag = kb.condition_key("aws:ResourceTag/Environment")
    assert tag.pattern and tag.key == "aws:ResourceTag/${TagKey}"
    assert kb.condition_key("iam:PassedToService").type == "String"
    assert kb.condition_key("SAML:aud") is not None
    gh = kb.condition_key("token.actions.githubusercontent.com:sub")
    assert gh is not None and gh.type == "String"
    assert kb.condition_key("aws:NoSuchKey") is None
    assert kb.condition_key("s3:NoSuchKey") is None


def test_resource_type_formats_match_arns():
    kb = knowledge_base()
    role = kb.resource_type("iam", "role")
    assert role.regex.match("arn:aws:iam::111122223333:role/path/app-role")
    assert not role.regex.match("arn:aws:iam::111122223333:user/alice")
    assert arn_format_regex("arn:${Partition}:s3:::${BucketName}/${ObjectName}").match("arn:aws:s3:::b/k/x.txt")


def test_service_principals_have_status_and_regional_forms():
    kb = knowledge_base()
    assert kb.principal_status("lambda.amazonaws.com") in ("documented", "observed")
    assert kb.principal_status("logs.us-east-1.amazonaws.com") is not None
    assert kb.principal_status("ec2.amazonaws.com.cn") is not None
    assert kb.principal_status("lamda.amazonaws.com") is None
    assert kb.suggest_principal("lamda.amazonaws.com")[0] == "lambda.amazonaws.com"


def test_data_files_say_where_they_come_from():
    from importlib import resources

    for name in ("global-condition-keys.json", "service-principals.json", "risk-actions.json"):
        data = json.loads((resources.files("iam_lsp") / "data" / name).read_text(encoding="utf-8"))
        text = json.dumps(data)[:4000].lower()
        assert "source" in text and ("date" in text or "20" in text), name
