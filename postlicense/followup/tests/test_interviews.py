"""Interviews (约谈, 002 第十二条): ≥2 officials, the legal representative or a proxy with a letter of authorisation,
the record, commitments with deadlines in the to-do lists, the 约谈笔录 in print, suggestions, scoping."""

import io
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from postlicense.core.models import User
from postlicense.core.todo import todo_for
from postlicense.followup import interviews
from postlicense.followup.models import Interview, InterviewCommitment
from postlicense.inspections.models import Problem
from postlicense.inspections.tests.word import WORD, docx_text, fields_of
from postlicense.registry.archive import timeline
from postlicense.registry.models import EnterpriseAccount

pytestmark = pytest.mark.django_db
RECORD = "问：你是否清楚约谈原因？\n答：清楚。\n问：何时整改完毕？\n答：两周内。\n会后报送材料。"


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=hour)))


@pytest.fixture
def notified(enterprise, staff, colleague, problem):
    return interviews.notify(
        enterprise,
        staff,
        reason="问题逾期未整改",
        notice_date=date(2026, 11, 16),
        scheduled_at=_at(date(2026, 11, 20)),
        place="县局会议室",
        officials=[staff, colleague],
        problems=[problem],
    )


def png_upload(name="授权委托书.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 255, 255)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_parse_record_pairs_questions_and_answers():
    assert interviews.parse_record(RECORD) == [
        ("问", "你是否清楚约谈原因？"),
        ("答", "清楚。"),
        ("问", "何时整改完毕？"),
        ("答", "两周内。\n会后报送材料。"),
    ]


def test_one_official_only_is_refused_at_the_field(client, enterprise, staff):
    with pytest.raises(ValidationError) as exc:
        interviews.notify(
            enterprise,
            staff,
            reason="x",
            notice_date=date(2026, 11, 16),
            scheduled_at=_at(date(2026, 11, 20)),
            place="县局",
            officials=[staff, staff],
        )
    assert exc.value.message_dict["officials"] == ["约谈人员不得少于2人。"]
    client.force_login(staff)
    page = client.post(
        "/followup/interviews/new/",
        {
            "enterprise": enterprise.pk,
            "reason": "问题逾期未整改",
            "notice_date": "2026-11-16",
            "scheduled_at": "2026-11-20T10:00",
            "place": "县局会议室",
            "officials": [staff.pk],
        },
    )
    assert page.status_code == 200 and "约谈人员不得少于2人。" in page.content.decode()
    assert not Interview.objects.exists()


def test_a_proxy_without_a_letter_of_authorisation_is_refused_and_nothing_saved(client, notified, staff):
    client.force_login(staff)
    data = {"attendee_kind": "proxy", "attendee_name": "王五", "record": RECORD, "commitments": "补齐记录"}
    page = client.post(f"/followup/interviews/{notified.pk}/hold/", data)
    assert page.status_code == 200 and "须上传法定代表人签署的授权委托书" in page.content.decode()
    notified.refresh_from_db()
    assert notified.status == Interview.Status.NOTIFIED and not InterviewCommitment.objects.exists()
    # a file that is not an image or a PDF by its content is refused the same way
    fake = SimpleUploadedFile("授权委托书.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    page = client.post(f"/followup/interviews/{notified.pk}/hold/", {**data, "authorisation": fake})
    assert "不是图片" in page.content.decode()
    page = client.post(f"/followup/interviews/{notified.pk}/hold/", {**data, "authorisation": png_upload()})
    assert page.status_code == 302
    notified.refresh_from_db()
    assert notified.status == Interview.Status.HELD and notified.authorisation.name.endswith(".png")


def test_holding_records_commitments_with_default_and_own_deadlines_once(notified, staff):
    i = interviews.hold(
        notified,
        staff,
        attendee_kind=Interview.Attendee.LEGAL_REP,
        attendee_name="张三",
        record=RECORD,
        attendee_signed=True,
        commitments=[("补齐进货查验记录", None), ("报送自查报告", date(2026, 12, 21))],
    )
    first, second = i.commitments.order_by("id")
    # interview_commitment: 15 日 from 2026-11-20 is 12-05, a Saturday: the last day moves to Monday 12-07
    assert first.due == date(2026, 12, 7) and "约谈后15日" in first.due_text
    assert second.due == date(2026, 12, 21)
    with pytest.raises(ValidationError, match="不能重复记录"):
        interviews.hold(
            notified, staff, attendee_kind="legal_rep", attendee_name="张三", record=RECORD, attendee_signed=True
        )


def test_a_refusal_to_attend_needs_its_note(notified, staff):
    with pytest.raises(ValidationError):
        interviews.record_refusal(notified, staff, " ")
    assert interviews.record_refusal(notified, staff, "电话通知两次均拒绝到场").status == Interview.Status.REFUSED


def test_an_enterprise_user_sees_its_interviews_and_gets_404_for_another(client, notified, make_user, make_enterprise):
    other = make_enterprise()
    owner = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=owner, enterprise=notified.enterprise)
    stranger = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=stranger, enterprise=other)
    client.force_login(owner)
    assert client.get(f"/followup/interviews/{notified.pk}/").status_code == 200
    client.force_login(stranger)
    assert client.get(f"/followup/interviews/{notified.pk}/").status_code == 404
    assert client.get(f"/followup/interviews/{notified.pk}/record.pdf").status_code == 404
    assert notified.enterprise.name not in client.get("/followup/interviews/").content.decode()


