"""Rectification orders, service, reports, revisits and escalation (002 第十条; 001 二(三)(四); 003 七(五);
DESIGN "Follow-up and enforcement")."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from postlicense.core.models import User
from postlicense.followup import services
from postlicense.followup.models import Escalation, LicenseDecisionProposal, RectificationOrder, Revisit
from postlicense.inspections import services as inspections
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.inspections.tests.helpers import png_bytes
from postlicense.registry.tests.conftest import make_license  # noqa: F401

from .helpers import crew, failed_record, finish_revisit, issued_order, served_order

pytestmark = pytest.mark.django_db
S = RectificationOrder.Status


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def test_orders_are_numbered_per_unit_and_year_without_gaps(staff):
    first, second = issued_order(staff), issued_order(staff)
    assert (first.seq, second.seq) == (1, 2)
    assert first.number.endswith("〔2026〕1号") and "市监责改" in first.number
    next_year = issued_order(staff, issued_on=date(2027, 1, 4))
    assert next_year.seq == 1 and "〔2027〕1号" in next_year.number


def test_issue_lists_the_problems_and_a_double_submit_issues_once(staff):
    token = uuid.uuid4()
    record = failed_record(staff)
    one = issued_order(staff, record=record, submission_token=token)
    again = issued_order(staff, record=record, submission_token=token)
    assert one == again and RectificationOrder.objects.count() == 1
    assert one.items.count() == 2 and one.status == S.ISSUED and one.deadline is None
    assert one.period_days == 30 and "白城事中事后监管办法 第十条" in one.legal_basis


def test_plain_items_from_another_source_are_accepted_and_nothing_at_all_is_refused(staff):
    record = failed_record(staff)
    order = services.issue_order(
        enterprise=record.enterprise,
        unit=record.enterprise.supervising_unit,
        by=staff,
        source_kind=RectificationOrder.SourceKind.TEST,
        source_label="2026年省级监督抽查 检验报告 No.2026-118 不合格",
        items=[("抗压强度不合格", "查明原因，整改后申请复查")],
        period_key=RectificationOrder.Period.AFTER_TEST,
    )
    assert order.period_days == 60 and order.items.get().problem is None
    with pytest.raises(ValidationError) as exc:
        services.issue_order(
            enterprise=record.enterprise,
            unit=record.enterprise.supervising_unit,
            by=staff,
            source_kind="inspection",
            source_label="x",
        )
    assert "problems" in exc.value.message_dict


def test_the_deadline_runs_from_service_and_the_revisit_falls_due_after_it(staff):
    order = served_order(staff, served_on=date(2026, 5, 8))
    # 2026-06-07 is a Sunday: the last day moves to Monday (民法典 第二百零三条)
    assert order.deadline == date(2026, 6, 8) and order.deadline_text == "整改期限 2026-06-08（送达后30日）"
    assert order.revisit_due == date(2026, 6, 23)  # 10 working days; 2026-06-19 is the Dragon Boat holiday
    assert "整改期满后10工作日" in order.revisit_due_text


@pytest.mark.parametrize(
    "served_on, message",
    [(date(2026, 5, 1), "早于通知书签发日期"), (date(2026, 12, 25), "晚于今天")],
)
def test_a_service_before_the_order_or_in_the_future_is_refused(staff, served_on, message):
    order = issued_order(staff)
    with pytest.raises(ValidationError) as exc:
        services.serve_order(
            order, by=staff, served_on=served_on, method="direct", receiver="张三", today=date(2026, 11, 30)
        )
    assert message in exc.value.message_dict["served_on"][0]
    order.refresh_from_db()
    assert order.served_on is None and order.deadline is None


def test_a_refusal_is_recorded_as_left_service_and_a_second_server_is_told(staff, make_user):
    order = issued_order(staff)
    with pytest.raises(ValidationError, match="留置送达"):
        services.serve_order(
            order,
            by=staff,
            served_on=date(2026, 5, 8),
            method="direct",
            refused=True,
            refusal_note="法定代表人拒签",
            today=date(2026, 11, 30),
        )
    with pytest.raises(ValidationError, match="签收人"):
        services.serve_order(order, by=staff, served_on=date(2026, 5, 8), method="direct", today=date(2026, 11, 30))
    kw = dict(
        served_on=date(2026, 5, 8),
        method="left",
        refused=True,
        refusal_note="法定代表人拒签，见证人李四",
        today=date(2026, 11, 30),
    )
    served = services.serve_order(order, by=staff, **kw)
    assert services.serve_order(order, by=staff, **kw) == served  # a double click
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    with pytest.raises(ValidationError) as exc:
        services.serve_order(
            order, by=other, served_on=date(2026, 5, 9), method="direct", receiver="王五", today=date(2026, 11, 30)
        )
    assert "已由" in exc.value.message_dict["served_on"][0]


def test_a_report_moves_the_order_and_brings_the_revisit_forward(staff):
    order = served_order(staff)
    report = services.submit_report(
        order,
        by=staff,
        text="已补齐出厂检验记录，压力试验机已送检",
        completed_on=date(2026, 5, 20),
        files=[SimpleUploadedFile("检定证书.png", png_bytes(), content_type="image/png")],
        from_paper=True,
        today=date(2026, 11, 30),
    )
    order.refresh_from_db()
    assert order.status == S.REPORTED and report.attachments.count() == 1
    assert order.revisit_due == date(2026, 6, 3) and "企业报告整改后" in order.revisit_due_text


def test_a_report_with_a_file_lying_about_its_type_saves_nothing(staff):
    order = served_order(staff)
    fake = SimpleUploadedFile("照片.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.submit_report(
            order, by=staff, text="已整改", completed_on=date(2026, 5, 20), files=[fake], today=date(2026, 11, 30)
        )
    assert "不是图片" in exc.value.message_dict["files"][0]
    order.refresh_from_db()
    assert order.status == S.ISSUED and not order.reports.exists()


def test_a_revisit_before_the_deadline_without_a_report_is_refused(staff):
    order = served_order(staff)
    with pytest.raises(ValidationError) as exc:
        services.dispatch_revisit(
            order, by=staff, inspectors=crew(), due_date=date(2026, 6, 1), today=date(2026, 5, 20)
        )
    assert "早于整改期限" in exc.value.message_dict["due_date"][0]
    assert not Revisit.objects.exists()


def test_a_revisit_needs_two_inspectors_without_avoidance(staff):
    order = served_order(staff)
    one = crew()[:1]
    with pytest.raises(ValidationError) as exc:
        services.dispatch_revisit(order, by=staff, inspectors=one, due_date=date(2026, 6, 10), today=date(2026, 6, 9))
    assert "不少于2人" in " ".join(exc.value.message_dict["inspectors"])
    avoiding = crew()
    avoiding[0].avoid_enterprises.add(order.enterprise)
    with pytest.raises(ValidationError, match="回避"):
        services.dispatch_revisit(
            order, by=staff, inspectors=avoiding, due_date=date(2026, 6, 10), today=date(2026, 6, 9)
        )


def test_a_revisit_re_answers_only_the_failed_items_and_closes_what_it_finds_corrected(staff):
    order = served_order(staff)
    revisit = services.dispatch_revisit(
        order, by=staff, inspectors=crew(), due_date=date(2026, 6, 20), today=date(2026, 6, 9)
    )
    record = revisit.record
    assert (
        record.kind == InspectionRecord.Kind.REVISIT and record.template_version == order.source_record.template_version
    )
    assert sorted(record.checked_items().values_list("number", flat=True)) == ["6", "7"]
    assert not record.equipment_checks.exists()
    order.refresh_from_db()
    assert order.status == S.AWAITING_REVISIT
    finish_revisit(revisit, staff, {"6": True, "7": True})
    order.refresh_from_db()
    assert order.status == S.CLOSED and not order.escalations.exists()
    problems = Problem.objects.filter(record=order.source_record)
    assert {p.status for p in problems} == {Problem.Status.CLOSED}
    assert {p.closed_via_id for p in problems} == {record.pk}
    assert not Problem.objects.filter(record=record).exists()  # a revisit opens no new problems


def test_persisting_at_revisit_proposes_stoppage_then_revocation_each_confirmed_by_a_person(staff, make_license):
    order = served_order(staff)
    make_license(order.enterprise, "XK13-001-00077")
    revisit = services.dispatch_revisit(
        order, by=staff, inspectors=crew(), due_date=date(2026, 6, 20), today=date(2026, 6, 9)
    )
    finish_revisit(revisit, staff, {"6": True, "7": False})
    order.refresh_from_db()
    assert order.status == S.PERSISTING
    statuses = dict(Problem.objects.filter(record=order.source_record).values_list("finding__item__number", "status"))
    assert statuses == {"6": Problem.Status.CLOSED, "7": Problem.Status.PERSISTING}
    escalation = order.escalations.get()
    assert escalation.kind == Escalation.Kind.STOPPAGE and escalation.status == Escalation.Status.PROPOSED
    assert not RectificationOrder.objects.filter(parent=order).exists()  # nothing escalates silently
    with pytest.raises(ValidationError, match="理由"):
        services.confirm_escalation(escalation, by=staff, reason=" ")
    escalation = services.confirm_escalation(
        escalation, by=staff, reason="复查仍不合格，责令停产整顿", today=date(2026, 6, 26)
    )
    stoppage = escalation.result_order
    assert stoppage.measure == "stoppage" and stoppage.parent == order and stoppage.period_days == 90
    assert [i.problem.finding.item.number for i in stoppage.items.all()] == ["7"]
    assert services.confirm_escalation(escalation, by=staff, reason="again") == escalation  # double click
    stoppage = services.serve_order(
        stoppage, by=staff, served_on=date(2026, 6, 29), method="direct", receiver="张三", today=date(2026, 11, 30)
    )
    assert stoppage.deadline == date(2026, 9, 28)
    revisit = services.dispatch_revisit(
        stoppage, by=staff, inspectors=crew(), due_date=date(2026, 10, 9), today=date(2026, 9, 28)
    )
    finish_revisit(revisit, staff, {"7": False}, day=date(2026, 10, 9))
    escalation = stoppage.escalations.get()
    assert escalation.kind == Escalation.Kind.REVOCATION
    assert not LicenseDecisionProposal.objects.exists()
    escalation = services.confirm_escalation(escalation, by=staff, reason="停产整顿期满仍不具备条件")
    proposal = escalation.proposal
    assert proposal.kind == "revoke" and proposal.ground == "persisting" and proposal.proposed_by == staff


def test_after_a_failed_test_a_persisting_revisit_proposes_revocation_on_the_recheck_ground(staff):
    order = served_order(staff, period_key=RectificationOrder.Period.AFTER_TEST)
    assert order.revisit_due == date(2026, 7, 20)  # 75 日 from the order (抽查办法 第四十七条)
    revisit = services.dispatch_revisit(
        order, by=staff, inspectors=crew(), due_date=date(2026, 7, 20), today=date(2026, 7, 8)
    )
    finish_revisit(revisit, staff, {"6": False, "7": False}, day=date(2026, 7, 10))
    escalation = Escalation.objects.get(order=order)
    assert escalation.kind == Escalation.Kind.REVOCATION


def test_a_dismissed_escalation_keeps_its_reason(staff):
    order = served_order(staff)
    revisit = services.dispatch_revisit(
        order, by=staff, inspectors=crew(), due_date=date(2026, 6, 20), today=date(2026, 6, 9)
    )
    finish_revisit(revisit, staff, {"6": False})
    escalation = services.dismiss_escalation(order.escalations.get(), by=staff, reason="企业已停产，另行处理")
    assert escalation.status == Escalation.Status.DISMISSED and escalation.decided_by == staff


def test_a_problem_closes_only_by_a_revisit_or_a_decision_with_reason(staff):
    order = served_order(staff)
    problem = order.items.first().problem
    with pytest.raises(ValidationError) as exc:
        inspections.close_problem(problem, by=staff)
    assert "经复查" in exc.value.message_dict["reason"][0]
    with pytest.raises(ValidationError, match="未确认此问题已整改"):
        inspections.close_problem(problem, by=staff, via=order.source_record)  # not a revisit
    closed = services.close_problem_by_decision(problem, order=order, by=staff, reason="企业已注销该产品线")
    assert closed.status == Problem.Status.CLOSED and closed.outcome == "决定关闭：企业已注销该产品线"
    assert closed.closed_by == staff and closed.closed_via is None


def test_the_national_result_category_follows_the_revisit(staff):
    """DESIGN "What the national platform expects": 发现问题经责令已改正 once every problem was closed by a revisit
    that found it corrected, 发现问题待后续处理 while any is open (randomcheck's one mapping table)."""
    from types import SimpleNamespace

    from postlicense.randomcheck import rules as rc

    order = served_order(staff)
    drawn = SimpleNamespace(not_inspected_reason="", inspection=order.source_record)
    assert rc.national_result(drawn) == "发现问题待后续处理"
    revisit = services.dispatch_revisit(
        order, by=staff, inspectors=crew(), due_date=date(2026, 6, 20), today=date(2026, 6, 9)
    )
    finish_revisit(revisit, staff, {"6": True, "7": True})
    drawn.inspection = InspectionRecord.objects.get(pk=order.source_record.pk)
    assert rc.national_result(drawn) == "发现问题经责令已改正"


def test_a_problem_closed_by_decision_is_not_rectified_for_the_national_platform(staff):
    from types import SimpleNamespace

    from postlicense.randomcheck import rules as rc

    order = served_order(staff)
    for item in order.items.all():
        services.close_problem_by_decision(item.problem, order=order, by=staff, reason="企业已停产")
    drawn = SimpleNamespace(not_inspected_reason="", inspection=order.source_record)
    assert rc.national_result(drawn) == "发现问题待后续处理"
