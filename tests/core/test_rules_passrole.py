"""PassRole and service-linked-role rules (IAM6xx): exact spans, variants, edge cases."""

from __future__ import annotations

import json

from policy_helpers import doc

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.findings import Severity


def run(text: str, code: str, ptype=None):
    res = analyze(text, config=Config(select=[code]), policy_type=ptype)
    return [f for f in res.findings if f.code == code]


def tokens(text: str, findings) -> list[str]:
    return [text[f.span.start:f.span.end] for f in findings]


ALLOW = {"Effect": "Allow"}


def test_passrole_star_resource_points_at_star_and_relates_action():
    text = doc({**ALLOW, "Action": ["s3:GetObject", "iam:PassRole"], "Resource": ["arn:aws:s3:::b/*", "*"]})
    [f] = run(text, "IAM600")
    assert text[f.span.start:f.span.end] == '"*"'
    assert f.severity is Severity.SECURITY
    assert [text[r.span.start:r.span.end] for r in f.related] == ['"iam:PassRole"']


def test_passrole_case_insensitive_and_role_wildcard_arn():
    text = doc({**ALLOW, "Action": "IAM:passrole", "Resource": "arn:aws:iam::*:role/*"})
    assert tokens(text, run(text, "IAM600")) == ['"arn:aws:iam::*:role/*"']


