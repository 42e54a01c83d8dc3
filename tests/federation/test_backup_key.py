"""`accord backup` holds the node key and `accord restore` puts it back: a restored node keeps its identity."""

from __future__ import annotations

import json
import stat
import tarfile

import pytest

from accord.core import backup
from accord.federation import envelope

pytestmark = pytest.mark.django_db


def test_a_backup_holds_the_node_key_mode_600_with_its_digest(node, settings, tmp_path):
    path = tmp_path / "cn.tar.gz"
    manifest = backup.create_backup(path)
    key = (settings.DATA_DIR / envelope.KEY_FILE).read_bytes()
    assert manifest["data_files"] == {envelope.KEY_FILE: backup._sha256(key)}
    with tarfile.open(path) as tar:
        member = tar.getmember(f"data/{envelope.KEY_FILE}")
        assert member.mode == 0o600
        assert tar.extractfile(member).read() == key  # type: ignore[union-attr]
        assert json.loads(tar.extractfile("manifest.json").read())["data_files"]  # type: ignore[union-attr]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_restore_puts_the_node_key_back_and_keeps_one_it_replaces(node, settings, tmp_path):
    path = tmp_path / "cn.tar.gz"
    backup.create_backup(path)
    key_file = settings.DATA_DIR / envelope.KEY_FILE
    key = key_file.read_bytes()
    key_file.unlink()  # a fresh data dir
    unpacked = tmp_path / "unpacked"
    with tarfile.open(path) as tar:
        tar.extractall(unpacked, filter="data")
    carried = {envelope.KEY_FILE: backup._sha256(key)}
    mismatches: list[str] = []
    assert backup._restore_data_files(unpacked, carried, mismatches) == [envelope.KEY_FILE]
    assert key_file.read_bytes() == key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert envelope.node_id_of(node.public_key) == node.node_id  # the same identity
    key_file.write_text("another key\n")
    assert backup._restore_data_files(unpacked, carried, mismatches) == [envelope.KEY_FILE] and not mismatches
    assert key_file.read_bytes() == key
    assert [p.read_text() for p in settings.DATA_DIR.glob(f"{envelope.KEY_FILE}.replaced-*")] == ["another key\n"]


def test_restore_refuses_to_replace_another_node_key_unless_forced(node, settings, tmp_path):
    path = tmp_path / "cn.tar.gz"
    backup.create_backup(path)
    key_file = settings.DATA_DIR / envelope.KEY_FILE
    key_file.write_text("the key of another node\n")
    with pytest.raises(backup.BackupError, match="is not the federation node key in the backup"):
        backup.restore_backup(path)
    assert key_file.read_text() == "the key of another node\n"  # nothing changed
