"""The inspector directory's export: the register's ListExport (registry.exporting), a job from
settings.JOBS["EXPORT_ROWS"] rows on (issue 12 §2c)."""

from django.http import QueryDict

from postlicense.core.jobs.models import Job
from postlicense.registry.exporting import ListExport

from . import importing, selectors
from .forms import InspectorFilterForm

INSPECTORS = ListExport(
    Job.Kind.EXPORT_INSPECTORS, importing, "执法检查人员名录", "执法检查人员", "inspectors", "inspectors:inspector_list"
)


def filtered(user, params):
    """(the filter form, the inspectors it selects) for `user` and the query `params`."""
    form = InspectorFilterForm(params or None, user=user)
    return form, selectors.filter_inspectors(selectors.inspectors_for(user), **form.filters())


def run_inspector_export(job, progress):
    return INSPECTORS.run(job, progress, filtered(job.created_by, QueryDict(job.input["query"]))[1])
