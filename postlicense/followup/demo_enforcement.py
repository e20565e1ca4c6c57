"""Demo data for license decisions, interviews, cases and the tracking list (today 2026-11-30 in the demo).

One county (the first with enterprises and problems): a proposal in each state with the steps back-dated into a
coherent story, an interview held with commitments and one notified, a clue awaiting 立案 and a case closed, an
enterprise registered 停产 (so the tracking list and the daily candidate search have something to show).
Deadlines fall in 2026 (the calendar has no 2027 data yet).
"""

from datetime import date, datetime, time

from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.core.models import OrgUnit, User
from postlicense.inspections.models import Problem
from postlicense.registry.models import Enterprise, License

from . import cases, decisions, interviews
from .models import Interview
from .models import LicenseDecisionProposal as P

DEMO_COUNTY = "xuchang-weidu"


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _users(unit):
    staff = User.objects.filter(org_unit=unit, role=User.Role.COUNTY_STAFF).first()
    inspector = User.objects.filter(org_unit=unit, role=User.Role.INSPECTOR).first()
    city = User.objects.filter(org_unit=unit.parent, role=User.Role.CITY_ADMIN).first() if unit.parent_id else None
    return staff, inspector, city


def _proposals(unit, staff, city, stdout):
    licenses = list(
        License.objects.filter(enterprise__supervising_unit=unit, status=License.Status.VALID)
        .exclude(decision_proposals__isnull=False)
        .select_related("enterprise")
        .order_by("enterprise_id", "id")[:4]
    )
    if len(licenses) < 4:
        return
    story = [
        # (license, kind, ground, facts, proposed, confirmed, forwarded, decision or dismissal)
        (
            P.Kind.REVOKE,
            P.Ground.UNMARKED,
            "2026年9月检查发现出厂产品未标注生产许可证标志和编号，责令改正后复查仍未改正，情节严重。",
        ),
        (P.Kind.CANCEL, P.Ground.STOPPED_PRODUCTION, "企业自2026年3月起停止生产，经现场核实生产设备已拆除。"),
        (P.Kind.REVOKE, P.Ground.LENT, "企业涉嫌将生产许可证编号出借给他人使用，已移送案件办理机构。"),
        (P.Kind.CANCEL, P.Ground.STOPPED_PRODUCTION, "群众反映企业停产，核查发现企业仍在生产，建议不予提请。"),
    ]
    made = []
    with acting_as(staff):
        for lic, (kind, ground, facts) in zip(licenses, story):
            made.append(decisions.propose(lic, kind=kind, ground=ground, facts=facts, by=staff))
    revoke, cancel, lent, wrong = made
    with acting_as(staff):
        for p in (revoke, cancel, lent):
            decisions.confirm(p, staff, "经核实，事实清楚，同意报市局。")
        decisions.dismiss(wrong, staff, "现场核查企业正常生产，停产情况不属实。")
    with acting_as(city):
        decisions.forward(revoke, city, "已报省局。")
        decisions.forward(lent, city, "已报省局。")
    # the steps as they happened (the services stamp "now"; the demo tells a story over the autumn)
    P.objects.filter(pk=revoke.pk).update(
        proposed_at=_at(date(2026, 10, 20)), confirmed_at=_at(date(2026, 10, 23)), forwarded_at=_at(date(2026, 10, 28))
    )
    P.objects.filter(pk=cancel.pk).update(proposed_at=_at(date(2026, 11, 16)), confirmed_at=_at(date(2026, 11, 19)))
    P.objects.filter(pk=lent.pk).update(
        proposed_at=_at(date(2026, 11, 2)), confirmed_at=_at(date(2026, 11, 5)), forwarded_at=_at(date(2026, 11, 10))
    )
    P.objects.filter(pk=wrong.pk).update(proposed_at=_at(date(2026, 11, 3)), dismissed_at=_at(date(2026, 11, 6)))
    revoke.refresh_from_db()
    with acting_as(city):
        decisions.record_decision(
            revoke,
            city,
            number="豫市监许吊〔2026〕3号",
            date=date(2026, 11, 18),
            outcome=P.Outcome.AS_PROPOSED,
            authority=revoke.license.issuing_authority,
            note="吊销该企业生产许可证，三年内不得再次申请同一产品的生产许可证。",
        )
    P.objects.filter(pk=revoke.pk).update(decision_recorded_at=_at(date(2026, 11, 20)))
    stdout.write("许可处理：建议 4 条（待市局转报、已转报、已决定、不予提请各一）。")


