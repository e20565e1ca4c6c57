"""Backups that restore (README "Backups"): one .tar.gz holding the database, the uploaded files and a manifest.

The database is copied as the database's own tools see it, so every value survives to the microsecond and the
audit chain verifies after a restore (dumpdata/loaddata truncated timestamps and broke it): SQLite through its
online backup API, PostgreSQL through pg_dump's custom format under an exported snapshot, so the manifest's
counts and chain tip are those of the dump. A restore reads and checks the whole archive before it writes anything.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.utils import timezone

from .audit import record_event
from .models import AuditEntry, AuditHead, User

FORMAT, VERSION = "postlicense-backup", 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message is for the operator, in Chinese."""


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file object for tarfile.addfile that hashes what it hands over."""

    def __init__(self, file):
        self.file, self.digest = file, hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _vendor():
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库（只支持 SQLite 和 PostgreSQL）。")
    return connection.vendor


def _model_tables():
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})


def _count_rows(cursor, tables):
    """Rows per table of the project's models that exist in the database the cursor reads."""
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _chain_tip(cursor):
    cursor.execute(f"SELECT last_id, count, last_hash FROM {connection.ops.quote_name(AuditHead._meta.db_table)}")
    row = cursor.fetchone()
    return dict(zip(("entry_id", "count", "hash"), row)) if row else {"entry_id": 0, "count": 0, "hash": ""}


def _pg_binary(name):
    """The newest installed PostgreSQL client (it reads older servers' data), else the one on PATH."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    found = str(installed[-1]) if installed else shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian 包 postgresql-client），或用 PG_BIN_DIR 指定其目录。"
        )
    return found


def _pg_env():
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGDATABASE": db["NAME"],
        "PGUSER": db.get("USER") or "",
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGPASSWORD": db.get("PASSWORD") or "",
    }
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return {key: value for key, value in env.items() if value}


def _run(command):
    try:
        result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"无法运行 {command[0]}：{exc.strerror}") from exc
    if result.returncode:
        raise BackupError(
            f"{Path(command[0]).name} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}"
        )


def _dump_database(target):
    """Copy the database to the file `target`; returns (counts, chain tip) of exactly that copy."""
    tables = [t for t in _model_tables() if t in set(connection.introspection.table_names())]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            cursor = copy.cursor()
            return _count_rows(cursor, tables), _chain_tip(cursor)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts, tip = _count_rows(cursor, tables), _chain_tip(cursor)
        _run(
            [
                _pg_binary("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
    return counts, tip


def _media_root():
    """The local directory of uploaded files, or None when they live in an object store (backed up by its own tools)."""
    return Path(settings.MEDIA_ROOT) if isinstance(default_storage, FileSystemStorage) else None


def _media_files(root):
    if root is None or not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def create_backup(path):
    """Write the archive to `path` (through a temporary file beside it, so no half archive is ever left there)
    and return its manifest."""
    vendor, path = _vendor(), Path(path)
    if path.is_dir():
        raise BackupError(f"{path} 是一个目录：请给出备份文件的路径，例如 {path / 'postlicense.tar.gz'}。")
    try:
        return _write_backup(vendor, path)
    except OSError as exc:
        raise BackupError(f"无法写入备份文件 {path}：{exc.strerror or exc}") from exc


def _write_backup(vendor, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        dump = Path(work) / DATABASE_MEMBER[vendor]
        counts, tip = _dump_database(dump)
        files = {dump.name: {"size": dump.stat().st_size, "sha256": _sha256_file(dump)}}
        partial = Path(work) / "archive.tar.gz"
        root = _media_root()
        with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as archive:
            archive.add(dump, arcname=dump.name, recursive=False)
            for file_path in _media_files(root):
                name = f"{MEDIA}/{file_path.relative_to(root).as_posix()}"
                with open(file_path, "rb") as file:
                    info = archive.gettarinfo(fileobj=file, arcname=name)
                    reader = _HashingReader(file)
                    archive.addfile(info, reader)
                files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
            media = [v for k, v in files.items() if k.startswith(f"{MEDIA}/")]
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "engine": vendor,
                "created": timezone.localtime().isoformat(timespec="seconds"),
                "database": dump.name,
                "counts": counts,
                "audit": tip,
                "media": {"included": root is not None, "files": len(media), "bytes": sum(f["size"] for f in media)},
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    record_event(None, AuditEntry.Action.EXPORT, f"备份 {path.name}", rows=sum(counts.values()))
    return manifest


def _member_kind(name):
    """MANIFEST, the database, a media file; refuses anything that could land outside its place."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or any(part in {"", ".", ".."} for part in name.split("/"))
    ):
        raise BackupError(f"备份文件含有不安全的路径“{name[:200]}”，已拒绝，未写入任何内容。")
    if name == MANIFEST:
        return "manifest"
    if name in DATABASE_MEMBER.values():
        return "database"
    if path.parts[0] == MEDIA and len(path.parts) > 1:
        return "media"
    raise BackupError(f"备份文件含有不属于本系统备份的内容“{name[:200]}”，已拒绝，未写入任何内容。")


def _members(archive):
    """Each regular file member with its kind; any other member type (links, devices, directories) is refused."""
    seen = set()
    for member in archive:
        kind = _member_kind(member.name)
        if not member.isfile():
            raise BackupError(f"备份文件中“{member.name[:200]}”不是普通文件（链接或设备），已拒绝，未写入任何内容。")
        if member.name in seen:
            raise BackupError(f"备份文件中“{member.name[:200]}”出现了两次，已拒绝，未写入任何内容。")
        seen.add(member.name)
        yield member, kind


