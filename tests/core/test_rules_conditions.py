"""Condition rules IAM5xx: each finding's exact span, fixes and the edge cases."""

from __future__ import annotations

import json

import pytest

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.policytype import PolicyType


def policy(condition: dict | None = None, *, effect="Allow", action="s3:GetObject", resource="*",
           version="2012-10-17", principal=None, single=False) -> str:
    st: dict = {"Effect": effect}
    if principal is not None:
        st["Principal"] = principal
    st.update({"Action": action, "Resource": resource})
    if condition is not None:
        st["Condition"] = condition
    doc: dict = {"Version": version} if version else {}
    doc["Statement"] = st if single else [st]
    return json.dumps(doc)


def hits(text: str, code: str, ptype: str | None = None) -> list[str]:
    res = analyze(text, config=Config(enable=[code]), policy_type=PolicyType(ptype) if ptype else None)
    return [text[f.span.start:f.span.end] for f in res.findings if f.code == code]


def found(text: str, code: str, ptype: str | None = None):
    res = analyze(text, config=Config(enable=[code]), policy_type=PolicyType(ptype) if ptype else None)
    return [f for f in res.findings if f.code == code]


def apply_fix(text: str, finding) -> str:
    edits = sorted(finding.fixes[0].edits, key=lambda e: e.span.start, reverse=True)
    for e in edits:
        text = text[:e.span.start] + e.new_text + text[e.span.end:]
    return text


# --- operators ---------------------------------------------------------------------------------------


def test_unknown_operator_points_at_operator_and_fixes():
    text = policy({"StringEqual": {"aws:PrincipalTag/team": "blue"}})
    (f,) = found(text, "IAM500")
    assert text[f.span.start:f.span.end] == '"StringEqual"'
    assert "Did you mean 'StringEquals'?" in f.message
    assert '"StringEquals"' in apply_fix(text, f)


@pytest.mark.parametrize("op,want", [("stringequals", "StringEquals"),
                                     ("ForAnyvalue:StringLike", "ForAnyValue:StringLike"),
                                     ("BoolIfexists", "BoolIfExists")])
def test_unknown_operator_case_errors(op, want):
    text = policy({op: {"aws:TagKeys": "x"}})
    (f,) = found(text, "IAM500")
    assert text[f.span.start:f.span.end] == json.dumps(op)
    assert want in f.message


def test_valid_operators_are_quiet():
    text = policy({"ForAllValues:StringLikeIfExists": {"aws:TagKeys": "x*"}, "Null": {"aws:TagKeys": "false"}})
    assert hits(text, "IAM500") == []


def test_null_if_exists():
    text = policy({"NullIfExists": {"aws:RequestTag/team": "false"}})
    (f,) = found(text, "IAM501")
    assert text[f.span.start:f.span.end] == '"NullIfExists"'
    assert '"Null":' in apply_fix(text, f)
    assert hits(text, "IAM500") == []  # one finding, not two


def test_null_with_qualifier():
    text = policy({"ForAllValues:Null": {"aws:TagKeys": "false"}})
    assert hits(text, "IAM502") == ['"ForAllValues:Null"']


@pytest.mark.parametrize("value,bad", [("no", True), ("1", True), (True, False), ("TRUE", False), ("false", False)])
def test_bool_values(value, bad):
    text = policy({"Bool": {"aws:SecureTransport": value}})
    assert hits(text, "IAM503") == ([json.dumps(value)] if bad else [])


def test_null_value_and_bool_variable():
    assert hits(policy({"Null": {"aws:TagKeys": "yes"}}), "IAM503") == ['"yes"']
    assert hits(policy({"Bool": {"aws:SecureTransport": "${aws:ViaAWSService}"}}), "IAM503") == []


def test_several_booleans():
    text = policy({"Bool": {"aws:SecureTransport": ["true", "false"]}})
    assert hits(text, "IAM504") == ['"aws:SecureTransport"']
    assert hits(policy({"Bool": {"aws:SecureTransport": ["true", "True"]}}), "IAM504") == []