def test_commitments_enter_the_to_do_lists_of_the_county_and_the_enterprise(notified, staff, make_user):
    interviews.hold(
        notified,
        staff,
        attendee_kind="legal_rep",
        attendee_name="张三",
        record=RECORD,
        attendee_signed=True,
        commitments=[("补齐进货查验记录", None)],
    )
    owner = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=owner, enterprise=notified.enterprise)
    for user in (staff, owner):
        groups = {g.label: g for g in todo_for(user, date(2026, 12, 8)).groups}
        group = next(g for label, g in groups.items() if "约谈承诺" in label)
        assert group.total == 1 and group.overdue == 1 and group.items[0].due == date(2026, 12, 7)


def test_the_record_prints_as_a_pdf_and_enters_the_archive(client, notified, staff):
    interviews.hold(
        notified,
        staff,
        attendee_kind="legal_rep",
        attendee_name="张三",
        record=RECORD,
        attendee_signed=True,
        commitments=[("补齐进货查验记录", None)],
    )
    client.force_login(staff)
    response = client.get(f"/followup/interviews/{notified.pk}/record.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert any(e.kind == "约谈" for e in timeline(notified.enterprise))


def test_the_record_prints_as_word_with_its_questions_answers_and_commitments(client, notified, staff, make_user):
    """The 约谈笔录 in Word: python-docx opens it; a formula-looking answer stays text; another county gets 404."""
    hostile = "=cmd|' /C calc'!A0"
    interviews.hold(
        notified,
        staff,
        attendee_kind="legal_rep",
        attendee_name="张三",
        record=RECORD + f"\n问：还有什么说明？\n答：{hostile}",
        attendee_signed=True,
        commitments=[("补齐进货查验记录", None)],
    )
    client.force_login(staff)
    page = client.get(f"/followup/interviews/{notified.pk}/").content.decode()
    assert f"/followup/interviews/{notified.pk}/record.docx" in page
    response = client.get(f"/followup/interviews/{notified.pk}/record.docx")
    assert response["Content-Type"] == WORD
    text = docx_text(response.content)
    assert "约谈笔录" in text and notified.enterprise.name in text and "县局会议室" in text
    assert "问：你是否清楚约谈原因？" in text and "答：两周内。\n会后报送材料。" in text
    assert "补齐进货查验记录" in text and "2026年12月7日" in text and "被约谈人已签字确认" in text
    assert f"答：{hostile}" in text and fields_of(response.content) == []
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(f"/followup/interviews/{notified.pk}/record.docx").status_code == 404


def test_a_refusal_prints_in_word_too(client, notified, staff):
    interviews.record_refusal(notified, staff, "电话通知两次均拒绝到场")
    client.force_login(staff)
    text = docx_text(client.get(f"/followup/interviews/{notified.pk}/record.docx").content)
    assert "被约谈人拒不到场。情况说明：电话通知两次均拒绝到场" in text and "约谈记录" not in text


def test_suggestions_two_unqualified_records_in_twelve_months_or_a_persisting_problem(
    staff, make_enterprise, finished_record
):
    twice, once, persisting = make_enterprise(), make_enterprise(), make_enterprise()
    finished_record(twice, date(2026, 3, 1))
    finished_record(twice, date(2026, 9, 1))
    finished_record(once, date(2026, 9, 1))
    finished_record(once, date(2025, 9, 1))  # outside the 12 months
    record = finished_record(persisting, date(2026, 10, 1))
    Problem.objects.create(
        enterprise=persisting, record=record, description="仍未整改", status=Problem.Status.PERSISTING
    )
    assert set(interviews.suggestions(staff, date(2026, 11, 30))) == {twice, persisting}


def test_the_same_notice_posted_twice_is_one_interview(notified, enterprise, staff, colleague):
    again = interviews.notify(
        enterprise,
        staff,
        reason="问题逾期未整改",
        notice_date=date(2026, 11, 16),
        scheduled_at=_at(date(2026, 11, 20)),
        place="县局会议室",
        officials=[staff, colleague],
    )
    assert again == notified and Interview.objects.count() == 1
