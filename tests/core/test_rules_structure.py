"""Document and grammar rules (IAM010-IAM033): exact spans, fixes and edge cases."""

from __future__ import annotations

from iam_lsp.core.analyze import analyze
from iam_lsp.core.config import Config
from iam_lsp.core.policytype import PolicyType


def run(text: str, code: str, ptype: str | None = None):
    res = analyze(text, config=Config(select=[code]), policy_type=PolicyType(ptype) if ptype else None)
    return [f for f in res.findings if f.code == code]


def spans(text: str, code: str, ptype: str | None = None) -> list[str]:
    return [text[f.span.start:f.span.end] for f in run(text, code, ptype)]



OK = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'


def test_valid_policy_is_quiet_for_every_structure_rule():
    res = analyze(OK, config=Config(select=["IAM0"]))
    assert res.findings == []


def test_unsupported_character_points_at_the_run_and_offers_plain_text():
    text = '{"Version": "2012-10-17", "Statement": [{"Sid": "A\u201cB\u201d", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    found = run(text, "IAM012")
    assert [text[f.span.start:f.span.end] for f in found] == ["\u201c", "\u201d"]
    assert "U+201C" in found[0].message
    assert found[0].fixes[0].apply(text)[found[0].span.start] == '"'


def test_unsupported_character_latin1_is_fine_but_cjk_is_not():
    latin = OK.replace('"Allow"', '"Allow"').replace("s3:GetObject", "s3:GetObject\u00e9")
    assert run(latin, "IAM012") == []
    cjk = OK.replace('"Effect"', '"Sid": "\u6570\u636e", "Effect"')
    assert spans(cjk, "IAM012") == ["\u6570\u636e"]
    assert run(cjk, "IAM012")[0].fixes == ()


def test_element_type_points_at_the_value():
    text = '{"Version": 2012, "Statement": [{"Effect": true, "Action": {"s3": "x"}, "Resource": 5, "Condition": []}, "oops"]}'
    assert spans(text, "IAM013") == ["2012", "true", '{"s3": "x"}', "5", "[]", '"oops"']
    msgs = [f.message for f in run(text, "IAM013")]
    assert "Version must be a string, not a number" in msgs


def test_element_type_root_must_be_object():
    assert spans("[1, 2]", "IAM013") == ["[1, 2]"]


def test_element_type_single_object_statement_is_fine():
    text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}}'
    assert run(text, "IAM013") == []


def test_unknown_element_case_typo_gets_a_preferred_fix():
    text = OK.replace('"Effect"', '"effect"')
    found = run(text, "IAM014")
    assert [text[f.span.start:f.span.end] for f in found] == ['"effect"']
    assert "Did you mean 'Effect'" in found[0].message
    fix = found[0].fixes[0]
    assert fix.preferred and fix.apply(text) == OK


def test_unknown_element_close_match_and_top_level_statement_key():
    text = '{"Version": "2012-10-17", "Effect": "Allow", "Statement": [{"Effect": "Allow", "Actions": "s3:GetObject", "Resource": "*"}]}'
    found = run(text, "IAM014")
    assert [text[f.span.start:f.span.end] for f in found] == ['"Effect"', '"Actions"']
    assert "inside a statement" in found[0].message
    assert found[1].fixes[0].edits[0].new_text == '"Action"' and not found[1].fixes[0].preferred


def test_id_in_identity_policy_but_not_in_resource_policy():
    text = '{"Version": "2012-10-17", "Id": "x", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    found = run(text, "IAM015")
    assert [text[f.span.start:f.span.end] for f in found] == ['"Id"']
    assert found[0].fixes[0].apply(text) == OK
    assert run(text, "IAM015", "resource") == []


def test_missing_statement_points_at_root_brace():
    text = '{"Version": "2012-10-17", "statement": []}'
    found = run(text, "IAM016")
    assert [(f.span.start, f.span.end) for f in found] == [(0, 1)]
    assert "'statement'" in found[0].message


def test_empty_statement_array():
    text = '{"Version": "2012-10-17", "Statement": [ ]}'
    assert spans(text, "IAM017") == ["[ ]"]
    assert run('{"Version": "2012-10-17", "Statement": [', "IAM017") == []  # still being typed


def test_missing_version_fix_inserts_before_first_member():
    text = '{\n  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]\n}'
    found = run(text, "IAM018")
    assert [(f.span.start, f.span.end) for f in found] == [(0, 1)]
    fixed = found[0].fixes[0].apply(text)
    assert fixed.startswith('{\n  "Version": "2012-10-17",\n  "Statement"')
    assert run(fixed, "IAM018") == [] and analyze(fixed).tree.ok


def test_invalid_and_legacy_version():
    bad = OK.replace("2012-10-17", "2012-10-18")
    found = run(bad, "IAM019")
    assert spans(bad, "IAM019") == ['"2012-10-18"'] and found[0].fixes[0].apply(bad) == OK
    legacy = OK.replace("2012-10-17", "2008-10-17")
    assert spans(legacy, "IAM020") == ['"2008-10-17"'] and run(legacy, "IAM019") == []
    with_var = legacy.replace('"*"', '"arn:aws:s3:::b/${aws:username}"')
    assert not run(with_var, "IAM020")[0].fixes[0].preferred


def test_missing_effect_points_at_statement_brace():
    text = '{"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}'
    found = run(text, "IAM021")
    start = text.index("[{") + 1
    assert [(f.span.start, f.span.end) for f in found] == [(start, start + 1)] and text[start] == "{"


