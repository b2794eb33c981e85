"""Which JSON documents the editor treats as IAM policies."""

from iam_lsp.core.documents import is_json_document, is_policy_document

POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'


def test_policy_with_version_and_statement():
    assert is_policy_document(POLICY, "/p/bucket.json")


def test_statement_alone_or_iam_version_alone_is_enough():
    assert is_policy_document('{"Statement": []}')
    assert is_policy_document('{"Version": "2012-10-17"')  # half-typed
    assert not is_policy_document('{"Version": "1.0.0", "name": "x"}')


def test_unrelated_json_is_not_a_policy():
    assert not is_policy_document('{"name": "x", "version": "1.0.0"}', "/p/data.json")
    assert not is_policy_document("[1, 2, 3]", "/p/list.json")
    assert not is_policy_document("not json at all", "/p/x.json")


def test_well_known_files_never_count_even_with_policy_keys():
    assert not is_policy_document(POLICY, "/p/package.json")
    assert not is_policy_document(POLICY, "/p/tsconfig.build.json")


def test_cloudformation_template_is_not_a_policy():
    cfn = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, "Statement": []}'
    assert not is_policy_document(cfn, "/p/stack.json")


def test_include_and_exclude_globs():
    assert is_policy_document('{"anything": 1}', "/p/policies/a.json", include=["policies/*.json", "a.json"])
    assert not is_policy_document(POLICY, "/p/vendor/a.json", exclude=["vendor/*", "*/vendor/*"])


def test_over_max_size_decides_from_the_head():
    big = POLICY[:-1] + " " * 500 + "}"
    assert is_policy_document(big, "/p/a.json", max_size=100)
    assert not is_policy_document('{"x": "' + "a" * 500 + '"}', "/p/a.json", max_size=100)


def test_json_language_ids_and_suffixes():
    assert is_json_document("json", None)
    assert is_json_document("jsonc", "/x/y.txt")
    assert is_json_document(None, "/x/policy.JSON")
    assert not is_json_document("python", "/x/y.py")
