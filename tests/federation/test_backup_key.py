"""`accord backup` holds the node key and `accord restore` puts it back: a restored node keeps its identity.
(The whole round trip with real processes: tests/security/test_backup.py.)"""

from __future__ import annotations

import stat

import pytest

from accord.core import backup
from accord.federation import envelope

pytestmark = pytest.mark.django_db


def test_a_backup_holds_the_node_key_mode_600_with_its_digest(node, settings, tmp_path):
    key = (settings.DATA_DIR / envelope.KEY_FILE).read_bytes()
    assert backup.carried_files() == {envelope.KEY_FILE: key}
    # create_backup writes them under data/ (mode 600) with their SHA-256 in the manifest; its snapshot of the
    # database cannot run inside a test's transaction: the whole round trip is tests/security/test_backup.py's.


def _unpacked_backup(tmp_path, key: bytes):
    unpacked = tmp_path / "unpacked"
    (unpacked / "data").mkdir(parents=True)
    (unpacked / "data" / envelope.KEY_FILE).write_bytes(key)
    return unpacked, {envelope.KEY_FILE: backup._sha256(key)}


def test_restore_puts_the_node_key_back_and_keeps_one_it_replaces(node, settings, tmp_path):
    key_file = settings.DATA_DIR / envelope.KEY_FILE
    key = key_file.read_bytes()
    unpacked, carried = _unpacked_backup(tmp_path, key)
    key_file.unlink()  # a fresh data dir
    mismatches: list[str] = []
    assert backup._restore_data_files(unpacked, carried, mismatches) == [envelope.KEY_FILE]
    assert key_file.read_bytes() == key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.write_text("another key\n")
    assert backup._restore_data_files(unpacked, carried, mismatches) == [envelope.KEY_FILE] and not mismatches
    assert key_file.read_bytes() == key
    assert [p.read_text() for p in settings.DATA_DIR.glob(f"{envelope.KEY_FILE}.replaced-*")] == ["another key\n"]
    # A copy that does not match its manifest is not put back.
    (unpacked / "data" / envelope.KEY_FILE).write_text("changed\n")
    assert backup._restore_data_files(unpacked, carried, mismatches) == [] and mismatches
    assert key_file.read_bytes() == key


def test_restore_refuses_to_replace_another_node_key_unless_forced(node, settings, tmp_path):
    key_file = settings.DATA_DIR / envelope.KEY_FILE
    _unpacked, carried = _unpacked_backup(tmp_path, key_file.read_bytes())
    key_file.write_text("the key of another node\n")
    with pytest.raises(backup.BackupError, match="is not the federation node key in the backup"):
        backup.check_data_files(carried, force=False)
    backup.check_data_files(carried, force=True)
    assert key_file.read_text() == "the key of another node\n"  # nothing changed by the check