def _interviews(unit, staff, inspector, stdout):
    problem = (
        Problem.objects.filter(
            enterprise__supervising_unit=unit, status__in=[Problem.Status.OPEN, Problem.Status.PERSISTING]
        )
        .select_related("enterprise")
        .order_by("id")
        .first()
    )
    enterprise = (
        problem.enterprise if problem else Enterprise.objects.filter(supervising_unit=unit).order_by("id").first()
    )
    with acting_as(staff):
        held = interviews.notify(
            enterprise,
            staff,
            reason="监督检查发现的问题逾期未整改，约谈企业法定代表人，督促落实质量安全主体责任。",
            notice_date=date(2026, 11, 16),
            scheduled_at=_at(date(2026, 11, 20), 10),
            place=f"{unit.name}三楼会议室",
            officials=[staff, inspector],
            problems=[problem] if problem else [],
        )
        interviews.hold(
            held,
            staff,
            attendee_kind=Interview.Attendee.LEGAL_REP,
            attendee_name=enterprise.legal_representative,
            attendee_position="总经理",
            record=(
                "问：我们是" + unit.name + "执法人员，今天依法对你单位进行约谈，你是否清楚约谈的原因？\n"
                "答：清楚，是因为上次检查发现的问题没有按期整改完毕。\n"
                "问：检查发现的问题目前整改到什么程度？为什么没有按期完成？\n"
                "答：进货查验记录已经补齐，出厂检验设备送检还没有回来，预计两周内完成。\n"
                "问：你单位对落实产品质量安全主体责任有何打算？\n"
                "答：我们将指定质量负责人专门负责，每月自查一次，按要求向监管部门报告整改情况。"
            ),
            attendee_signed=True,
            commitments=[
                ("出厂检验设备检定合格后恢复出厂检验，报送检定证书复印件。", None),
                ("建立每月质量自查制度，报送首次自查报告。", date(2026, 12, 21)),
            ],
        )
        interviews.notify(
            enterprise,
            staff,
            reason="复查约谈承诺事项的落实情况。",
            notice_date=date(2026, 11, 27),
            scheduled_at=_at(date(2026, 12, 9), 9),
            place=f"{unit.name}三楼会议室",
            officials=[staff, inspector],
        )
    Interview.objects.filter(pk=held.pk).update(held_at=_at(date(2026, 11, 20), 11))
    stdout.write(f"约谈：{enterprise.name} 已约谈一次（承诺事项 2 项），另有一次已通知。")


def _cases(unit, staff, stdout):
    enterprises = list(Enterprise.objects.filter(supervising_unit=unit).order_by("-id")[:2])
    with acting_as(staff):
        cases.register(
            enterprises[0],
            staff,
            clue="现场检查发现企业涉嫌生产销售未标注生产许可证编号的产品，抽取样品 3 批次。",
            discovered_on=date(2026, 11, 10),
            receiver_kind="case_unit",
            receiver="执法稽查科",
            referred_on=date(2026, 11, 11),
            link="https://case.example.gov.cn/cases/2026-0117",
        )
        closed = cases.register(
            enterprises[-1],
            staff,
            clue="企业出租生产许可证编号供他人使用的举报线索，经初查属实。",
            discovered_on=date(2026, 6, 1),
            receiver_kind="case_unit",
            receiver="执法稽查科",
            referred_on=date(2026, 6, 2),
        )
        closed = cases.record_filing(closed, staff, filed_on=date(2026, 6, 10), case_number="许市监立〔2026〕58号")
        closed = cases.suspend(closed, staff, days=12, note="产品检验 2026-06-20 至 2026-07-02")
        cases.record_outcome(
            closed, staff, outcome="penalty", decided_on=date(2026, 8, 20), note="没收违法所得，并处罚款 5 万元。"
        )
    stdout.write("案件线索：待立案 1 件，已办结 1 件。")


def _stopped(unit, staff, stdout):
    enterprise = (
        Enterprise.objects.filter(supervising_unit=unit, status=Enterprise.Status.PRODUCING, licenses__status="valid")
        .exclude(licenses__decision_proposals__isnull=False)
        .order_by("-id")
        .first()
    )
    if enterprise:
        with acting_as(staff):
            enterprise.status = Enterprise.Status.STOPPED
            enterprise.save()
            drafted = decisions.find_candidates()
        stdout.write(f"停产/转产跟踪：{enterprise.name} 登记为停产；每日检索起草注销建议 {len(drafted)} 条。")


def load_demo(stdout):
    if Interview.objects.exists():
        return
    counties = OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY, enterprises__isnull=False).distinct()
    # the county of the demo's county-staff login (xuchang-weidu-staff) when it has enterprises
    unit = counties.filter(code=DEMO_COUNTY).first() or counties.order_by("code").first()
    if unit is None:
        return
    staff, inspector, city = _users(unit)
    if not (staff and inspector and city):
        return
    _proposals(unit, staff, city, stdout)
    _interviews(unit, staff, inspector, stdout)
    _cases(unit, staff, stdout)
    _stopped(unit, staff, stdout)
