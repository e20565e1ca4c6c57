"""Cases and referrals (002 第十一条; 市场监督管理行政处罚程序规定 第二十条、第六十四条): the 立案 deadline in 工作日, its
extension with a reason, the decision deadline in 日 with suspended days and the approved extension, the link."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from postlicense.followup import cases
from postlicense.followup.models import Case

pytestmark = pytest.mark.django_db


def _register(enterprise, staff, discovered=date(2024, 9, 25), **extra):
    return cases.register(
        enterprise,
        staff,
        clue="涉嫌未标注许可证编号",
        discovered_on=discovered,
        receiver_kind="case_unit",
        receiver="执法稽查科",
        referred_on=discovered,
        **extra,
    )


def test_filing_deadline_skips_the_2024_national_day_holiday(enterprise, staff):
    # 2024-09-25 + 15 工作日: 9/26, 9/27, 9/29 (调休上班), 9/30, [10/1–10/7 国庆], 10/8–10/11, 10/12 (调休上班),
    # 10/14–10/18, 10/21 → the 15th working day is 2024-10-21 (weekdays only would say 10-16)
    case = _register(enterprise, staff)
    assert case.filing_due == date(2024, 10, 21) and "发现线索后15工作日" in case.filing_due_text


def test_filing_extension_needs_a_reason_and_adds_15_working_days(client, enterprise, staff):
    case = _register(enterprise, staff)
    with pytest.raises(ValidationError) as exc:
        cases.extend_filing(case, staff, "  ")
    assert exc.value.message_dict["reason"] == ["延长立案期限须填写理由。"]
    client.force_login(staff)
    page = client.post(f"/followup/cases/{case.pk}/extend_filing/", {"reason": ""})
    assert "请填写理由。" in page.content.decode()
    case.refresh_from_db()
    assert case.filing_due == date(2024, 10, 21) and not case.filing_extension_reason
    case = cases.extend_filing(case, staff, "需要调取外地销售记录")
    assert case.filing_due == date(2024, 11, 11)  # 15 more working days from 10-21
    with pytest.raises(ValidationError, match="延长过一次"):
        cases.extend_filing(case, staff, "再延")


def test_decision_deadline_around_the_2025_national_day_with_suspended_days(enterprise, staff):
    case = _register(enterprise, staff, discovered=date(2025, 6, 20))
    case = cases.record_filing(case, staff, filed_on=date(2025, 7, 3), case_number="许市监立〔2025〕12号")
    # 90 日 from 2025-07-03 is 2025-10-01, inside the 2025 National Day holiday (10-01 … 10-08): moves to 10-09
    assert case.decision_due == date(2025, 10, 9) and "立案后90日" in case.decision_due_text
    case = cases.suspend(case, staff, days=5, note="产品检验")
    # 95 日 → 2025-10-06, still in the holiday → 10-09; 12 日 more → 2025-10-13 (Monday)
    assert case.decision_due == date(2025, 10, 9)
    case = cases.suspend(case, staff, days=7, note="听证")
    assert case.decision_due == date(2025, 10, 13) and "另不计入12日" in case.decision_due_text
    case = cases.extend_decision(case, staff, "经局负责人批准延长30日")
    assert case.decision_due == date(2025, 11, 12)


def test_a_link_that_is_not_http_is_refused_at_the_field(client, enterprise, staff):
    with pytest.raises(ValidationError) as exc:
        _register(enterprise, staff, link="javascript:alert(1)")
    assert "http://" in exc.value.message_dict["link"][0]
    client.force_login(staff)
    page = client.post(
        "/followup/cases/new/",
        {
            "enterprise": enterprise.pk,
            "clue": "线索",
            "discovered_on": "2026-11-10",
            "receiver_kind": "case_unit",
            "receiver": "稽查科",
            "referred_on": "2026-11-11",
            "link": "ftp://case.example/1",
        },
    )
    assert page.status_code == 200 and "请输入以 http:// 或 https:// 开头的有效网址。" in page.content.decode()
    assert not Case.objects.exists()


def test_outcomes_follow_the_stage_and_a_double_post_registers_once(enterprise, staff):
    case = _register(enterprise, staff, discovered=date(2026, 11, 10))
    assert _register(enterprise, staff, discovered=date(2026, 11, 10)) == case
    with pytest.raises(ValidationError):
        cases.record_outcome(case, staff, outcome="penalty", decided_on=date(2026, 11, 20), note="")
    case = cases.record_outcome(case, staff, outcome="not_filed", decided_on=date(2026, 11, 20), note="证据不足")
    assert case.stage == "不予立案"
    with pytest.raises(ValidationError, match="已办结"):
        cases.record_filing(case, staff, filed_on=date(2026, 11, 21), case_number="x")


def test_a_year_without_calendar_data_is_refused_at_the_field(enterprise, staff):
    case = _register(enterprise, staff, discovered=date(2026, 11, 10))
    with pytest.raises(ValidationError) as exc:
        cases.record_filing(case, staff, filed_on=date(2026, 11, 20), case_number="x")  # decision due in 2027
    assert "2027年" in exc.value.message_dict["filed_on"][0]
    case.refresh_from_db()
    assert case.filed_on is None
