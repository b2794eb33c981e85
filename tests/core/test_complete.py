"""Completion on complete and half-typed documents: labels, replace spans, ordering, snippets."""

from __future__ import annotations

import json
import time

from iam_lsp.core.complete import Candidate, complete_at, placeholders_to_snippet
from iam_lsp.core.knowledge import knowledge_base
from iam_lsp.core.policytype import PolicyType


def at_end(text: str, **kw) -> list[Candidate]:
    return complete_at(text, len(text), **kw).items


def ordered(items: list[Candidate]) -> list[str]:
    return [c.label for c in sorted(items, key=lambda c: (c.sort_text or c.label))]


def by_label(items: list[Candidate], label: str) -> Candidate:
    return next(c for c in items if c.label == label)


def test_effect_values_in_unterminated_empty_string():
    text = '{"Statement": [{"Effect": "'
    items = at_end(text)
    assert ordered(items) == ["Allow", "Deny"]
    allow = by_label(items, "Allow")
    assert allow.insert_text == '"Allow"' and not allow.is_snippet
    assert text[allow.replace_span.start:allow.replace_span.end] == '"'
    assert allow.filter_text == '"Allow"'


def test_effect_values_after_colon_without_quote():
    text = '{"Statement": [{"Effect": '
    allow = by_label(at_end(text), "Allow")
    assert allow.replace_span.start == allow.replace_span.end == len(text)
    assert allow.insert_text == '"Allow"'


def test_effect_replaces_whole_terminated_string():
    text = '{"Statement": [{"Effect": "Al", "Action": "*"}]}'
    off = text.index('"Al"') + 3
    allow = by_label(complete_at(text, off).items, "Allow")
    assert text[allow.replace_span.start:allow.replace_span.end] == '"Al"'


def test_version_value():
    items = at_end('{"Version": "')
    assert [c.label for c in items] == ["2012-10-17"]


def test_service_prefixes_without_colon():
    text = '{"Statement": [{"Action": "s'
    res = complete_at(text, len(text))
    assert res.is_incomplete  # the client must ask again once the colon is typed
    labels = ordered(res.items)
    assert "*" not in labels and all("s" in label for label in labels)  # narrowed to what "s" can select
    assert ordered(complete_at('{"Statement": [{"Action": "', 27).items)[0] == "*"
    s3 = by_label(res.items, "s3")
    assert s3.kind == "service" and s3.detail == "Amazon S3"
    assert s3.insert_text == '"s3:$0"' and s3.is_snippet
    assert text[s3.replace_span.start:s3.replace_span.end] == '"s'


def test_actions_of_a_service_with_details_and_wildcards():
    text = '{"Statement": [{"Action": "s3:Get'
    items = at_end(text)
    get = by_label(items, "s3:GetObject")
    assert get.kind == "action" and get.detail == "Read"
    assert get.documentation.startswith("Grants permission to retrieve objects")
    assert get.insert_text == '"s3:GetObject"'
    assert text[get.replace_span.start:get.replace_span.end] == '"s3:Get'
    labels = ordered(items)
    # Actions first (alphabetical), then the wildcard forms; narrowed to what "s3:Get" can select.
    assert labels.index("s3:GetBucketAcl") < labels.index("s3:GetObject") < labels.index("s3:Get*")
    assert "s3:AbortMultipartUpload" not in labels
    full = ordered(complete_at('{"Statement": [{"Action": "s3:', 30).items)
    assert full.index("s3:AbortMultipartUpload") < full.index("s3:*") < full.index("s3:Get*")
    assert by_label(items, "s3:Get*").detail.endswith("actions")
    assert not [c for c in items if not c.label.startswith("s3:")]


def test_actions_in_array_after_other_items():
    text = '{"Statement": [{"Action": ["s3:GetObject", "iam:Pass'
    items = at_end(text)
    assert "iam:PassRole" in [c.label for c in items]
    c = by_label(items, "iam:PassRole")
    assert text[c.replace_span.start:c.replace_span.end] == '"iam:Pass'


