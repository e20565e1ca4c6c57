"""List exports in the import layout (an export can be edited and re-imported; issue 12 §2c): up to
settings.JOBS["EXPORT_ROWS"] rows the file is the answer to the request; from there on a background job writes it,
showing its progress, and the user who asked downloads it from the job's page (core.jobs). Either way the
download is recorded in the audit trail as an export of personal data."""

from dataclasses import dataclass

from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from postlicense.core import exports
from postlicense.core.audit import record_export
from postlicense.core.jobs import services as jobs
from postlicense.core.jobs.models import Job

from . import importing, selectors
from .forms import EnterpriseFilterForm
from .xlsx import sheets


@dataclass(frozen=True)
class ListExport:
    kind: str  # the job kind that writes a large one
    module: object  # the import module whose COLUMNS and export_rows lay the file out
    label: str  # the file's name and the audit entry's detail
    sheet_title: str
    fallback: str  # the ASCII file name
    back: str  # URL name of the list, linked from the finished job

    def file(self, qs, progress=None):
        """(file name, ASCII fallback name, bytes) of today's list `qs`."""
        day = f"{timezone.localdate():%Y%m%d}"
        rows = self.module.export_rows(qs)
        if progress is not None:
            progress(0, total=qs.count(), phase="正在导出")
            rows = jobs.counting(rows, progress)
        name = f"{self.label}-{day}.xlsx"
        content = exports.render(name, sheets(self.module.COLUMNS, rows, self.sheet_title))
        return name, f"{self.fallback}-{day}.xlsx", content

    def respond(self, request, qs):
        """The export view's answer: the file, or from JOBS["EXPORT_ROWS"] rows the page of the job writing it."""
        count = qs.count()
        if jobs.export_runs_as_job(count):
            query = request.GET.urlencode()
            back = {"url": reverse(self.back), "link": f"返回{self.sheet_title}列表"}
            return redirect(jobs.start(request.user, self.kind, input={"query": query, **back}))
        name, ascii_name, content = self.file(qs)
        record_export(request, self.label, rows=count, target=qs.model)
        return exports.respond(name, content, ascii_name)

    def run(self, job, progress, qs):
        """The job's handler: write the file as the job's result (downloaded and audited from its page)."""
        name, _, content = self.file(qs, progress)
        jobs.save_output(job, name, content)
        return {"rows": job.total}


ENTERPRISES = ListExport(
    Job.Kind.EXPORT_ENTERPRISES, importing, "获证企业名录", "获证企业", "enterprises", "registry:enterprise_list"
)


def enterprise_rows(user, params):
    """The enterprises the list shows `user` for the query `params` (a QueryDict), in export order."""
    form = EnterpriseFilterForm(params or None, user=user)
    return selectors.filter_enterprises(selectors.enterprises_for(user), form.to_filter())


def run_enterprise_export(job, progress):
    return ENTERPRISES.run(job, progress, enterprise_rows(job.created_by, QueryDict(job.input["query"])))
