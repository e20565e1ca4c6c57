"""Writes to the register: imports (validated in full first, then written in one transaction)."""

import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from postlicense.core.audit import acting_as

from .models import ImportJob
from .xlsx import SheetError, open_rows


def import_kinds():
    """ImportJob.Kind → (columns, validate, apply) of the module that owns that sheet."""
    from postlicense.inspectors import importing as inspectors_importing

    from . import importing as enterprise_importing

    return {ImportJob.Kind.ENTERPRISES: enterprise_importing, ImportJob.Kind.INSPECTORS: inspectors_importing}


# Files up to this size are imported within the request; larger ones in a thread the page polls for progress.
SYNC_IMPORT_BYTES = 256 * 1024


def start_import(user, kind, upload):
    """Store the upload as an ImportJob and run it (in a background thread when the file is large)."""
    job = ImportJob.objects.create(kind=kind, file=upload, filename=upload.name[:200], created_by=user)
    if upload.size > SYNC_IMPORT_BYTES:
        threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"import-job-{job.pk}", daemon=True).start()
    else:
        run_import(job)
    return job


def _run_in_thread(job_pk):
    close_old_connections()
    try:
        run_import(ImportJob.objects.get(pk=job_pk))
    finally:
        connection.close()


def _set(job, **values):
    for key, value in values.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def run_import(job):
    """Validate every row; if any is bad, record the errors and write nothing; otherwise write them all."""
    module = import_kinds()[job.kind]
    data_rows = 0

    def counted(rows):
        nonlocal data_rows
        for row in rows:
            data_rows += 1
            yield row

    try:
        with job.file.open("rb") as fh:
            total, rows = open_rows(fh, module.COLUMNS)
            _set(job, status=ImportJob.Status.VALIDATING, total=total)
            valid, errors = module.validate(
                counted(rows), job.created_by, progress=lambda n: _set(job, processed=n // 2)
            )
    except SheetError as exc:
        return _set(
            job,
            status=ImportJob.Status.INVALID,
            errors=[{"row": 0, "column": "", "message": str(exc)}],
            finished_at=timezone.now(),
        )
    # The job reports the sheet's data rows whatever the outcome (not the enterprises they grouped into,
    # nor the sheet's height with its blank rows): the same file says the same count when it fails and passes.
    if errors:
        return _set(
            job,
            status=ImportJob.Status.INVALID,
            total=data_rows,
            errors=[e.as_dict() for e in errors],
            finished_at=timezone.now(),
        )
    if not valid:
        return _set(
            job,
            status=ImportJob.Status.INVALID,
            total=data_rows,
            finished_at=timezone.now(),
            errors=[{"row": 0, "column": "", "message": "文件中没有数据行。"}],
        )
    _set(job, status=ImportJob.Status.IMPORTING, total=data_rows, processed=data_rows // 2)
    written = 0

    def wrote(n):  # the bar: validation is the first half, writing (n of the valid records) the second
        nonlocal written
        written = n
        _set(job, processed=(data_rows + data_rows * n // len(valid)) // 2)

    try:
        with acting_as(job.created_by):
            created, updated = module.apply(valid, progress=wrote)
    except Exception as exc:  # noqa: BLE001 - the job must end with a readable state whatever went wrong
        _set(
            job,
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                {
                    "row": 0,
                    "column": "",
                    "message": f"导入中断：已写入前 {written} 条记录，其余未写入（{exc}）。重新导入同一文件即可补全，已写入的记录按信用代码更新。",
                }
            ],
        )
        raise
    _set(
        job,
        status=ImportJob.Status.DONE,
        processed=data_rows,
        created=created,
        updated=updated,
        finished_at=timezone.now(),
    )