def test_passrole_scoped_role_path_and_passed_to_service_are_quiet():
    scoped = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/service-role/*"})
    cond = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:passedtoservice": "ec2.amazonaws.com"}}})
    deny = doc({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"})
    for text in (scoped, cond, deny):
        assert run(text, "IAM600") == []


def test_passrole_single_object_statement():
    text = json.dumps({"Version": "2012-10-17", "Statement": {**ALLOW, "Action": "iam:PassRole", "Resource": "*"}})
    assert tokens(text, run(text, "IAM600")) == ['"*"']


def test_wildcard_action_variants():
    for action in ("*", "iam:*", "iam:Pass*", "iam:P?ssRole"):
        text = doc({**ALLOW, "Action": action, "Resource": "*"})
        assert tokens(text, run(text, "IAM601")) == [json.dumps(action)], action
        assert run(text, "IAM600") == []
    other = doc({**ALLOW, "Action": "iam:Get*", "Resource": "*"})
    assert run(other, "IAM601") == []


def test_notaction_star_resource_points_at_notaction_key():
    text = doc({**ALLOW, "NotAction": ["s3:*"], "Resource": "*"})
    [f] = run(text, "IAM602")
    assert text[f.span.start:f.span.end] == '"NotAction"'
    assert text[f.related[0].span.start:f.related[0].span.end] == '"*"'
    excluded = doc({**ALLOW, "NotAction": ["iam:Pass*"], "Resource": "*"})
    assert run(excluded, "IAM602") == []


def test_not_resource_variants():
    nr = {"NotResource": "arn:aws:iam::111122223333:role/admin"}
    t3 = doc({**ALLOW, "Action": "iam:PassRole", **nr})
    assert tokens(t3, run(t3, "IAM603")) == ['"NotResource"']
    t4 = doc({**ALLOW, "Action": "iam:*", **nr})
    assert tokens(t4, run(t4, "IAM604")) == ['"iam:*"']
    assert run(t4, "IAM603") == []
    t5 = doc({**ALLOW, "NotAction": "s3:*", **nr})
    assert tokens(t5, run(t5, "IAM605")) == ['"NotAction"']
    assert run(t5, "IAM602") == []


def test_missing_passed_to_service_on_specific_roles():
    text = doc({**ALLOW, "Action": ["iam:GetRole", "iam:PassRole"], "Resource": "arn:aws:iam::111122223333:role/app"})
    [f] = run(text, "IAM606")
    assert text[f.span.start:f.span.end] == '"iam:PassRole"'
    # On all roles, IAM600 reports instead; with the condition (any operator) nothing is reported.
    star = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "*"})
    assert run(star, "IAM606") == []
    like = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app",
                "Condition": {"StringLikeIfExists": {"iam:PassedToService": "*.amazonaws.com"}}})
    assert run(like, "IAM606") == []


def test_associated_resource_arn_hint_is_off_by_default():
    text = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app",
                "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}})
    assert [f for f in analyze(text).findings if f.code == "IAM607"] == []
    [f] = run(text, "IAM607")
    assert f.severity is Severity.SUGGESTION and text[f.span.start:f.span.end] == '"iam:PassRole"'


def test_passed_to_service_typo_gets_fix():
    text = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app",
                "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "lamda.amazonaws.com"]}}})
    [f] = run(text, "IAM608")
    assert text[f.span.start:f.span.end] == '"lamda.amazonaws.com"'
    assert f.severity is Severity.WARNING
    assert "lambda.amazonaws.com" in f.message
    edit = f.fixes[0].edits[0]
    assert text[:edit.span.start] + edit.new_text + text[edit.span.end:] == text.replace("lamda", "lambda")


def test_passed_to_service_unknown_far_is_suggestion_and_known_forms_quiet():
    far = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "*",
               "Condition": {"StringEquals": {"iam:PassedToService": "zzqxv.example.org"}}})
    [f] = run(far, "IAM608")
    assert f.severity is Severity.SUGGESTION and f.fixes == ()
    quiet = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {"StringLike": {"iam:PassedToService": ["*.amazonaws.com", "${aws:username}"]},
                               "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com.cn",
                                                                          "logs.us-east-1.amazonaws.com"]}}})
    assert run(quiet, "IAM608") == []


def test_passrole_escalation_relates_the_run_actions():
    text = doc({**ALLOW, "Action": "iam:PassRole", "Resource": "*"},
               {**ALLOW, "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"})
    [f] = run(text, "IAM609")
    assert text[f.span.start:f.span.end] == '"iam:PassRole"'
    rel = sorted(text[r.span.start:r.span.end] for r in f.related)
    assert rel == ['"lambda:CreateFunction"', '"lambda:InvokeFunction"']
    assert "PassExistingRoleToNewLambdaThenInvoke" in f.message


def test_passrole_escalation_needs_every_action_and_respects_deny():
    partial = doc({**ALLOW, "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"})
    assert run(partial, "IAM609") == []
    wildcard = doc({**ALLOW, "Action": ["iam:PassRole", "ec2:Run*"], "Resource": "*"})
    [f] = run(wildcard, "IAM609")
    assert text_of(wildcard, f.related[0]) == '"ec2:Run*"'
    denied = doc({**ALLOW, "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
                 {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"})
    assert run(denied, "IAM609") == []


def text_of(text, rel):
    return text[rel.span.start:rel.span.end]


def test_create_slr_variants_and_condition():
    t0 = doc({**ALLOW, "Action": "iam:CreateServiceLinkedRole", "Resource": "*"})
    [f] = run(t0, "IAM620")
    assert text_of(t0, f) == '"*"' and f.severity is Severity.WARNING
    scoped = doc({**ALLOW, "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
                  "Condition": {"StringLike": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.com"}}})
    assert run(scoped, "IAM620") == []
    one_role = doc({**ALLOW, "Action": "iam:CreateServiceLinkedRole",
                    "Resource": "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"})
    assert run(one_role, "IAM620") == []
    t1 = doc({**ALLOW, "Action": "iam:Create*", "Resource": "*"})
    assert tokens(t1, run(t1, "IAM621")) == ['"iam:Create*"']
    t2 = doc({**ALLOW, "NotAction": "s3:*", "Resource": "*"})
    assert tokens(t2, run(t2, "IAM622")) == ['"NotAction"']
    nr = {"NotResource": "arn:aws:iam::111122223333:role/x"}
    t3 = doc({**ALLOW, "Action": "iam:CreateServiceLinkedRole", **nr})
    assert tokens(t3, run(t3, "IAM623")) == ['"NotResource"']
    t4 = doc({**ALLOW, "Action": "*", **nr})
    assert tokens(t4, run(t4, "IAM624")) == ['"*"']
    t5 = doc({**ALLOW, "NotAction": "s3:*", **nr})
    assert tokens(t5, run(t5, "IAM625")) == ['"NotAction"']


def test_aws_service_name_typo():
    text = doc({**ALLOW, "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.con"}}})
    [f] = run(text, "IAM626")
    assert text_of(text, f) == '"elasticbeanstalk.amazonaws.con"'
    assert f.fixes and f.fixes[0].edits[0].new_text == '"elasticbeanstalk.amazonaws.com"'


def test_passrole_rules_do_not_apply_to_scp():
    text = doc({**ALLOW, "Action": "*", "Resource": "*"})
    res = analyze(text, config=Config(select=["IAM6"]), policy_type="scp")
    assert [f for f in res.findings if f.code.startswith("IAM6")] == []


def test_rules_sharing_the_per_document_variants_report_as_when_run_alone():
    # IAM600-IAM605 and IAM620-IAM625 share one computed list of variants per action: running them
    # together must give each the findings it gives alone.
    text = doc({**ALLOW, "Action": ["iam:PassRole", "iam:Pass*", "iam:CreateServiceLinkedRole"], "Resource": "*"},
               {**ALLOW, "NotAction": "s3:*", "Resource": "arn:aws:iam::*:role/*"},
               {**ALLOW, "Action": "iam:*", "NotResource": "arn:aws:iam::111122223333:role/admin"},
               {**ALLOW, "NotAction": "s3:*", "NotResource": "arn:aws:iam::111122223333:role/admin"},
               {**ALLOW, "Action": "iam:PassRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}})
    together = analyze(text, config=Config(select=["IAM6"])).findings
    codes = sorted({f.code for f in together})
    assert {"IAM600", "IAM601", "IAM602", "IAM604", "IAM605", "IAM620", "IAM622", "IAM624"} <= set(codes)
    for code in codes:
        alone = [(f.span, f.message, f.related) for f in run(text, code)]
        assert [(f.span, f.message, f.related) for f in together if f.code == code] == alone, code
    assert tokens(text, [f for f in together if f.code == "IAM601"]) == ['"iam:Pass*"']
    assert tokens(text, [f for f in together if f.code == "IAM604"]) == ['"iam:*"']