@pytest.mark.parametrize("op,key,value,bad", [
    ("NumericLessThan", "s3:max-keys", "ten", True),
    ("NumericLessThan", "s3:max-keys", 10, False),
    ("NumericLessThan", "s3:max-keys", "10.5", False),
    ("NumericLessThan", "s3:max-keys", "1*", True),
    ("DateGreaterThan", "aws:CurrentTime", "yesterday", True),
    ("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z", False),
    ("DateGreaterThan", "aws:CurrentTime", "2026-01-01", False),
    ("DateGreaterThan", "aws:CurrentTime", "2026-*", True),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/33", True),
    ("IpAddress", "aws:SourceIp", "2001:db8::/32", False),
    ("IpAddress", "aws:SourceIp", "203.0.113.7", False),
    ("BinaryEquals", "aws:UserAgent", "not base64!", True),
    ("BinaryEquals", "aws:UserAgent", "QmluYXJ5VmFsdWU=", False),
    ("ArnLike", "aws:SourceArn", "my-bucket", True),
    ("ArnLike", "aws:SourceArn", "arn:aws:s3:::my-bucket", False),
    ("ArnLike", "aws:SourceArn", "arn:aws:sns:*", False),
    ("ArnEquals", "aws:SourceArn", "*", False),
])
def test_value_formats(op, key, value, bad):
    text = policy({op: {key: value}})
    assert hits(text, "IAM505") == ([json.dumps(value)] if bad else [])


def test_wildcard_in_numeric_value_message():
    (f,) = found(policy({"NumericLessThan": {"s3:max-keys": "1*"}}), "IAM505")
    assert "wildcards are not allowed" in f.message


def test_epoch_date_suggests_iso():
    text = policy({"DateLessThan": {"aws:CurrentTime": "1767225600"}})
    (f,) = found(text, "IAM506")
    assert text[f.span.start:f.span.end] == '"1767225600"'
    assert '"2026-01-01T00:00:00Z"' in apply_fix(text, f)
    assert hits(policy({"NumericLessThan": {"aws:EpochTime": 1767225600}}), "IAM506") == []


