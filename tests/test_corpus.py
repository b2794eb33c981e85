"""False-alarm test on real policies nobody on this project wrote (../shared/corpus).

AWS's managed policies and documented trust policies must get no error-level finding, except the true
errors IAM Access Analyzer itself reported on them (managed-known-errors.tsv), which must be flagged.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from iam_lsp.core.analyze import analyze
from iam_lsp.core.findings import Severity

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# Same defects as Access Analyzer's known errors, in a policy version AWS published after its run
# (v81 of 2026-06-04; the analyzer ran on 2026-03-07): a multi-label service principal in
# aws:CalledVia*, and events:detail-type with several values but no set qualifier.
NEWER_VERSION_TRUE_ERRORS = {
    "SageMakerStudioProjectProvisioningRolePolicy": {"IAM545", "IAM560"},
}
# Access Analyzer issue codes and the rules that report them.
ISSUE_RULES = {
    "INVALID_ACTION": {"IAM103"},
    "INVALID_SERVICE_IN_ACTION": {"IAM102"},
    "INVALID_SERVICE": {"IAM205", "IAM102"},
    "MISSING_QUALIFIER": {"IAM560"},
    "INVALID_SERVICE_CONDITION_KEY": {"IAM532"},
    "INVALID_SERVICE_PRINCIPAL_FORMAT": {"IAM545"},
}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


def known_errors() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with (CORPUS / "managed-known-errors.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.setdefault(row["policy"], []).append(row)
    return out


@functools.lru_cache(maxsize=1)
def corpus_errors() -> dict[str, set[str]]:
    errors: dict[str, set[str]] = {}
    for folder in ("managed", "trust"):
        for path in sorted((CORPUS / folder).glob("*.json")):
            found = analyze(path.read_text(encoding="utf-8"), path=str(path)).findings
            codes = {f.code for f in found if f.severity == Severity.ERROR}
            if codes:
                errors[f"{folder}/{path.stem}"] = codes
    return errors


def test_no_error_level_finding_except_known_true_errors():
    known = known_errors()
    unexpected = {}
    for name, codes in corpus_errors().items():
        folder, stem = name.split("/", 1)
        allowed: set[str] = set(NEWER_VERSION_TRUE_ERRORS.get(stem, set()))
        if folder == "managed":
            for row in known.get(stem, []):
                allowed |= ISSUE_RULES[row["issue_code"]]
        extra = codes - allowed
        if extra:
            unexpected[name] = sorted(extra)
    assert not unexpected, unexpected


def test_known_true_errors_are_flagged():
    missed = []
    errors = corpus_errors()
    for stem, rows in known_errors().items():
        codes = errors.get(f"managed/{stem}", set())
        for row in rows:
            if row["same_version_as_corpus"] != "yes":
                continue  # the corpus holds another version than the one AWS analysed
            if not codes & ISSUE_RULES[row["issue_code"]]:
                missed.append((stem, row["issue_code"], row["json_path"]))
    assert not missed, missed
