"""Backups that restore (issue 11 item 6): round trips with every row, file and the audit chain intact, and
archives an attacker or an unlucky disk made, refused with nothing written."""

import hashlib
import io
import json
import os
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from postlicense.core.audit import acting_as, verify_chain
from postlicense.core.backup import (
    DATABASE_MEMBER,
    FORMAT,
    MANIFEST,
    VERSION,
    create_backup,
    read_manifest,
    restore_backup,
)
from postlicense.core.models import AuditEntry, CalendarYear, User

from .test_audit import anchors_in_tmp  # noqa: F401  (fixture)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def outside_any_transaction(django_db_setup, django_db_blocker, media, tmp_path):
    """The test database with no test transaction around it (SQLite's backup API cannot write into a connection
    inside one, and pg_restore runs beside it), put back as it was afterwards by the restore under test."""
    with django_db_blocker.unblock():
        create_backup(tmp_path / "before-test.tar.gz")
        yield
        for path in media.rglob("*"):
            if path.is_file():
                path.unlink()
        restore_backup(tmp_path / "before-test.tar.gz", force=True)


def some_history():
    admin = User.objects.create_user("backup-admin", password="pw", role=User.Role.CITY_ADMIN)
    with acting_as(admin):
        for year in (2091, 2092):
            item = CalendarYear.objects.create(year=year, source="测试")
            item.source = "国办发明电〔2090〕1号"
            item.save()


def chain():
    return list(AuditEntry.objects.order_by("id").values_list("id", "at", "hash"))


def round_trip(media, tmp_path, capsys):
    some_history()
    (media / "inspections" / "2026").mkdir(parents=True)
    photo = media / "inspections" / "2026" / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 jpeg bytes \x00" * 1000)
    before, users = chain(), User.objects.count()

    call_command("backup", str(tmp_path / "b.tar.gz"))
    manifest = read_manifest(tmp_path / "b.tar.gz")
    assert manifest["audit"]["count"] == len(before) and manifest["media"]["files"] == 1
    call_command("flush", interactive=False)
    photo.unlink()
    assert not AuditEntry.objects.exists()

    call_command("restore", str(tmp_path / "b.tar.gz"))
    assert f"审计日志 {len(before)} 条，哈希链完整" in capsys.readouterr().out
    assert chain() == before  # to the microsecond: the hashes cover the times
    assert User.objects.count() == users and photo.read_bytes() == b"\xff\xd8 jpeg bytes \x00" * 1000
    call_command("audit-verify")
    assert verify_chain().checked == len(before)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite round trip")
def test_sqlite_round_trip_restores_rows_files_and_the_chain(outside_any_transaction, media, tmp_path, capsys):
    round_trip(media, tmp_path, capsys)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://… (make test-postgres)")
def test_postgresql_round_trip_restores_rows_files_and_the_chain(outside_any_transaction, media, tmp_path, capsys):
    round_trip(media, tmp_path, capsys)


def test_backup_records_who_exported_how_many_rows(outside_any_transaction, tmp_path):
    manifest = create_backup(tmp_path / "b.tar.gz")
    entry = AuditEntry.objects.order_by("id").last()
    assert entry.actor_name == "系统" and entry.object_repr == "备份 b.tar.gz"
    assert entry.changes == {"rows": sum(manifest["counts"].values())} and entry.id > manifest["audit"]["entry_id"]


def test_restore_over_a_non_empty_database_needs_force(outside_any_transaction, tmp_path):
    User.objects.create_user("someone")
    create_backup(tmp_path / "b.tar.gz")
    users = User.objects.count()
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(tmp_path / "b.tar.gz"))
    assert User.objects.count() == users


# Hostile and broken archives: each is refused before anything is written. They are made here, from members
# with the manifest a backup would carry, so that only the one defect under test differs.