def test_invalid_effect_fix_case():
    text = OK.replace('"Allow"', '"allow"')
    found = run(text, "IAM022")
    assert spans(text, "IAM022") == ['"allow"']
    assert found[0].fixes[0].preferred and found[0].fixes[0].apply(text) == OK
    other = OK.replace('"Allow"', '"Permit"')
    assert spans(other, "IAM022") == ['"Permit"']


def test_action_presence_and_exclusivity():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}, {"Effect": "Allow", "NotAction": "s3:x", "Action": "s3:GetObject", "Resource": "*"}]}'
    assert len(run(text, "IAM023")) == 1
    found = run(text, "IAM024")
    assert [text[f.span.start:f.span.end] for f in found] == ['"Action"']  # the later of the two keys
    assert text[found[0].related[0].span.start:found[0].related[0].span.end] == '"NotAction"'


def test_missing_resource_not_in_trust_policy():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    assert run(text, "IAM025", "trust") == []
    assert len(run(text, "IAM025", "resource")) == 1
    assert len(run(text, "IAM025", "rcp")) == 1


def test_resource_and_principal_pairs():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "NotPrincipal": {"AWS": "x"}, "Action": "s3:GetObject", "Resource": "*", "NotResource": "y"}]}'
    assert spans(text, "IAM026", "resource") == ['"NotResource"']
    assert spans(text, "IAM027", "resource") == ['"NotPrincipal"']


def test_empty_arrays_and_objects():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": []}, "Action": [], "Resource": [], "Condition": {"StringEquals": {}}}]}'
    assert spans(text, "IAM028", "resource") == ["[]", "[]", "[]"]
    found = run(text, "IAM029", "resource")
    assert [text[f.span.start:f.span.end] for f in found] == ["{}"]
    fixed = found[0].fixes[0].apply(text)
    assert '"Condition": {}' in fixed and analyze(fixed).tree.ok
    empty = OK.replace('"Resource": "*"', '"Resource": "*", "Condition": {}')
    f2 = run(empty, "IAM029")
    assert spans(empty, "IAM029") == ["{}"] and f2[0].fixes[0].apply(empty) == OK


def test_duplicate_sid_error_in_identity_warning_in_resource():
    text = '{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "A", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}'
    found = run(text, "IAM030")
    assert len(found) == 1 and found[0].severity.value == "error"
    assert found[0].span.start == text.rindex('"A"')
    assert found[0].fixes[0].edits[0].new_text == '"A2"'
    assert run(text, "IAM030", "resource")[0].severity.value == "warning"


def test_sid_charset_per_policy_type():
    text = OK.replace('"Effect"', '"Sid": "Allow s3-read", "Effect"')
    found = run(text, "IAM031")
    assert spans(text, "IAM031") == ['"Allow s3-read"']
    assert found[0].severity.value == "error" and found[0].fixes[0].edits[0].new_text == '"AllowS3Read"'
    assert run(text, "IAM031", "resource") == []
    assert run(text, "IAM031", "trust")[0].severity.value == "warning"
    assert run(OK.replace('"Effect"', '"Sid": "Ok123", "Effect"'), "IAM031") == []


def test_empty_sid_fix_removes_member():
    text = OK.replace('"Effect"', '"Sid": "", "Effect"')
    found = run(text, "IAM032")
    assert spans(text, "IAM032") == ['""'] and found[0].fixes[0].apply(text) == OK


def test_schema_violation_reports_nested_types_once():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", 3], "Resource": [null], "Condition": {"Bool": ["x"]}}]}'
    found = run(text, "IAM033")
    assert [text[f.span.start:f.span.end] for f in found] == ["3", "null", '["x"]']
    assert found[0].message.startswith("Statement[0].Action[1]: Expected string")


def test_schema_violation_does_not_repeat_specific_rules():
    text = '{"Version": "2012-10-17", "Statement": [{"effect": "Allow", "Action": "s3:GetObject", "Resource": 5}]}'
    res = analyze(text)
    codes = sorted(f.code for f in res.findings if f.code.startswith("IAM0"))
    assert "IAM033" not in codes and {"IAM013", "IAM014", "IAM021"} <= set(codes)


def test_schema_violation_skips_deep_documents_with_a_warning():
    text = '{"Version": "2012-10-17", "Statement": ' + "[" * 70 + "]" * 70 + "}"
    found = run(text, "IAM033")
    assert len(found) == 1 and found[0].severity.value == "warning" and "71 levels" in found[0].message


def test_schema_violation_skipped_on_syntax_errors():
    assert run('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [1,]}]}', "IAM033") == []


def test_escaped_strings_keep_exact_spans():
    text = OK.replace('"Allow"', '"\\u0061llow"')
    assert spans(text, "IAM022") == ['"\\u0061llow"']


def test_unsupported_character_precheck_agrees_with_the_regex():
    from iam_lsp.core.rules import structure

    samples = ["", "plain ascii\t\n\r", "caf\u00e9 \u00ff", "\x00", "\x1f", "\x7f", "a\u2014b", "\ufeff",
               "\ud800", "\U0001f600", "\u0100", "x" * 1000 + "\x0b"]
    for text in samples:
        assert structure._may_have_bad_chars(text) == bool(structure._BAD_CHARS.search(text)), repr(text)
