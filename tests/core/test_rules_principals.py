"""Principal rules (IAM3xx): exact spans, fixes and edge cases."""

from __future__ import annotations

import json

from policy_helpers import doc, spans

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.findings import Severity
from iam_lsp.core.policytype import PolicyType


def run(text: str, code: str, ptype: str | None = None, options: dict | None = None, path: str | None = None):
    cfg = Config(select=[code], options={code: options} if options else {})
    a = analyze(text, path=path, config=cfg, policy_type=PolicyType(ptype) if ptype else None)
    assert not [f for f in a.findings if f.code == "IAM000"], a.findings
    return [f for f in a.findings if f.code == code]





BUCKET = "arn:aws:s3:::example-bucket/*"


def test_iam300_principal_in_identity_policy_and_fix():
    text = doc({"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "*"})
    fs = run(text, "IAM300", "identity")
    assert spans(text, fs) == ['"Principal"']
    fixed = fs[0].fixes[0].apply(text)
    assert "Principal" not in fixed and json.loads(fixed)["Statement"][0]["Action"] == "s3:GetObject"
    assert run(fixed, "IAM300", "identity") == []


def test_iam300_scp_and_not_principal():
    text = doc({"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "*", "Resource": "*"})
    assert spans(text, run(text, "IAM300", "scp")) == ['"NotPrincipal"']
    assert run(text, "IAM300", "resource") == []


def test_iam300_fix_when_principal_is_first_member():
    text = '{"Statement": {"Principal": "*", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}}'
    fixed = run(text, "IAM300", "identity")[0].fixes[0].apply(text)
    assert json.loads(fixed) == {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}


def test_iam301_missing_principal():
    text = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": BUCKET},
               {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET})
    fs = run(text, "IAM301", "resource")
    assert spans(text, fs) == ['"Allow"'] and fs[0].statement_index == 0
    assert fs[0].severity == Severity.ERROR


def test_iam301_trust_named_file_without_principal():
    text = doc({"Effect": "Allow", "Action": "sts:AssumeRole"})
    fs = run(text, "IAM301", path="deploy-trust-policy.json")
    assert spans(text, fs) == ['"Allow"'] and fs[0].severity == Severity.ERROR


def test_iam302_key_case_fix_and_unknown_key():
    text = doc({"Effect": "Allow", "Principal": {"service": "ec2.amazonaws.com", "User": "x"},
                "Action": "sts:AssumeRole"})
    fs = run(text, "IAM302", "trust")
    assert spans(text, fs) == ['"service"', '"User"']
    assert "'Service'" in fs[0].message and not fs[1].fixes
    assert '"Service": "ec2.amazonaws.com"' in fs[0].fixes[0].apply(text)


def test_iam303_bare_arn_string_wrapped():
    text = doc({"Effect": "Allow", "Principal": "arn:aws:iam::123456789012:role/Admin", "Action": "sts:AssumeRole"})
    fs = run(text, "IAM303", "trust")
    assert spans(text, fs) == ['"arn:aws:iam::123456789012:role/Admin"']
    fixed = json.loads(fs[0].fixes[0].apply(text))
    assert fixed["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/Admin"}


def test_iam303_service_string_and_shapes():
    text = doc({"Effect": "Allow", "Principal": "ec2.amazonaws.com", "Action": "sts:AssumeRole"})
    fs = run(text, "IAM303", "trust")
    assert json.loads(fs[0].fixes[0].apply(text))["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    text = doc({"Effect": "Allow", "Principal": {}, "Action": "sts:AssumeRole"},
               {"Effect": "Allow", "Principal": ["*"], "Action": "sts:AssumeRole"},
               {"Effect": "Allow", "Principal": {"AWS": [5, "123456789012"], "Service": []}, "Action": "sts:AssumeRole"})
    fs = run(text, "IAM303", "trust")
    assert spans(text, fs) == ["{}", '[\n        "*"\n      ]', "5", "[]"]
    assert run(doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}), "IAM303",
               "resource") == []


def test_iam304_invalid_aws_principals():
    vals = ["arn:aws:iam::12345678901:root", "arn:aws:iam::123456789012:group/Admins", "alice",
            "arn:aws:s3:::bucket", "123456789012", "arn:aws:iam::123456789012:role/R",
            "arn:aws:sts::123456789012:assumed-role/R/s", "*", "AROA1234567890EXAMPLE",
            "arn:aws:iam::123456789012:role/*"]
    text = doc({"Effect": "Allow", "Principal": {"AWS": vals}, "Action": "sts:AssumeRole"})
    fs = run(text, "IAM304", "trust")
    assert spans(text, fs) == ["12345678901", '"arn:aws:iam::123456789012:group/Admins"', '"alice"',
                               '"arn:aws:s3:::bucket"']
    assert "12 digits" in fs[0].message and "groups cannot be principals" in fs[1].message


def test_iam304_service_under_aws_key_fix():
    text = doc({"Effect": "Allow", "Principal": {"AWS": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    fs = run(text, "IAM304", "trust")
    assert spans(text, fs) == ['"ec2.amazonaws.com"'] and '"Service"' in fs[0].message
    assert json.loads(fs[0].fixes[0].apply(text))["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    two = doc({"Effect": "Allow", "Principal": {"AWS": ["ec2.amazonaws.com", "123456789012"]},
               "Action": "sts:AssumeRole"})
    assert run(two, "IAM304", "trust")[0].fixes == ()


def test_iam305_partial_wildcards():
    text = doc({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:role/deploy-*",
                                                         "arn:aws:iam::*:root", "*"],
                                                 "Federated": "arn:aws:iam::*:saml-provider/Corp"},
                "Action": "sts:AssumeRole"})
    fs = run(text, "IAM305", "trust")
    assert spans(text, fs) == ['"arn:aws:iam::123456789012:role/deploy-*"', "*", "*"]
    assert "every AWS account" in fs[1].message


def test_iam306_unique_id():
    text = doc({"Effect": "Allow", "Principal": {"AWS": ["AIDAJQABLZS4A3QDU576Q", "123456789012"]},
                "Action": "s3:GetObject", "Resource": BUCKET})
    fs = run(text, "IAM306", "resource")
    assert spans(text, fs) == ['"AIDAJQABLZS4A3QDU576Q"'] and "IAM user" in fs[0].message


def test_iam307_public_principal():
    both = [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET},
            {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject", "Resource": BUCKET}]
    text = doc(*both)
    assert spans(text, run(text, "IAM307", "resource")) == ['"*"', '"*"']
    guarded = doc({**both[0], "Condition": {"StringEquals": {"AWS:PrincipalOrgID": "o-a1b2c3d4e5"}}},
                  {**both[1], "Effect": "Deny"})
    assert run(guarded, "IAM307", "resource") == []
    tls_only = doc({**both[0], "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    assert len(run(tls_only, "IAM307", "resource")) == 1


def test_iam307_kms_message():
    text = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
                "Resource": "arn:aws:kms:us-east-1:111122223333:key/abc"})
    fs = run(text, "IAM307", "resource")
    assert "KMS key" in fs[0].message
    ok = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
              "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}})
    assert run(ok, "IAM307", "resource") == []


def test_iam308_and_iam309_not_principal():
    allow = doc({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:*", "Resource": BUCKET})
    deny = doc({"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:*", "Resource": BUCKET})
    assert spans(allow, run(allow, "IAM308", "resource")) == ['"NotPrincipal"']
    assert run(deny, "IAM308", "resource") == []
    assert spans(deny, run(deny, "IAM309", "resource")) == ['"NotPrincipal"']
    assert run(allow, "IAM309", "resource") == []


def test_iam310_carve_outs():
    text = doc({"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "s3:*", "Resource": BUCKET},
               {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET,
                "Condition": {"ArnNotEqualsIfExists": {"aws:PrincipalArn": ["arn:aws:iam::123456789012:role/A",
                                                                            "arn:aws:iam::*:role/Admin*"]},
                              "StringNotLike": {"aws:PrincipalAccount": "1234*"},
                              "StringNotEquals": {"aws:PrincipalTag/team": "a*"}}})
    fs = run(text, "IAM310", "resource")
    assert spans(text, fs) == ['"*"', '"arn:aws:iam::*:role/Admin*"']
    assert "ArnNotLike" in fs[1].message
    fixed = fs[1].fixes[0].apply(text)
    assert '"ArnNotLikeIfExists"' in fixed
    variables = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET,
                     "Condition": {"StringNotEquals": {"aws:PrincipalArn": "${aws:PrincipalArn}*"}}})
    assert run(variables, "IAM310", "resource") == []


def test_iam311_federated_in_resource_policy():
    text = doc({"Effect": "Allow", "Principal": {"Federated": "accounts.google.com", "AWS": "123456789012"},
                "Action": "s3:GetObject", "Resource": BUCKET})
    assert spans(text, run(text, "IAM311", "resource")) == ['"Federated"']
    assert run(text, "IAM311", "trust") == []


def test_iam312_cross_account_owner_from_resources_and_option():
    text = doc({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:role/X", "111122223333"]},
                "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111122223333:alerts"})
    fs = run(text, "IAM312", "resource")
    assert spans(text, fs) == ["444455556666"]
    assert run(text, "IAM312", "resource", {"trusted-accounts": ["444455556666"]}) == []
    unknown_owner = doc({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject",
                         "Resource": BUCKET})
    assert run(unknown_owner, "IAM312", "resource") == []
    assert len(run(unknown_owner, "IAM312", "resource", {"trusted-accounts": ["111122223333"]})) == 1
    # Numbers from TOML keep their leading zeros.
    zero = doc({"Effect": "Allow", "Principal": {"AWS": "012345678901"}, "Action": "s3:GetObject", "Resource": BUCKET})
    assert run(zero, "IAM312", "resource", {"trusted-accounts": [12345678901]}) == []


def test_iam313_canonical_user():
    cu = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    s3 = doc({"Effect": "Allow", "Principal": {"CanonicalUser": cu}, "Action": "s3:GetObject", "Resource": BUCKET})
    assert run(s3, "IAM313", "resource") == []
    sqs = doc({"Effect": "Allow", "Principal": {"CanonicalUser": cu}, "Action": "sqs:SendMessage",
               "Resource": "arn:aws:sqs:us-east-1:111122223333:q"})
    assert spans(sqs, run(sqs, "IAM313", "resource")) == ['"CanonicalUser"']
    trust = doc({"Effect": "Allow", "Principal": {"CanonicalUser": cu}, "Action": "sts:AssumeRole"})
    fs = run(trust, "IAM313", "trust")
    assert fs[0].severity == Severity.ERROR


def test_iam314_service_wildcard():
    text = doc({"Effect": "Allow", "Principal": {"Service": ["*", "ec2.amazonaws.com", "*.amazonaws.com"]},
                "Action": "sts:AssumeRole"})
    assert spans(text, run(text, "IAM314", "trust")) == ['"*"', '"*.amazonaws.com"']


def test_iam315_unknown_service_principal_levels():
    text = doc({"Effect": "Allow", "Principal": {"Service": [
        "lamda.amazonaws.com", "lambda.amazonaws.com", "zzqxv-nothing.amazonaws.com", "EC2.amazonaws.com", "ec2",
        "logs.us-east-1.amazonaws.com"]}, "Action": "sts:AssumeRole"})
    fs = run(text, "IAM315", "trust")
    assert spans(text, fs) == ['"lamda.amazonaws.com"', '"zzqxv-nothing.amazonaws.com"', '"EC2.amazonaws.com"',
                               '"ec2"']
    typo, unknown, upper, bare = fs
    assert typo.severity == Severity.WARNING and "Did you mean 'lambda.amazonaws.com'" in typo.message
    assert '"lambda.amazonaws.com"' in typo.fixes[0].apply(text)
    assert unknown.severity == Severity.SUGGESTION and not unknown.fixes
    assert upper.fixes[0].edits[0].new_text == '"ec2.amazonaws.com"'
    assert "<service>.amazonaws.com" in bare.message and bare.fixes[0].edits[0].new_text == '"ec2.amazonaws.com"'
    assert all(f.severity != Severity.ERROR for f in fs)


def test_iam315_severity_override_wins():
    text = doc({"Effect": "Allow", "Principal": {"Service": "zzqxv-nothing.amazonaws.com"}, "Action": "sts:AssumeRole"})
    cfg = Config(select=["IAM315"], severity={"IAM315": "error"})
    fs = [f for f in analyze(text, config=cfg, policy_type=PolicyType.TRUST).findings if f.code == "IAM315"]
    assert fs[0].severity == Severity.ERROR


def test_iam316_confused_deputy_in_resource_policy():
    base = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:us-east-1:111122223333:q"}
    text = doc(base)
    fs = run(text, "IAM316", "resource")
    assert spans(text, fs) == ['"sns.amazonaws.com"'] and fs[0].severity == Severity.SECURITY
    other = doc({**base, "Condition": {"StringLike": {"aws:Referer": "x"}}})
    assert run(other, "IAM316", "resource")[0].severity == Severity.SUGGESTION
    ok = doc({**base, "Condition": {"StringEquals": {"AWS:SourceAccount": "111122223333"}}})
    assert run(ok, "IAM316", "resource") == []


def test_iam317_principal_key_with_service_principal():
    base = {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
            "Resource": BUCKET}
    text = doc({**base, "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"},
                                      "StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}})
    assert spans(text, run(text, "IAM317", "resource")) == ['"aws:PrincipalTag/team"']
    mixed = doc({**base, "Principal": {"Service": "cloudfront.amazonaws.com", "AWS": "123456789012"},
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}})
    assert run(mixed, "IAM317", "resource") == []


def test_single_object_statement_and_string_shapes():
    text = ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "alice"}, '
            '"Action": "sts:AssumeRole"}}')
    assert spans(text, run(text, "IAM304", "trust")) == ['"alice"']
