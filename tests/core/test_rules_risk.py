"""Security-risk rules (IAM7xx): exact spans, policy types, wildcards and edge cases."""

from __future__ import annotations

import time

from policy_helpers import doc

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.findings import Severity
from iam_lsp.core.rules.risk import risk_data


def run(text: str, code: str, ptype=None):
    res = analyze(text, config=Config(select=[code]), policy_type=ptype)
    return [f for f in res.findings if f.code == code]


def toks(text: str, findings) -> list[str]:
    return [text[f.span.start:f.span.end] for f in findings]


ALLOW = {"Effect": "Allow"}


def test_risk_data_lists_have_sources_and_59_methods():
    data = risk_data()
    assert len(data["privilege_escalation"]["methods"]) == 59
    for key in ("privilege_escalation", "credentials_exposure", "data_exfiltration", "resource_policy_escalation"):
        assert data[key]["source"] and data[key]["date"]


def test_allow_all_actions_vs_admin():
    scoped = doc({**ALLOW, "Action": ["s3:GetObject", "*"], "Resource": "arn:aws:s3:::b/*"})
    assert toks(scoped, run(scoped, "IAM700")) == ['"*"']
    assert run(scoped, "IAM702") == []
    admin = doc({**ALLOW, "Action": "*", "Resource": "*"})
    [f] = run(admin, "IAM702")
    assert toks(admin, [f]) == ['"*"'] and f.severity is Severity.SECURITY
    assert run(admin, "IAM700") == []
    # The default FullAWSAccess SCP and a boundary allowing everything are not grants.
    assert run(admin, "IAM702", "scp") == [] and run(admin, "IAM702", "boundary") == []
    deny = doc({"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert run(deny, "IAM702") == []


def test_service_wildcard_skips_iam_and_conditions():
    text = doc({**ALLOW, "Action": ["S3:*", "iam:*", "ec2:Describe*"], "Resource": "*"})
    [f] = run(text, "IAM701")
    assert toks(text, [f]) == ['"S3:*"'] and f.severity is Severity.SUGGESTION
    assert toks(text, run(text, "IAM703")) == ['"iam:*"']
    cond = doc({**ALLOW, "Action": "s3:*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}})
    assert run(cond, "IAM701") == []


def test_not_action_allow_with_and_without_conditions():
    bare = doc({**ALLOW, "NotAction": ["iam:*"], "Resource": "*"})
    [f] = run(bare, "IAM704")
    assert toks(bare, [f]) == ['"NotAction"'] and "iam:*" in f.message
    assert run(bare, "IAM705") == []
    cond = doc({**ALLOW, "NotAction": "iam:*", "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}})
    assert toks(cond, run(cond, "IAM705")) == ['"NotAction"']
    assert run(cond, "IAM704") == []


def test_not_action_star_grants_nothing():
    text = doc({**ALLOW, "NotAction": ["*"], "Resource": "*"})
    assert toks(text, run(text, "IAM706")) == ['"*"']
    assert run(text, "IAM704") == []


def test_not_action_deny_and_not_resource():
    deny = doc({"Effect": "Deny", "NotAction": ["iam:ChangePassword", "sts:GetSessionToken"], "Resource": "*"})
    [f] = run(deny, "IAM707")
    assert toks(deny, [f]) == ['"NotAction"'] and f.severity is Severity.SUGGESTION
    both = doc({**ALLOW, "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"})
    assert toks(both, run(both, "IAM708")) == ['"NotAction"']


def test_privilege_escalation_single_and_combined_methods():
    single = doc({**ALLOW, "Action": ["iam:GetUser", "iam:createaccesskey"], "Resource": "*"})
    [f] = run(single, "IAM709")
    assert toks(single, [f]) == ['"iam:createaccesskey"'] and "CreateAccessKey" in f.message
    combo = doc({**ALLOW, "Action": "ec2:ModifyInstanceAttribute", "Resource": "*"},
                {**ALLOW, "Action": ["ec2:StopInstances", "ec2:StartInstances"], "Resource": "*"})
    [f] = run(combo, "IAM709")
    assert toks(combo, [f]) == ['"ec2:ModifyInstanceAttribute"']
    assert sorted(combo[r.span.start:r.span.end] for r in f.related) == ['"ec2:StartInstances"', '"ec2:StopInstances"']


def test_privilege_escalation_respects_resources_and_conditions():
    own_user = doc({**ALLOW, "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}"})
    cond = doc({**ALLOW, "Action": "iam:CreateAccessKey", "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
    passrole_only = doc({**ALLOW, "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"})
    for text in (own_user, cond, passrole_only):
        assert run(text, "IAM709") == []


def test_privilege_escalation_groups_methods_of_one_wildcard():
    text = doc({**ALLOW, "Action": "iam:Put*", "Resource": "*"})
    [f] = run(text, "IAM709")
    assert toks(text, [f]) == ['"iam:Put*"']
    assert "PutUserPolicy" in f.message and "PutRolePolicy" in f.message


def test_credentials_exposure():
    text = doc({**ALLOW, "Action": ["sts:AssumeRole", "ecr:GetAuthorizationToken"], "Resource": "*"})
    [f] = run(text, "IAM710")
    # ecr:GetAuthorizationToken accepts only "*": nothing to restrict, so it is not reported.
    assert toks(text, [f]) == ['"sts:AssumeRole"'] and "sts:AssumeRole" in f.message
    scoped = doc({**ALLOW, "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/x"})
    assert run(scoped, "IAM710") == []


def test_data_exfiltration_and_wildcards():
    text = doc({**ALLOW, "Action": ["ssm:GetParameter*", "s3:ListBucket"], "Resource": "*"})
    [f] = run(text, "IAM711")
    assert toks(text, [f]) == ['"ssm:GetParameter*"']
    assert "ssm:GetParametersByPath" in f.message
    nr = doc({**ALLOW, "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert toks(nr, run(nr, "IAM711")) == ['"s3:GetObject"']


def test_permissions_management_uses_access_levels():
    text = doc({**ALLOW, "Action": ["s3:PutBucketPolicy", "s3:GetObject", "glue:GetStage"], "Resource": "*"})
    assert toks(text, run(text, "IAM712")) == ['"s3:PutBucketPolicy"']
    admin = doc({**ALLOW, "Action": "*", "Resource": "*"})
    assert run(admin, "IAM712") == []


def test_infrastructure_modification_is_off_by_default():
    text = doc({**ALLOW, "Action": "ec2:TerminateInstances", "Resource": "*"})
    assert [f for f in analyze(text).findings if f.code == "IAM713"] == []
    assert toks(text, run(text, "IAM713")) == ['"ec2:TerminateInstances"']


def test_resource_policy_escalation():
    text = doc({**ALLOW, "Action": ["s3:PutBucketAcl", "s3:GetObject"], "Resource": "arn:aws:s3:::b"})
    [f] = run(text, "IAM714")
    assert toks(text, [f]) == ['"s3:PutBucketAcl"']
    assert "s3:PutObject" in f.message and "s3:DeleteObject" in f.message
    assert text[f.related[0].span.start:f.related[0].span.end] == '"arn:aws:s3:::b"'
    full = doc({**ALLOW, "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::b"},
               {**ALLOW, "Action": "s3:*Object", "Resource": "arn:aws:s3:::b/*"})
    assert run(full, "IAM714") == []


def test_s3_policy_lockout():
    text = doc({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:*"], "Resource": "arn:aws:s3:::b"})
    [f] = run(text, "IAM715", "resource")
    assert toks(text, [f]) == ['"s3:*"'] and f.severity is Severity.WARNING
    narrow = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"})
    cond = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}})
    for t in (narrow, cond):
        assert run(t, "IAM715", "resource") == []
    assert run(text, "IAM715", "identity") == []


def test_lambda_public_invoke():
    text = doc({**ALLOW, "Principal": "*", "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f"})
    [f] = run(text, "IAM716", "resource")
    assert toks(text, [f]) == ['"*"'] and f.severity is Severity.SECURITY
    aws = doc({**ALLOW, "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}, "Action": "lambda:Invoke*",
               "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f"})
    assert toks(aws, run(aws, "IAM716", "resource")) == ['"*"']
    cond = doc({**ALLOW, "Principal": "*", "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
    assert run(cond, "IAM716", "resource") == []


def test_full_iam_is_not_reported_again_as_sensitive_actions():
    text = doc({**ALLOW, "Action": "iam:*", "Resource": "*"})
    codes = {f.code for f in analyze(text, config=Config(select=["IAM7"])).findings}
    assert "IAM703" in codes and not codes & {"IAM710", "IAM712"}


# --- per-document facts shared by IAM6xx/IAM7xx (the memoised matching must equal plain IAM matching) ---


def context(text: str):
    from iam_lsp.core.context import Context
    from iam_lsp.core.jsontree import parse
    from iam_lsp.core.model import build_policy
    from iam_lsp.core.policytype import detect

    tree = parse(text)
    policy = build_policy(tree)
    return Context(text, tree, policy, detect(policy, None, None, {}), Config())


def test_facts_matching_keeps_document_order_across_plain_and_wildcard_entries():
    from iam_lsp.core.rules.risk import amatch, facts

    text = doc({**ALLOW, "Action": ["iam:Pass*", "s3:GetObject", "IAM:PASSROLE", "iam:*", "iam:PassRole"],
                "Resource": "*"})
    ctx = context(text)
    st = ctx.statements[0]
    found = facts(ctx).of(st).matching("iam:PassRole")
    assert [text[i.span.start:i.span.end] for i in found] == ['"iam:Pass*"', '"IAM:PASSROLE"', '"iam:*"',
                                                                '"iam:PassRole"']
    assert found == [i for i in st.actions() if amatch(i.text, "iam:PassRole")]
    assert facts(ctx).of(st).matching("iam:PassRole") is found  # asked again: the memoised list
    assert facts(ctx).of(st).matching("s3:PutObject") == []


def test_facts_allows_granting_and_blanket_denies():
    from iam_lsp.core.rules.risk import facts

    text = doc({**ALLOW, "Action": "s3:Get*", "Resource": "*"},
               {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"},
               {**ALLOW, "NotAction": "iam:*", "Resource": "*"},
               {**ALLOW, "NotAction": "s3:*", "Resource": "*"},
               {**ALLOW, "Resource": "*"},
               {**ALLOW, "Action": ["ec2:*", "S3:GETOBJECT"], "Resource": "*"},
               {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    ctx = context(text)
    doc_facts = facts(ctx)
    assert [st.index for st in doc_facts.allows_granting("s3:GetObject")] == [0, 2, 5]
    assert [st.index for st in doc_facts.allows_granting("iam:PassRole")] == [3]
    assert doc_facts.allows_granting("s3:getobject") == doc_facts.allows_granting("s3:GetObject")
    assert doc_facts.denied("s3:getObject") and not doc_facts.denied("s3:PutObject")  # the second Deny has a condition
    assert [st.index for st in doc_facts.unconstrained_allows] == [0, 2, 3, 4, 5]


def test_iam_match_agrees_with_the_regex_matcher():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from iam_lsp.core.knowledge import wildcard_match
    from iam_lsp.core.rules.risk import iam_match

    text = st.text(alphabet="aAsSkK*?:/-.\n\u017f\u212a\u00e9", max_size=10)

    @settings(max_examples=800, deadline=None)
    @given(text, text)
    def check(pattern: str, value: str) -> None:
        assert iam_match(pattern, value) == wildcard_match(pattern, value)

    check()
    assert iam_match("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/path/z9")
    assert iam_match("IAM:Pass?ole", "iam:PassRole") and not iam_match("iam:Pass?", "iam:PassRole")
    assert iam_match("a*b*c", "axxbyyc") and not iam_match("a*b*c", "axxcyyb")


def test_escalation_finds_the_earliest_item_whatever_the_wildcard_shape():
    # Items with a wildcard in the service part are indexed apart from service-scoped ones; both count.
    text = doc({**ALLOW, "Action": ["s3:GetObject", "*:CreatePolicyVersion", "i?m:PassRole", "ec2:Run*"], "Resource": "*"},
               {**ALLOW, "Action": ["IAM:createpolicyversion"], "Resource": "*"})
    [esc] = run(text, "IAM709")
    assert toks(text, [esc]) == ['"*:CreatePolicyVersion"'] and "CreateNewPolicyVersion" in esc.message
    [pr] = run(text, "IAM609")
    assert toks(text, [pr]) == ['"i?m:PassRole"']
    assert [text[r.span.start:r.span.end] for r in pr.related] == ['"ec2:Run*"']


def test_resource_index_agrees_with_trying_every_entry():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from iam_lsp.core.rules.risk import ResourceIndex, iam_match

    text = st.text(alphabet="aAbB*?:/-\n\u00e9", max_size=8)

    @settings(max_examples=500, deadline=None)
    @given(st.lists(text, max_size=6), text)
    def check(entries: list[str], value: str) -> None:
        ctx = context(doc({**ALLOW, "Action": "s3:GetObject", "Resource": entries or "x"}))
        index = ResourceIndex(ctx.statements)
        assert index.matches(value) == any(iam_match(t, value) for t in entries or ["x"])

    check()


def test_bucket_escalation_on_thousands_of_buckets_is_fast_and_exact():
    # 2,000 bucket ARNs against 2,000 object ARNs took seconds when every pair was tried.
    buckets = [f"arn:aws:s3:::bucket-{i}" for i in range(2000)]
    objects = [f"arn:aws:s3:::other-{i}/*" for i in range(2000)] + ["arn:aws:s3:::BUCKET-7/*", "arn:aws:s3:::bucket-1?"]
    text = doc({**ALLOW, "Action": "s3:PutBucketPolicy", "Resource": buckets},
               {**ALLOW, "Action": "s3:GetObject", "Resource": objects})
    start = time.process_time()
    found = run(text, "IAM714")
    assert time.process_time() - start < 2
    covered = {"arn:aws:s3:::bucket-7"} | {f"arn:aws:s3:::bucket-1{d}" for d in range(10)}
    assert len(found) == 2000  # s3:PutObject and s3:DeleteObject are granted on none of them
    assert {text[f.span.start:f.span.end] for f in found} == {'"s3:PutBucketPolicy"'}
    without_get = {text[f.related[0].span.start + 1:f.related[0].span.end - 1] for f in found
                   if "without s3:GetObject" in f.message}
    assert without_get == set(buckets) - covered
