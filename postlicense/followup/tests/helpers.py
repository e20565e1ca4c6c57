"""Orders on finished records with problems, for follow-up tests."""

from datetime import date

from postlicense.followup import services
from postlicense.followup.models import RectificationOrder
from postlicense.inspections import services as inspections
from postlicense.inspections.models import Problem
from postlicense.inspections.tests.factories import make_enterprise, make_inspector
from postlicense.inspections.tests.helpers import all_conforming, fill_and_sign, new_record

FAIL_003 = {"6": ("检验记录不全", "不符合", "缺3批"), "7": ("已建立未执行", "不符合", "进货台帐未登记")}


def failed_record(by, enterprise=None, numbers=("6", "7"), day=date(2026, 5, 1)):
    record = new_record(enterprise=enterprise or make_enterprise())
    findings = all_conforming(record)
    for number in numbers:
        item = record.template_version.items.get(number=number)
        findings[item.pk] = FAIL_003[number]
    record = fill_and_sign(record, findings, summary="出厂检验记录不全", day=day)
    return inspections.finish(record, by=by)


def issued_order(by, record=None, **kw):
    record = record or failed_record(by)
    return services.issue_order(
        enterprise=record.enterprise,
        unit=record.enterprise.supervising_unit,
        by=by,
        source_kind=RectificationOrder.SourceKind.INSPECTION,
        source_label=f"检查记录 {record.pk}",
        problems=Problem.objects.filter(record=record).order_by("pk"),
        source_record=record,
        issued_on=kw.pop("issued_on", date(2026, 5, 6)),
        **kw,
    )


def served_order(by, served_on=date(2026, 5, 8), **kw):
    order = issued_order(by, **kw)
    return services.serve_order(
        order, by=by, served_on=served_on, method="direct", receiver="张三", today=date(2026, 11, 30)
    )


def revisit_answers(record, corrected):
    """Answers for a revisit record: the scoped items corrected (conforming) or not, by item number."""
    findings = {}
    base = all_conforming(record)
    for item in record.checked_items():
        if corrected.get(item.number, True):
            findings[item.pk] = base[item.pk]
        else:
            findings[item.pk] = FAIL_003[item.number]
    return findings


def finish_revisit(revisit, by, corrected, day=date(2026, 6, 25)):
    record = fill_and_sign(revisit.record, revisit_answers(revisit.record, corrected), summary="复查", day=day)
    return inspections.finish(record, by=by)


def crew(org_code="xuchang-weidu"):
    return [make_inspector(org_code), make_inspector(org_code)]
