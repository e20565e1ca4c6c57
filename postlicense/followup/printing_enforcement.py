"""The 约谈笔录 and the 许可处理建议书 in print: A4 PDF through the inspections printing machinery (WeasyPrint) and
Word through inspections.wordprint. One context per document serves both formats."""

from django.utils import timezone

from postlicense.core.regulations import cite
from postlicense.inspections.printing import render_pdf
from postlicense.inspections.wordprint import WordDocument

from .interviews import parse_record

BLANK_DATE = "　　　　年　　月　　日"


def _cn_date(value):
    return f"{value.year}年{value.month}月{value.day}日" if value else BLANK_DATE


def _cn_time(value):
    value = timezone.localtime(value)
    return f"{_cn_date(value)} {value:%H}时{value:%M}分"


def interview_context(interview):
    i = interview
    officials = list(i.officials.all())
    problems = list(i.problems.all())
    if i.status == "held":
        attendee = f"{i.attendee_name}（{i.get_attendee_kind_display()}"
        attendee += f"，{i.attendee_position}）" if i.attendee_position else "）"
    else:
        attendee = "（未到场）"
    meta = [
        ("约谈时间", _cn_time(i.scheduled_at)),
        ("约谈地点", i.place),
        ("被约谈企业", f"{i.enterprise.name}（统一社会信用代码 {i.enterprise.credit_code}）"),
        ("企业住所", i.enterprise.address),
        ("被约谈人", attendee),
        ("法定代表人", i.enterprise.legal_representative),
    ]
    if i.attendee_kind == "proxy":
        meta.append(("授权委托", "委托代理人已提交法定代表人签署的授权委托书（附后）"))
    meta += [
        ("约谈人员", "、".join(str(o) for o in officials)),
        ("记录人", str(i.recorded_by or "")),
        ("约谈事由", i.reason),
    ]
    if problems:
        meta.append(("存在问题", "\n".join(f"{n}. {p.description}" for n, p in enumerate(problems, 1))))
    return {
        "i": i,
        "meta": meta,
        "qa": parse_record(i.record),
        "officials": officials,
        "problems": problems,
        "commitments": list(i.commitments.all()),
        "basis": cite("002", "第十二条"),
        "confirm": "以上笔录已向被约谈人宣读（或由其阅看），记录属实。"
        + ("被约谈人已签字确认。" if i.attendee_signed else ""),
        "signs": [
            "被约谈人（签字）：" + ("拒不到场" if i.status == "refused" else ""),
            "约谈人员（签字）：",
            "记录人（签字）：",
        ],
    }


def interview_pdf(interview):
    return render_pdf(interview_context(interview), "followup/interview_print.html")


def _signatures(w, lines):
    for line in lines:
        w.para(f"{line}\t日期：{BLANK_DATE}", indent=False, tab_at=86)  # the dates one under another


def interview_docx(interview):
    c = interview_context(interview)
    i = c["i"]
    w = WordDocument(size=12)
    w.para(i.enterprise.supervising_unit.name, align="center", size=14)
    w.title("约谈笔录")
    w.table(c["meta"], widths=(30, 126))
    if i.status == "refused":
        w.para(f"被约谈人拒不到场。情况说明：{i.refusal_note}", indent=False)
    else:
        w.heading("约谈记录")
        for speaker, text in c["qa"]:
            w.para(f"{speaker}：{text}", indent=False)
        w.heading("整改承诺事项")
        rows = [(n, x.content, _cn_date(x.due)) for n, x in enumerate(c["commitments"], 1)] or [("", "无", "")]
        w.table(rows, header=("序号", "承诺事项", "完成期限"), widths=(14, 100, 42))
        w.para(c["confirm"])
    _signatures(w, c["signs"])
    w.para(f"依据：{c['basis']}。本笔录一式两份，监管部门与企业各执一份。", indent=False, size=10.5)
    return w.bytes()


def proposal_context(proposal):
    """The 许可处理建议书 a county sends up and the city forwards to the issuing authority (002 第十四条)."""
    p = proposal
    license, enterprise = p.license, p.license.enterprise
    kind = p.get_kind_display()
    confirmed = f"{p.confirmed_by}，{_cn_date(timezone.localdate(p.confirmed_at))}" if p.confirmed_at else ""
    forwarded = f"{p.forwarded_by}，{_cn_date(timezone.localdate(p.forwarded_at))}" if p.forwarded_at else ""
    rows = [
        ("企业名称", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("住所", enterprise.address),
        ("法定代表人", enterprise.legal_representative),
        ("许可证编号", license.number),
        ("产品名称", str(license.product_category)),
        ("有效期至", _cn_date(license.expiry_date)),
        ("发证机关", license.issuing_authority),
        ("建议处理", kind),
        ("事由", p.get_ground_display()),
        ("事实与理由", p.facts),
        ("来源", p.source or "—"),
        ("提出", f"{p.proposed_by or '系统按规则自动提出'}，{_cn_date(timezone.localdate(p.proposed_at))}"),
        ("县局确认意见", f"{p.confirm_note}（{confirmed}）" if p.confirmed_at else ""),
        ("市局转报意见", f"{p.forward_note}（{forwarded}）" if p.forwarded_at else ""),
    ]
    if p.decision_number:
        rows.append(
            (
                "许可机关决定",
                f"{p.decision_authority} {p.decision_number}（{_cn_date(p.decision_date)}）："
                f"{p.get_decision_outcome_display()}",
            )
        )
    if p.dismissed_at:
        rows.append(
            ("不予提请", f"{p.dismiss_reason}（{p.dismissed_by}，{_cn_date(timezone.localdate(p.dismissed_at))}）")
        )
    return {
        "p": p,
        "unit": enterprise.supervising_unit.name,
        "title": f"关于提请{kind}工业产品生产许可证的建议",
        "to": f"{license.issuing_authority}：",
        "body": f"{enterprise.name}持有的工业产品生产许可证（编号 {license.number}），经核查存在下列情形："
        f"{p.get_ground_display()}。依据{cite('002', '第十四条')}，建议依法{kind}该生产许可证。有关情况如下。",
        "rows": rows,
        "date": _cn_date(timezone.localdate(p.confirmed_at or p.proposed_at)),
    }


def proposal_pdf(proposal):
    return render_pdf(proposal_context(proposal), "followup/proposal_print.html")


def proposal_docx(proposal):
    c = proposal_context(proposal)
    w = WordDocument()
    w.para(c["unit"], align="center", bold=True, size=18)
    w.title(c["title"], size=18)
    w.para(c["to"], indent=False)
    w.para(c["body"])
    w.table(c["rows"], widths=(36, 120))
    w.para("")
    w.para(c["unit"], align="right")
    w.para("（印章）", align="right")
    w.para(c["date"], align="right")
    return w.bytes()