def test_cidr_host_bits():
    text = policy({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.7/24"]}})
    (f,) = found(text, "IAM507")
    assert text[f.span.start:f.span.end] == '"198.51.100.7/24"'
    assert '"198.51.100.0/24"' in apply_fix(text, f)


def test_type_mismatch():
    text = policy({"NumericLessThan": {"aws:CurrentTime": "5"}})
    assert hits(text, "IAM508") == ['"NumericLessThan"']
    assert hits(policy({"DateLessThan": {"aws:CurrentTime": "2026-01-01"}}), "IAM508") == []
    assert hits(policy({"IpAddress": {"aws:PrincipalArn": "10.0.0.0/8"}}), "IAM508") == ['"IpAddress"']
    assert hits(policy({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}), "IAM508") == ['"StringEquals"']
    assert hits(policy({"Null": {"aws:CurrentTime": "true"}}), "IAM508") == []
    # Condition keys are case-insensitive.
    assert hits(policy({"NumericLessThan": {"AWS:currenttime": "5"}}), "IAM508") == ['"NumericLessThan"']


def test_string_operator_on_arn_key():
    text = policy({"StringLike": {"aws:SourceArn": "arn:aws:s3:::b*"}})
    (f,) = found(text, "IAM509")
    assert text[f.span.start:f.span.end] == '"StringLike"' and "'ArnLike'" in f.message
    assert hits(policy({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b*"}}), "IAM509") == []


def test_value_json_types():
    text = policy({"StringEquals": {"aws:PrincipalTag/team": {"a": "b"}}})
    assert hits(text, "IAM510") == ['{"a": "b"}']
    mixed = policy({"StringEquals": {"aws:PrincipalTag/team": ["a", 1]}})
    (f,) = found(mixed, "IAM510")
    assert mixed[f.span.start:f.span.end] == '["a", 1]' and f.severity.value == "warning"
    assert hits(policy({"StringEquals": {"aws:PrincipalTag/team": ["a", None]}}), "IAM510") == ["null"]


def test_wildcard_without_like():
    text = policy({"StringEquals": {"s3:prefix": ["home/*", "docs"]}}, action="s3:ListBucket")
    (f,) = found(text, "IAM511")
    assert text[f.span.start:f.span.end] == '"home/*"'
    assert '"StringLike"' in apply_fix(text, f)
    assert hits(policy({"StringNotEquals": {"s3:prefix": "a?"}}), "IAM511") == ['"a?"']
    # ${*} and ${?} are literal characters, not wildcards.
    assert hits(policy({"StringEquals": {"s3:prefix": "a${*}"}}), "IAM511") == []
    assert hits(policy({"StringLike": {"s3:prefix": "home/*"}}), "IAM511") == []


def test_variable_with_operator():
    text = policy({"DateGreaterThan": {"aws:CurrentTime": "${aws:TokenIssueTime}"}})
    assert hits(text, "IAM512") == ["${aws:TokenIssueTime}"]
    ip = policy({"IpAddress": {"aws:SourceIp": "x${aws:PrincipalTag/cidr}"}})
    assert hits(ip, "IAM512") == ["${aws:PrincipalTag/cidr}"]
    assert hits(policy({"StringEquals": {"s3:prefix": "${aws:username}"}}), "IAM512") == []
    assert hits(policy({"Bool": {"aws:SecureTransport": "${aws:ViaAWSService}"}}), "IAM512") == []


def test_key_case_duplicate():
    text = policy({"IpAddress": {"aws:SourceIp": "203.0.113.0/24", "aws:sourceip": "198.51.100.0/24"}})
    assert hits(text, "IAM513") == ['"aws:sourceip"']
    other_blocks = policy({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                           "NotIpAddress": {"aws:sourceip": "198.51.100.0/24"}})
    assert hits(other_blocks, "IAM513") == []


def test_redundant_values():
    text = policy({"StringEquals": {"aws:PrincipalTag/team": ["blue", "red", "blue"]}})
    (f,) = found(text, "IAM514")
    assert text[f.span.start:f.span.end] == '"blue"' and f.span.start > text.index('"red"')
    assert json.loads(apply_fix(text, f))["Statement"][0]["Condition"]["StringEquals"][
        "aws:PrincipalTag/team"] == ["blue", "red"]
    # Case matters except for IgnoreCase operators.
    assert hits(policy({"StringEquals": {"aws:PrincipalTag/team": ["a", "A"]}}), "IAM514") == []
    assert hits(policy({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": ["a", "A"]}}), "IAM514") == ['"A"']
    assert hits(policy({"NumericLessThan": {"s3:max-keys": [10, 20]}}), "IAM514") == ["10"]


def test_wildcard_only_values():
    assert hits(policy({"StringLikeIfExists": {"aws:RequestTag/t": "*"}}), "IAM515") == ['"*"']
    assert hits(policy({"StringNotLike": {"aws:RequestTag/t": "*"}}), "IAM515") == ['"*"']
    assert hits(policy({"StringLike": {"aws:RequestTag/t": "*"}}), "IAM515") == []
    # Equivalent-to-Null is off by default but runs when enabled.
    assert hits(policy({"StringLike": {"aws:RequestTag/t": "*"}}), "IAM519") == ['"*"']
    res = analyze(policy({"StringLike": {"aws:RequestTag/t": "*"}}))
    assert not [f for f in res.findings if f.code == "IAM519"]


def test_empty_value_list():
    text = policy({"ForAllValues:StringEquals": {"aws:TagKeys": []}})
    (f,) = found(text, "IAM516")
    assert text[f.span.start:f.span.end] == "[]" and "always true" in f.message


def test_if_exists_always_present_and_security_keys():
    assert hits(policy({"DateLessThanIfExists": {"aws:CurrentTime": "2026-01-01"}}), "IAM517") == \
        ['"DateLessThanIfExists"']
    text = policy({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}})
    assert hits(text, "IAM518") == ['"StringEqualsIfExists"']
    assert hits(policy({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}, effect="Deny"),
                "IAM518") == []


# --- condition keys ----------------------------------------------------------------------------------


def test_key_format():
    text = policy({"IpAddress": {"SourceIp": "203.0.113.0/24"}})
    (f,) = found(text, "IAM530")
    assert text[f.span.start:f.span.end] == '"SourceIp"'
    assert '"aws:SourceIp"' in apply_fix(text, f)


def test_unknown_global_key_with_suggestion():
    text = policy({"StringEquals": {"aws:PrincipalOrgId2": "o-a1b2c3d4e5"}})
    (f,) = found(text, "IAM531")
    assert text[f.span.start:f.span.end] == '"aws:PrincipalOrgId2"' and "aws:PrincipalOrgID" in f.message
    assert hits(policy({"StringEquals": {"AWS:PRINCIPALORGID": "o-a1b2c3d4e5"}}), "IAM531") == []
    assert hits(policy({"StringEquals": {"aws:RequestTag/any-tag": "x"}}), "IAM531") == []


def test_unknown_service_key():
    text = policy({"Null": {"lakeformation:GlueARN": "false"}}, action="lakeformation:GetDataAccess")
    assert hits(text, "IAM532") == ['"lakeformation:GlueARN"']
    assert hits(policy({"StringLike": {"S3:Prefix": "a"}}), "IAM532") == []
    # OIDC provider claims are keys too.
    assert hits(policy({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}),
                "IAM532") == []


def test_key_unsupported_by_actions():
    text = policy({"StringLike": {"s3:prefix": "home/*"}}, action=["s3:GetObject", "s3:PutObject"])
    (f,) = found(text, "IAM533")
    assert text[f.span.start:f.span.end] == '"s3:prefix"'
    assert hits(policy({"StringLike": {"s3:prefix": "home/*"}}, action=["s3:GetObject", "s3:ListBucket"]),
                "IAM533") == []
    assert hits(policy({"StringLike": {"s3:prefix": "home/*"}}, action="s3:Get*"), "IAM533") == []
    # Pattern keys and resource-type keys count as supported.
    assert hits(policy({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "x"}}, action="kms:Decrypt"),
                "IAM533") == []
    assert hits(policy({"StringEquals": {"secretsmanager:ResourceTag/owner": "x"}},
                       action="secretsmanager:GetSecretValue"), "IAM533") == []
    assert hits(policy({"StringEquals": {"rds:DatabaseEngine": "mysql"}}, action="rds:AddTagsToResource"),
                "IAM533") == []


def test_deprecated_and_tag_stub_keys():
    assert hits(policy({"ArnLike": {"aws:ARN": "arn:aws:iam::111122223333:role/a"}}), "IAM534") == ['"aws:ARN"']
    assert hits(policy({"StringEquals": {"aws:ResourceTag": "blue"}}), "IAM535") == ['"aws:ResourceTag"']
    assert hits(policy({"StringEquals": {"ec2:ResourceTag/": "blue"}}), "IAM535") == ['"ec2:ResourceTag/"']
    assert hits(policy({"StringEquals": {"aws:ResourceTag": "blue"}}), "IAM531") == []


def test_tag_condition_unsupported():
    text = policy({"StringEquals": {"aws:ResourceTag/team": "blue"}}, action="cloudshell:CreateSession")
    (f,) = found(text, "IAM536")
    assert text[f.span.start:f.span.end] == '"aws:ResourceTag/team"' and "never allows" in f.message
    assert hits(policy({"StringEquals": {"aws:ResourceTag/team": "b"}}, action="ec2:StartInstances"), "IAM536") == []


def test_spoofable_pair_dynamodb_s3prefix():
    assert hits(policy({"StringLike": {"aws:UserAgent": "x*"}}), "IAM537") == ['"aws:UserAgent"']
    assert hits(policy({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}), "IAM538") == ['"aws:VpcSourceIp"']
    assert hits(policy({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"},
                        "StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}), "IAM538") == []
    assert hits(policy({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a"]}}, action="dynamodb:Query"),
                "IAM539") == ['"dynamodb:Attributes"']
    assert hits(policy({"StringNotLike": {"s3:prefix": "a/*"}}, effect="Deny", action="s3:ListBucket"),
                "IAM540") == ['"s3:prefix"']


def test_sensitive_key_wildcards():
    bucket = {"principal": "*", "resource": "arn:aws:s3:::b/*"}
    assert hits(policy({"StringLike": {"aws:PrincipalOrgID": "o-*"}}, **bucket), "IAM541", "resource") == ['"o-*"']
    arn = policy({"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:topic"}}, **bucket)
    assert hits(arn, "IAM541", "resource") == ['"arn:aws:sns:us-east-1:*:topic"']
    ok = policy({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}, **bucket)
    assert hits(ok, "IAM541", "resource") == []
    # In an identity policy the principal is the policy's holder.
    assert hits(policy({"StringLike": {"aws:PrincipalOrgID": "o-*"}}), "IAM541", "identity") == []


def test_region_values():
    text = policy({"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-west", "us-east-9"]}})
    fs = found(text, "IAM542")
    assert [text[f.span.start:f.span.end] for f in fs] == ['"eu-west"', '"us-east-9"']
    assert [f.severity.value for f in fs] == ["error", "warning"]
    assert hits(policy({"StringLike": {"aws:RequestedRegion": "eu-*"}}), "IAM542") == []
    assert hits(policy({"StringEquals": {"aws:RequestedRegion": "${aws:PrincipalTag/r}"}}), "IAM542") == []


def test_vpc_and_kms_values():
    assert hits(policy({"StringEquals": {"aws:SourceVpce": "vpc-1a2b3c4d"}}), "IAM543") == ['"vpc-1a2b3c4d"']
    assert hits(policy({"StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}}), "IAM543") == []
    key = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    assert hits(policy({"StringEquals": {key: "my-key"}}, action="s3:PutObject"), "IAM544") == ['"my-key"']
    good = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert hits(policy({"StringEquals": {key: good}}, action="s3:PutObject"), "IAM544") == []


def test_service_principal_values():
    text = policy({"ForAnyValue:StringEquals": {"aws:CalledVia": ["application-signals.cloudwatch.amazonaws.com"]}})
    assert hits(text, "IAM545") == ['"application-signals.cloudwatch.amazonaws.com"']
    up = policy({"StringEquals": {"iam:PassedToService": "EC2.amazonaws.com"}}, action="iam:PassRole")
    (f,) = found(up, "IAM545")
    assert '"ec2.amazonaws.com"' in apply_fix(up, f)
    assert hits(policy({"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}), "IAM545") == []
    assert hits(policy({"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}), "IAM545") == []
    assert hits(policy({"StringEquals": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}}),
                "IAM545") == []


def test_private_source_ip():
    only = policy({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert hits(only, "IAM546") == ['"10.0.0.0/8"']
    mixed = found(policy({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}), "IAM546")
    assert [f.severity.value for f in mixed] == ["suggestion"]
    neg = found(policy({"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, effect="Deny"), "IAM546")
    assert neg[0].severity.value == "security" and "every request" in neg[0].message


def test_any_ip_insecure_transport_mfa():
    assert hits(policy({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), "IAM547") == ['"0.0.0.0/0"']
    assert hits(policy({"Bool": {"aws:SecureTransport": "false"}}), "IAM548") == ['"false"']
    assert hits(policy({"Bool": {"aws:SecureTransport": "false"}}, effect="Deny"), "IAM548") == []
    mfa = "aws:MultiFactorAuthPresent"
    assert hits(policy({"Bool": {mfa: "false"}}, effect="Deny"), "IAM549") == [json.dumps(mfa)]
    allow_ifx = found(policy({"BoolIfExists": {mfa: "false"}}), "IAM549")
    assert allow_ifx[0].severity.value == "security"
    assert hits(policy({"Null": {mfa: "false"}}), "IAM549") == [json.dumps(mfa)]
    assert hits(policy({"Null": {mfa: "true"}}, effect="Deny"), "IAM549") == [json.dumps(mfa)]
    assert hits(policy({"BoolIfExists": {mfa: "false"}}, effect="Deny"), "IAM549") == []
    assert hits(policy({"Bool": {mfa: "true"}}), "IAM549") == []


# --- set qualifiers --------------------------------------------------------------------------------


def test_missing_qualifier_on_events_detail_type():
    text = policy({"StringEquals": {"events:detail-type": "Tag Change on Resource"}}, action="events:PutRule")
    (f,) = found(text, "IAM560")
    assert text[f.span.start:f.span.end] == '"events:detail-type"'
    assert '"ForAnyValue:StringEquals"' in apply_fix(text, f)
    assert hits(policy({"Null": {"aws:TagKeys": "false"}}), "IAM560") == []


def test_qualifiers_on_single_valued_keys():
    assert hits(policy({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}}), "IAM561") == \
        ['"ForAllValues:StringEquals"']
    text = policy({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-1"}})
    (f,) = found(text, "IAM562")
    assert '"StringEquals"' in apply_fix(text, f)
    assert hits(policy({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}), "IAM561") == []


def test_null_guards():
    key = "kms:EncryptionContextKeys"
    bare = policy({"ForAllValues:StringEquals": {key: ["app"]}}, action="kms:Decrypt")
    assert hits(bare, "IAM563") == ['"ForAllValues:StringEquals"']
    guarded = policy({"ForAllValues:StringEquals": {key: ["app"]}, "Null": {key: "false"}}, action="kms:Decrypt")
    assert hits(guarded, "IAM563") == []
    deny = policy({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}}, effect="Deny")
    assert hits(deny, "IAM564") == ['"ForAnyValue:StringNotEquals"']


# --- policy variables ------------------------------------------------------------------------------


@pytest.mark.parametrize("code,value,span", [
    ("IAM570", "arn:aws:s3:::b/${aws:username/*", "${aws:username/"),
    ("IAM571", "arn:aws:s3:::b/${aws:username, nobody}/*", "${aws:username, nobody}"),
    ("IAM572", "arn:aws:s3:::b/${aws:user name}/*", "${aws:user name}"),
    ("IAM573", "arn:aws:s3:::b/${}/*", "${}"),
    ("IAM574", "arn:aws:s3:::b/${aws:user*name}/*", "${aws:user*name}"),
])
def test_variable_syntax_spans(code, value, span):
    assert hits(policy(resource=value), code) == [span]


def test_variable_fixes():
    t = policy(resource="arn:aws:s3:::b/${aws:username")
    assert "${aws:username}" in apply_fix(t, found(t, "IAM570")[0])
    t = policy(resource="arn:aws:s3:::b/${aws:username, nobody}/*")
    assert "${aws:username, 'nobody'}" in apply_fix(t, found(t, "IAM571")[0])
    t = policy(resource="arn:aws:s3:::b/${ aws:username}/*")
    assert "${aws:username}" in apply_fix(t, found(t, "IAM572")[0])


def test_variables_in_condition_values_and_specials():
    t = policy({"StringLike": {"s3:prefix": ["home/${aws:username", "a${*}b"]}})
    assert hits(t, "IAM570") == ["${aws:username"]
    assert hits(t, "IAM573") == [] and hits(t, "IAM577") == []


def test_variable_outside_resource_and_condition():
    t = policy(action="s3:${aws:username}")
    assert hits(t, "IAM575") == ["${aws:username}"]
    t = policy(principal={"AWS": "arn:aws:iam::111122223333:user/${aws:username}"}, resource="arn:aws:s3:::b/*")
    assert hits(t, "IAM575", "resource") == ["${aws:username}"]


def test_variable_without_version():
    t = policy(resource="arn:aws:s3:::b/${aws:username}/*", version=None)
    (f,) = found(t, "IAM576")
    assert t[f.span.start:f.span.end] == "${aws:username}" and "no Version" in f.message
    t = policy(resource="arn:aws:s3:::b/${aws:username}/*", version="2008-10-17", single=True)
    assert hits(t, "IAM576") == ["${aws:username}"]


def test_unknown_variable_key():
    t = policy(resource="arn:aws:s3:::b/${aws:user}/*")
    (f,) = found(t, "IAM577")
    assert t[f.span.start:f.span.end] == "${aws:user}"
    ok = ["${aws:username}", "${aws:PrincipalTag/team}", "${saml:sub}", "${aws:userid, 'x'}",
          "${cognito-identity.amazonaws.com:sub}", "${s3:prefix}"]
    for v in ok:
        assert hits(policy(resource=f"arn:aws:s3:::b/{v}/*"), "IAM577") == [], v


def test_escaped_string_spans_are_exact():
    # A JSON escape before the variable shifts source offsets; the span must still cover ${...}.
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
            '"Resource": "arn:aws:s3:::b/\\u0041/${aws:user}/*"}]}')
    assert hits(text, "IAM577") == ["${aws:user}"]


def test_amr_claim_takes_for_any_value():
    t = policy({"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
               effect="Allow", action="sts:AssumeRoleWithWebIdentity",
               principal={"Federated": "cognito-identity.amazonaws.com"}, resource=None)
    t = t.replace(', "Resource": null', "")
    assert hits(t, "IAM562", "trust") == []


def test_type_mismatch_on_string_keys_is_a_warning():
    (f,) = found(policy({"NumericLessThan": {"aws:PrincipalTag/level": "5"}}), "IAM508")
    assert f.severity.value == "warning"
    (g,) = found(policy({"NumericLessThan": {"aws:CurrentTime": "5"}}), "IAM508")
    assert g.severity.value == "error"


def test_role_session_keys_with_a_service_prefix_apply_to_every_action():
    """glue:RoleAssumedBy and lambda:SourceFunctionArn are global role-session keys, not glue/lambda keys."""
    from iam_lsp.core.analyze import analyze

    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", '
            '"Resource": "*", "Condition": {"StringEquals": {"glue:RoleAssumedBy": "glue.amazonaws.com"}, '
            '"ArnLike": {"lambda:SourceFunctionArn": "arn:aws:lambda:*:111122223333:function:f"}}}]}')
    assert not [f for f in analyze(text).findings if f.code == "IAM533"]
