"""Writes to the register: imports (validated in full first, then written), run as core background jobs."""

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Subquery

from postlicense.core.audit import acting_as
from postlicense.core.jobs import services as jobs
from postlicense.core.jobs.models import Job

from .xlsx import SheetError, open_rows


class ImportKind(models.TextChoices):
    """The sheets a bureau can import (the import pages' URL part) and the job kind that imports each."""

    ENTERPRISES = "enterprises", "获证企业及许可证"
    INSPECTORS = "inspectors", "执法检查人员"


JOB_KINDS = {ImportKind.ENTERPRISES: Job.Kind.IMPORT_ENTERPRISES, ImportKind.INSPECTORS: Job.Kind.IMPORT_INSPECTORS}
SHEET_OF_JOB = {job_kind: sheet for sheet, job_kind in JOB_KINDS.items()}


def import_kinds():
    """ImportKind → (columns, validate, apply) of the module that owns that sheet."""
    from postlicense.inspectors import importing as inspectors_importing

    from . import importing as enterprise_importing

    return {ImportKind.ENTERPRISES: enterprise_importing, ImportKind.INSPECTORS: inspectors_importing}


# Files up to this size are imported within the request (the answer is on the next page); larger ones by the
# job worker while the page polls for progress.
SYNC_IMPORT_BYTES = 256 * 1024


def start_import(user, kind, upload):
    """Store the upload as a job and run it (by the job worker when the file is large)."""
    return jobs.start(user, JOB_KINDS[kind], upload=upload, inline=upload.size <= SYNC_IMPORT_BYTES)


def run_import(job, progress):
    """The import job's handler: validate every row; if any is bad, raise the errors and write nothing;
    otherwise write them all. The bar: validation is the first half, writing the second."""
    module = import_kinds()[SHEET_OF_JOB[job.kind]]
    data_rows = 0

    def counted(rows):
        nonlocal data_rows
        for row in rows:
            data_rows += 1
            yield row

    try:
        with job.file.open("rb") as fh:
            total, rows = open_rows(fh, module.COLUMNS)
            progress(0, total=total, phase="正在校验")
            valid, errors = module.validate(counted(rows), job.created_by, progress=lambda n: progress(n // 2))
    except SheetError as exc:
        raise jobs.JobInputError([{"row": 0, "column": "", "message": str(exc)}]) from exc
    # The job reports the sheet's data rows whatever the outcome (not the enterprises they grouped into,
    # nor the sheet's height with its blank rows): the same file says the same count when it fails and passes.
    if errors:
        raise jobs.JobInputError([e.as_dict() for e in errors], total=data_rows)
    if not valid:
        raise jobs.JobInputError([{"row": 0, "column": "", "message": "文件中没有数据行。"}], total=data_rows)
    progress(data_rows // 2, total=data_rows, phase="正在导入")
    written = 0

    def wrote(n):
        nonlocal written
        written = n
        progress((data_rows + data_rows * n // len(valid)) // 2)

    try:
        with acting_as(job.created_by):
            created, updated = module.apply(valid, progress=wrote)
    except jobs.LeaseLost:
        raise
    except Exception as exc:
        raise jobs.JobFailed(
            f"导入中断：已写入前 {written} 条记录，其余未写入（{exc}）。"
            "点击“重试”或重新导入同一文件即可补全，已写入的记录按信用代码更新。"
        ) from exc
    return {"created": created, "updated": updated}


def license_bars(pairs, today=None):
    """{(credit_code, category_id): message} for new licenses the law bars (条例 第五十五条: three years after a 吊销,
    no new license for the same product). The one check the license form, the API and the import share; the apps
    that record decisions answer through an AppConfig `license_bars(pairs, today)` hook."""
    bars = {}
    pairs = {(code, category_id) for code, category_id in pairs if code and category_id}
    for config in apps.get_app_configs():
        if pairs and hasattr(config, "license_bars"):
            bars.update(config.license_bars(pairs, today))
    return bars


# What a copy of an enterprise's place in the register follows: other apps may store these beside their records (an
# order's region, say, so its lists are scoped without joining the register).
PLACE_FIELDS = ("region_id", "supervising_unit_id")


def enterprises_moved(enterprise_ids):
    """Tell the apps that copy an enterprise's region or supervising unit (PLACE_FIELDS) that these enterprises
    changed either: each answers through an AppConfig `enterprises_moved(enterprise_ids)` hook by copying them again
    from the register. Called by every write that can change them: the enterprise's save (form, API, admin) and the
    import's bulk update."""
    enterprise_ids = list(enterprise_ids)
    if enterprise_ids:
        for config in apps.get_app_configs():
            if hasattr(config, "enterprises_moved"):
                config.enterprises_moved(enterprise_ids)


def copy_place(queryset, enterprise_ids, **copies):
    """What an enterprises_moved hook does: copy the register's fields onto `queryset`'s rows of these enterprises
    (through their `enterprise` foreign key); `copies` maps each row field to the enterprise field, e.g.
    region="region"."""
    from .models import Enterprise

    source = Enterprise.objects.filter(pk=OuterRef("enterprise"))
    queryset.filter(enterprise_id__in=enterprise_ids).update(
        **{field: Subquery(source.values(name)[:1]) for field, name in copies.items()}
    )


def new_license_bar(credit_code, category_id):
    """The message barring this enterprise (by credit code) from a new license for the category, or None."""
    return license_bars([(credit_code, category_id)]).get((credit_code, category_id))
