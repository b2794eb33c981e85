"""Resource/ARN rules IAM201-IAM219: exact spans, fixes, wildcards, policy variables."""

from __future__ import annotations

import json

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config


def doc(resource, action="s3:GetObject", key="Resource", effect="Allow", **extra):
    st = {"Effect": effect, "Action": action, key: resource, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def hits(text, code):
    res = analyze(text, config=Config(select=[code]))
    return [text[f.span.start:f.span.end] for f in res.findings if f.code == code]


def findings(text, code):
    return [f for f in analyze(text, config=Config(select=[code])).findings if f.code == code]



def test_prefix():
    t = doc(["*", "arn:aws:s3:::b/*", "b/*", "ARN:aws:s3:::b"])
    assert hits(t, "IAM201") == ['"b/*"', '"ARN:aws:s3:::b"']
    (f,) = [f for f in findings(t, "IAM201") if f.fixes]
    assert "arn:aws:s3:::b" in json.loads(f.fixes[0].apply(t))["Statement"][0]["Resource"]


def test_missing_fields_also_for_not_resource():
    t = doc("arn:aws:iam:role/x", action="iam:GetRole", key="NotResource", effect="Deny")
    assert hits(t, "IAM202") == ['"arn:aws:iam:role/x"']


def test_partition():
    t = doc(["arn:amazon:s3:::b/*", "arn:aws-us-gov:s3:::b/*", "arn:*:s3:::b/*", "arn:${aws:partition}:s3:::b/*",
             "arn:aws-cn:s3:::b/*", "arn:aws-eusc:s3:::b/*"])
    assert hits(t, "IAM203") == ["amazon"]
    t = doc("arn:aws-us-gvo:s3:::b/*")
    (f,) = findings(t, "IAM203")
    assert "aws-us-gov" in f.fixes[0].apply(t)


def test_service_case_with_fix():
    t = doc("arn:aws:S3:::b/*")
    (f,) = findings(t, "IAM204")
    assert t[f.span.start:f.span.end] == "S3"
    assert "arn:aws:s3:::b/*" in f.fixes[0].apply(t)


def test_unknown_service_but_arn_names_that_differ_from_prefixes_are_known():
    t = doc(["arn:aws:s4:::b/*", "arn:aws:catalog:*:*:product/*", "arn:aws:*:*:*:*", "arn:aws:codestar:*:*:project/*"])
    assert hits(t, "IAM205") == ["s4"]


def test_region_syntax():
    t = doc(["arn:aws:sqs:us-east:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:q",
             "arn:aws:sqs:*:111122223333:q", "arn:aws:sqs:${aws:RequestedRegion}:111122223333:q",
             "arn:aws:sqs:us-gov-west-1:111122223333:q", "arn:aws:sqs:eusc-de-east-1:111122223333:q"],
            action="sqs:SendMessage")
    assert hits(t, "IAM206") == ["us-east"]


def test_region_not_allowed_for_global_resources():
    t = doc(["arn:aws:iam:us-east-1:111122223333:role/x", "arn:aws:iam::111122223333:role/y",
             "arn:aws:s3:us-east-1::b/*", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
             "arn:aws:iam:*:111122223333:role/z"], action="iam:PassRole")
    assert hits(t, "IAM207") == ["us-east-1", "us-east-1"]
    f = findings(t, "IAM207")[0]
    assert "arn:aws:iam::111122223333:role/x" in f.fixes[0].apply(t)


def test_region_missing():
    t = doc(["arn:aws:sqs::111122223333:q", "arn:aws:sqs:*:111122223333:q", "arn:aws:s3:::b"],
            action="sqs:SendMessage")
    assert hits(t, "IAM208") == ["::"]
    (f,) = findings(t, "IAM208")
    assert "arn:aws:sqs:*:111122223333:q" in f.fixes[0].apply(t)


def test_account_syntax():
    t = doc(["arn:aws:iam::11112222333:role/x", "arn:aws:iam::111122223333:role/x", "arn:aws:iam::aws:policy/P",
             "arn:aws:iam::*:role/x", "arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:iam::1111-2222-3333:role/x"],
            action="iam:PassRole")
    assert hits(t, "IAM209") == ["11112222333", "1111-2222-3333"]
    f = findings(t, "IAM209")[1]
    assert "arn:aws:iam::111122223333:role/x" in f.fixes[0].apply(t)


def test_account_not_allowed_on_s3_buckets():
    t = doc(["arn:aws:s3::111122223333:b/*", "arn:aws:s3:::b/*", "arn:aws:s3:us-east-1:111122223333:accesspoint/*"])
    assert hits(t, "IAM210") == ["111122223333"]


def test_account_missing_in_iam_arns_only():
    t = doc(["arn:aws:iam:::role/x", "arn:aws:iam::*:role/x", "arn:aws:ssm:*::document/AWS-*"], action="iam:PassRole")
    assert hits(t, "IAM211") == ["::"]


def test_resource_format_is_tolerant_of_wildcards_and_variables():
    t = doc(["arn:aws:dynamodb:us-east-1:111122223333:tables/Books", "arn:aws:dynamodb:*:*:table/${aws:username}",
             "arn:aws:dynamodb:*:*:*", "arn:aws:dynamodb:*:*:tab*"], action="dynamodb:GetItem")
    assert hits(t, "IAM212") == ["tables/Books"]


def test_wildcard_in_service():
    t = doc(["arn:aws:code*:us-east-1:111122223333:x", "arn:aws:codecommit:us-east-1:111122223333:x",
             "arn:*:*:*:*:*"], action="codecommit:GitPull")
    assert hits(t, "IAM213") == ["code*"]


def test_resource_arn_of_another_service_in_bucket_policy():
    t = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::b/*", "arn:aws:kms:us-east-1:111122223333:key/k"]}]})
    assert hits(t, "IAM214") == ["kms"]


def test_action_resource_mismatch():
    t = doc(["arn:aws:s3:::b/*"], action=["s3:ListBucket", "s3:GetObject", "s3:List*", "s3:ListAllMyBuckets"])
    assert hits(t, "IAM215") == ['"s3:ListBucket"']
    (f,) = findings(t, "IAM215")
    assert f.severity.value == "warning" and "bucket" in f.message
    assert hits(doc("*", action="s3:ListBucket"), "IAM215") == []
    assert hits(doc("arn:aws:s3:::b/${aws:username}", action="s3:ListBucket"), "IAM215") == ['"s3:ListBucket"']
    assert hits(doc("arn:aws:s3:::b*", action="s3:ListBucket"), "IAM215") == []
    assert hits(doc("arn:aws:s3:::b/*", action="s3:ListBucket", effect="Deny"), "IAM215") == []


def test_action_that_needs_resource_star():
    # The "only Resource *" variant is its own rule (IAM220), a suggestion, separate from type mismatches.
    t = doc(["arn:aws:s3:::b/*"], action=["s3:ListBucket", "s3:ListAllMyBuckets", "s3:GetObject"])
    (f,) = findings(t, "IAM220")
    assert t[f.span.start:f.span.end] == '"s3:ListAllMyBuckets"' and f.severity.value == "suggestion"
    assert hits(doc("*", action="s3:ListAllMyBuckets"), "IAM220") == []
    assert hits(doc("arn:aws:s3:::b", action="s3:ListAllMyBuckets", effect="Deny"), "IAM220") == []
    # Statements with a non-ARN or an open-service resource are not judged.
    assert hits(doc(["arn:aws:s3:::b", "*"], action="s3:ListAllMyBuckets"), "IAM220") == []
    assert hits(doc("arn:aws:*:*:*:x", action="s3:ListAllMyBuckets"), "IAM220") == []


def test_resource_star_for_write_actions():
    t = doc("*", action=["sqs:DeleteQueue", "sqs:ListQueues", "sqs:GetQueueUrl"])
    (f,) = findings(t, "IAM216")
    assert t[f.span.start:f.span.end] == '"*"' and "sqs:DeleteQueue" in f.message
    assert "GetQueueUrl" not in f.message  # read actions are not reported
    assert hits(doc("*", action="sqs:DeleteQueue", Condition={"StringEquals": {"aws:ResourceTag/team": "a"}}),
                "IAM216") == []


def test_effectively_star():
    t = doc(["arn:aws:*:*:*:*", "arn:*:*:*:*:*", "arn:aws:s3:::*", "arn:aws:ec2:*:*:*"])
    assert hits(t, "IAM217") == ['"arn:aws:*:*:*:*"', '"arn:*:*:*:*:*"']
    f = findings(t, "IAM217")[1]
    assert json.loads(f.fixes[0].apply(t))["Statement"][0]["Resource"][1] == "*"


def test_not_resource_with_allow_and_deny_star():
    t = doc("arn:aws:s3:::secret/*", key="NotResource")
    assert hits(t, "IAM218") == ['"NotResource"']
    assert hits(doc("arn:aws:s3:::secret/*", key="NotResource", effect="Deny"), "IAM218") == []
    t = doc(["arn:aws:s3:::x", "*"], key="NotResource", effect="Deny")
    assert hits(t, "IAM219") == ['"*"']