def _copy_member(archive, member, out=None):
    """Stream a member's content (into the file `out` when given); returns its SHA-256."""
    digest, source = hashlib.sha256(), archive.extractfile(member)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if out is not None:
            out.write(chunk)
    return digest.hexdigest()


def _open(path):
    try:
        return tarfile.open(path, "r:gz")
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {path}。") from exc
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{path} 不是本系统的备份文件（无法作为 .tar.gz 读取），未写入任何内容。") from exc


_DAMAGED = (tarfile.TarError, OSError, EOFError, zlib.error)


def read_manifest(path):
    """Read the whole archive and check it against its manifest; returns the manifest or raises BackupError."""
    digests, manifest = {}, None
    with _open(path) as archive:
        try:
            for member, kind in _members(archive):
                if kind == "manifest":
                    if member.size > MANIFEST_MAX_BYTES:
                        raise BackupError("备份清单过大，不是本系统的备份文件，未写入任何内容。")
                    manifest = _parse_manifest(archive.extractfile(member).read())
                else:
                    digests[member.name] = {"size": member.size, "sha256": _copy_member(archive, member)}
        except _DAMAGED as exc:
            raise BackupError(f"备份文件不完整或已损坏（{exc}），未写入任何内容。") from exc
    if manifest is None:
        raise BackupError(f"{path} 中没有备份清单（{MANIFEST}），不是本系统的备份文件，未写入任何内容。")
    if digests != manifest["files"]:
        differs = sorted(set(digests) ^ set(manifest["files"])) or sorted(
            name for name in digests if digests[name] != manifest["files"][name]
        )
        raise BackupError(f"备份文件与其清单不符（{differs[0][:200]} 缺失、多余或内容已改变），未写入任何内容。")
    return manifest


def _parse_manifest(data):
    try:
        manifest = json.loads(data.decode("utf-8"))
        valid = (
            manifest.get("format") == FORMAT
            and manifest.get("version") == VERSION
            and manifest.get("engine") in DATABASE_MEMBER
            and isinstance(manifest.get("files"), dict)
            and manifest.get("database") == DATABASE_MEMBER[manifest["engine"]]
            and isinstance(manifest.get("counts"), dict)
            and isinstance(manifest.get("audit"), dict)
            and isinstance(manifest.get("media"), dict)
            and isinstance(manifest["media"].get("files"), int)
        )
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError):
        valid = False
    if not valid:
        raise BackupError("备份清单无法识别，不是本系统（本版本）的备份文件，未写入任何内容。")
    return manifest


def database_is_empty():
    """Empty: no tables yet, or only what `migrate` writes (no user, no audit entry)."""
    tables = set(connection.introspection.table_names())
    if User._meta.db_table not in tables:
        return True
    return not User.objects.exists() and not AuditEntry.objects.exists()


def _restore_database(vendor, dump):
    if vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(dump)) as source:
            source.backup(connection.connection)
        return
    connection.close()
    _run(
        [
            _pg_binary("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
    )


def restore_backup(path, force=False):
    """Check the archive, refuse a non-empty target without `force`, then restore the database and the uploaded
    files; returns (manifest, counts of the restored database, its chain tip)."""
    vendor = _vendor()
    manifest = read_manifest(path)
    if manifest["engine"] != vendor:
        raise BackupError(
            f"这是 {ENGINE_NAMES[manifest['engine']]} 数据库的备份，当前数据库是 {ENGINE_NAMES[vendor]}，"
            "无法恢复，未写入任何内容。"
        )
    root = _media_root()
    if manifest["media"]["files"] and root is None:
        raise BackupError(
            "备份含有上传文件，但当前上传文件存放在对象存储（MEDIA_S3_BUCKET）中，"
            "请改用本地 MEDIA_ROOT 恢复后再迁移，未写入任何内容。"
        )
    if not force and (not database_is_empty() or _media_files(root)):
        raise BackupError(
            "目标数据库或上传文件目录不是空的：恢复会覆盖现有数据。确认要覆盖请加 --force，未写入任何内容。"
        )
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=root.parent if root else None) as work:
        staged = Path(work) / MEDIA
        dump = Path(work) / manifest["database"]
        with _open(path) as archive:
            try:
                for member, kind in _members(archive):
                    if kind == "manifest":
                        continue
                    target = dump if kind == "database" else staged.joinpath(*PurePosixPath(member.name).parts[1:])
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "xb") as out:
                        digest = _copy_member(archive, member, out)
                    if digest != manifest["files"][member.name]["sha256"]:
                        raise BackupError(f"备份文件在读取期间被改动（{member.name[:200]}），未写入任何内容。")
            except _DAMAGED as exc:
                raise BackupError(f"备份文件不完整或已损坏（{exc}），未写入任何内容。") from exc
        _restore_database(vendor, dump)
        for file_path in _media_files(staged):
            destination = root / file_path.relative_to(staged)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file_path, destination)
    with connection.cursor() as cursor:
        tables = [t for t in manifest["counts"] if t in set(connection.introspection.table_names())]
        return manifest, _count_rows(cursor, tables), _chain_tip(cursor)