def test_statement_keys_skip_present_and_pairs():
    text = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "'
    items = at_end(text)
    assert ordered(items) == ["Sid", "Principal", "NotPrincipal", "Resource", "NotResource", "Condition"]
    res = by_label(items, "Resource")
    assert res.insert_text == '"Resource": "$1"' and res.is_snippet
    assert text[res.replace_span.start:res.replace_span.end] == '"'


def test_statement_keys_by_policy_type():
    text = '{"Statement": [{"'
    identity = ordered(at_end(text, policy_type=PolicyType.IDENTITY))
    assert "Principal" not in identity and "Resource" in identity
    trust = ordered(at_end(text, policy_type=PolicyType.TRUST))
    assert "Principal" in trust and "Resource" not in trust and "NotPrincipal" not in trust


def test_key_with_existing_colon_inserts_only_the_name():
    text = '{"Statement": [{"Eff": "Allow"}]}'
    off = text.index('"Eff"') + 4
    eff = by_label(complete_at(text, off).items, "Effect")
    assert eff.insert_text == '"Effect"' and not eff.is_snippet
    assert text[eff.replace_span.start:eff.replace_span.end] == '"Eff"'


def test_top_level_keys():
    text = '{"Version": "2012-10-17", "'
    assert ordered(at_end(text)) == ["Id", "Statement"]


def test_principal_types_and_service_values():
    assert ordered(at_end('{"Statement": [{"Principal": {"')) == ["AWS", "Service", "Federated", "CanonicalUser"]
    items = at_end('{"Statement": [{"Principal": {"Service": "')
    labels = {c.label for c in items}
    assert {"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"} <= labels


def test_federated_providers():
    items = at_end('{"Statement": [{"Principal": {"Federated": "')
    assert ordered(items) == [
        "arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com",
        "arn:aws:iam::ACCOUNT:oidc-provider/HOST",
        "arn:aws:iam::ACCOUNT:saml-provider/NAME",
        "cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com",
    ]
    gh = items[0]
    assert gh.insert_text == '"arn:aws:iam::${1:123456789012}:oidc-provider/token.actions.githubusercontent.com"'
    assert gh.is_snippet


def test_condition_operators_every_spelling():
    items = at_end('{"Statement": [{"Condition": {"')
    labels = [c.label for c in items]
    assert len(labels) == 159
    assert {"StringEquals", "StringLikeIfExists", "ForAllValues:StringEquals", "ForAnyValue:ArnLikeIfExists"} <= set(labels)
    assert "NullIfExists" not in labels
    order = ordered(items)
    assert order[0] == "StringEquals"
    assert order.index("Null") < order.index("StringEqualsIfExists") < order.index("ForAllValues:StringEquals")
    op = by_label(items, "StringEquals")
    assert op.insert_text == '"StringEquals": {\n\t"$1": "$2"\n}'


def test_passrole_condition_keys_come_first():
    text = '{"Statement": [{"Action": ["iam:PassRole", "s3:GetObject"], "Condition": {"StringEquals": {"'
    items = at_end(text)
    order = ordered(items)
    assert order[:2] == ["iam:PassedToService", "iam:AssociatedResourceArn"]
    assert "s3:ExistingObjectTag/<key>" in order  # the other action's keys
    assert order.index("s3:ExistingObjectTag/<key>") < order.index("aws:SourceIp")
    tag = by_label(items, "s3:ExistingObjectTag/<key>")
    assert tag.insert_text == '"s3:ExistingObjectTag/${1:key}": "$1"'
    passed = by_label(items, "iam:PassedToService")
    assert passed.kind == "condition-key" and passed.detail == "String"
    assert text[passed.replace_span.start:passed.replace_span.end] == '"'


def test_condition_keys_skip_present_and_use_globals_for_star():
    text = '{"Statement": [{"Action": "*", "Condition": {"Bool": {"aws:SecureTransport": "true", "'
    items = at_end(text)
    labels = {c.label for c in items}
    assert "aws:SecureTransport" not in labels and "aws:SourceIp" in labels
    globals_ = {k.key for k in knowledge_base().global_condition_keys()}
    assert {c.label for c in items} <= globals_
    mfa = by_label(items, "aws:MultiFactorAuthPresent")
    assert mfa.insert_text == '"aws:MultiFactorAuthPresent": "${1|true,false|}"'