def tar_gz(members, manifest=None, links=()):
    """A .tar.gz of {name: bytes}; `manifest` (a dict) is added as manifest.json when given, and `links`
    ((name, target) pairs) as symbolic links before everything else."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, target in links:
            link = tarfile.TarInfo(name)
            link.type, link.linkname = tarfile.SYMTYPE, target
            archive.addfile(link)
        items = {**members, **({MANIFEST: json.dumps(manifest).encode()} if manifest is not None else {})}
        for name, data in items.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def backup_members(engine=None):
    """The members of a backup of this database engine, and its manifest."""
    engine = engine or connection.vendor
    database = DATABASE_MEMBER[engine]
    members = {database: os.urandom(200_000), "media/inspections/a.jpg": b"original"}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "engine": engine,
        "created": "2026-11-30T08:00:00+08:00",
        "database": database,
        "counts": {},
        "audit": {"entry_id": 0, "count": 0, "hash": ""},
        "media": {"included": True, "files": 1, "bytes": 8},
        "files": {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in members.items()
        },
    }
    return members, manifest


def test_the_archives_below_differ_from_a_readable_one_by_their_defect_only(tmp_path):
    (tmp_path / "good.tar.gz").write_bytes(tar_gz(*backup_members()))
    assert read_manifest(tmp_path / "good.tar.gz")["files"]["media/inspections/a.jpg"]["size"] == 8


def refused(tmp_path, content, match, media):
    before = (AuditEntry.objects.count(), User.objects.count())
    path = tmp_path / "hostile.tar.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=match):
        call_command("restore", str(path), force=True)
    assert (AuditEntry.objects.count(), User.objects.count()) == before
    assert not any(media.rglob("*")), "nothing may be written to the media directory"
    assert not (tmp_path.parent / "etc").exists() and not any(tmp_path.glob(".restore-*"))


@pytest.mark.parametrize(
    "name",
    ["../../etc/x", "/etc/x", "media/../../etc/x", "media/./x", "media//x", "media\\..\\x", "database.sqlite3/../x"],
)
def test_path_traversal_and_absolute_names_are_refused(db, tmp_path, media, name):
    members, manifest = backup_members()
    members[name] = b"owned"
    manifest["files"][name] = {"size": 5, "sha256": hashlib.sha256(b"owned").hexdigest()}
    refused(tmp_path, tar_gz(members, manifest), "不安全的路径", media)


def test_links_in_an_archive_are_refused(db, tmp_path, media):
    content = tar_gz(*backup_members(), links=[("media/passwd", "/etc/passwd")])
    refused(tmp_path, content, "不是普通文件", media)


def test_a_truncated_archive_is_refused(db, tmp_path, media):
    content = tar_gz(*backup_members())
    refused(tmp_path, content[: len(content) // 2], "不完整或已损坏", media)


def test_a_file_that_is_not_a_tar_gz_is_refused(db, tmp_path, media):
    refused(tmp_path, b"PK\x03\x04 a zip, not a backup", "不是本系统的备份文件", media)


def test_a_foreign_tar_gz_without_manifest_is_refused(db, tmp_path, media):
    members, _ = backup_members()
    refused(tmp_path, tar_gz(members), "没有备份清单", media)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(format="other-backup"),
        lambda m: m.update(version=2),
        lambda m: m.update(engine=["sqlite"]),
        lambda m: m.pop("media"),
        lambda m: m.update(files=[]),
        lambda m: m.clear(),
    ],
    ids=["format", "version", "engine", "no-media", "files", "empty"],
)
def test_a_foreign_manifest_is_refused(db, tmp_path, media, change):
    members, manifest = backup_members()
    change(manifest)
    refused(tmp_path, tar_gz(members, manifest), "无法识别", media)


def test_a_manifest_that_is_not_json_is_refused(db, tmp_path, media):
    members, _ = backup_members()
    refused(tmp_path, tar_gz({**members, MANIFEST: b"\xff\xfe not json"}), "无法识别", media)


def test_a_member_changed_after_the_backup_is_refused(db, tmp_path, media):
    members, manifest = backup_members()
    members["media/inspections/a.jpg"] = b"tampered"
    refused(tmp_path, tar_gz(members, manifest), r"与其清单不符（media/inspections/a\.jpg", media)


def test_a_member_missing_from_the_archive_is_refused(db, tmp_path, media):
    members, manifest = backup_members()
    del members["media/inspections/a.jpg"]
    refused(tmp_path, tar_gz(members, manifest), "与其清单不符", media)


def test_a_backup_of_another_database_engine_is_refused(db, tmp_path, media):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    refused(tmp_path, tar_gz(*backup_members(other)), "无法恢复", media)


def test_a_backup_into_a_directory_or_an_unwritable_place_is_a_chinese_error(db, tmp_path):
    with pytest.raises(CommandError, match="是一个目录"):
        call_command("backup", str(tmp_path))
    (tmp_path / "a-file").write_text("")
    with pytest.raises(CommandError, match="无法写入备份文件"):
        call_command("backup", str(tmp_path / "a-file" / "b.tar.gz"))
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_a_missing_backup_file_is_a_chinese_error(db, tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar.gz"))