def test_federated_claims_first_in_trust_policy():
    text = ('{"Statement": [{"Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/'
            'token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", '
            '"Condition": {"StringLike": {"')
    order = ordered(at_end(text))
    assert order[:2] == ["token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"]


def test_condition_values():
    svc = at_end('{"Statement": [{"Condition": {"StringEquals": {"iam:PassedToService": "')
    assert "lambda.amazonaws.com" in {c.label for c in svc}
    assert ordered(at_end('{"Statement": [{"Condition": {"Bool": {"aws:SecureTransport": "')) == ["true", "false"]
    assert ordered(at_end('{"Statement": [{"Condition": {"Null": {"aws:TagKeys": ["')) == ["true", "false"]
    aud = at_end('{"Statement": [{"Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "')
    assert [c.label for c in aud] == ["sts.amazonaws.com"]
    sub = at_end('{"Statement": [{"Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "')
    assert ordered(sub)[0] == "repo:ORG/REPO:ref:refs/heads/main"
    assert sub[0].insert_text == '"repo:${1:ORG}/${2:REPO}:ref:refs/heads/${3:main}"'


def test_resource_arn_templates_from_actions():
    text = '{"Statement": [{"Action": "iam:PassRole", "Resource": "'
    items = at_end(text)
    assert ordered(items) == ["arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "*"]
    role = items[1] if items[0].label == "*" else items[0]
    assert role.insert_text == '"arn:${1:aws}:iam::${2:Account}:role/${3:RoleNameWithPath}"'
    assert role.is_snippet


def test_statement_snippets_in_array():
    items = at_end('{"Version": "2012-10-17", "Statement": [')
    assert ordered(items) == ["statement", "trust-service", "trust-github-oidc", "trust-cross-account", "passrole"]
    gh = by_label(items, "trust-github-oidc")
    body = gh.insert_text
    assert '"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"' in body
    assert "repo:${2:ORG}/${3:REPO}:ref:refs/heads/${4:main}" in body
    assert '"sts:ExternalId"' in by_label(items, "trust-cross-account").insert_text
    assert '"iam:PassedToService"' in by_label(items, "passrole").insert_text


def test_snippets_are_valid_json_once_filled():
    import re

    for c in at_end(""):
        filled = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", c.insert_text)
        filled = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", filled).replace("$0", "")
        doc = json.loads(filled)
        assert doc["Version"] == "2012-10-17" and len(doc["Statement"]) == 1


def test_non_ascii_text_before_cursor():
    text = '{"Id": "Política 🚀 ü", "Statement": [{"Effect": "Al'
    allow = by_label(at_end(text), "Allow")
    assert text[allow.replace_span.start:allow.replace_span.end] == '"Al'
    assert allow.replace_span.end == len(text)


def test_nothing_after_complete_value():
    text = '{"Statement": [{"Effect": "Allow"}]}'
    assert complete_at(text, text.index("}")).items == []


def test_placeholders_to_snippet_escapes_dollars():
    assert placeholders_to_snippet("a$b:${X}}") == "a\\$b:${1:X}\\}"


def test_completion_is_fast_on_a_6kb_document():
    stmt = ('{"Sid": "S%d", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "iam:PassRole"], '
            '"Resource": "arn:aws:s3:::bucket-%d/*", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}')
    body = ", ".join(stmt % (i, i) for i in range(30))
    doc = '{"Version": "2012-10-17", "Statement": [' + body + ', {"Action": ["iam:PassRole"], "Condition": {"StringEquals": {"'
    assert len(doc) > 6000
    tail = '"}}}]}'
    text = doc + tail
    cursor = len(doc)
    complete_at(text, cursor)  # warm the knowledge base
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        res = complete_at(text, cursor)
        times.append(time.perf_counter() - t0)
    assert ordered(res.items)[0] == "iam:PassedToService"
    times.sort()
    assert times[int(len(times) * 0.99) - 1] < 0.05  # target 10 ms; generous bound against slow CI


def test_deprecated_condition_keys_are_not_offered():
    text = '{"Statement": [{"Action": "iam:PassRole", "Condition": {"StringEquals": {"'
    labels = [c.label for c in complete_at(text, len(text)).items]
    assert "aws:ARN" not in labels and "aws:PrincipalArn" in labels
