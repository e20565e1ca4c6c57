"""Printed documents of a cross-audit campaign: 000 附件1's schedule table (PDF) and the campaign report
(000 二(三), Word and PDF) for the 市许可证办公室. PDFs use WeasyPrint as inspections.printing does."""

from django.template.loader import render_to_string

from . import oversight


def _pdf(template, context):
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def schedule_pdf(campaign):
    return _pdf("planning/print_schedule.html", {"campaign": campaign, "schedule": oversight.schedule(campaign)})


def report_context(campaign):
    visits = []
    for visit, group in oversight.schedule(campaign):
        drawn = list(visit.task.drawn.select_related("enterprise", "inspection")) if visit.task_id else []
        visits.append(
            {
                "visit": visit,
                "group": group,
                "block": oversight.branch_block(visit),
                "drawn": drawn,
                "findings": list(visit.findings.select_related("enterprise", "order")),
            }
        )
    return {"campaign": campaign, "visits": visits}


def report_pdf(campaign):
    return _pdf("planning/print_report.html", report_context(campaign))


def report_docx(campaign):
    """The campaign report in Word, through the one builder of Word documents (inspections.wordprint)."""
    from postlicense.inspections.wordprint import WordDocument

    context = report_context(campaign)
    w = WordDocument(size=12)
    w.title(f"{campaign.name}工作报告", size=18)
    w.para(f"报送：市许可证办公室    组织单位：{campaign.organiser.name}", indent=False)
    w.para(
        f"自查阶段：{campaign.self_check_start:%Y年%m月%d日}至{campaign.self_check_end:%Y年%m月%d日}；"
        f"督查互查阶段：{campaign.audit_start:%Y年%m月%d日}至{campaign.audit_end:%Y年%m月%d日}。"
    )
    rows = [
        [
            f"{row['visit'].date:%m月%d日}",
            row["visit"].branch.name,
            "、".join(u.name for u in row["group"]),
            str(row["block"]["due"]),
            str(row["block"]["done"]),
            "、".join(
                f"{d.enterprise.name}（{d.inspection.get_conclusion_display() if d.inspection and d.inspection.conclusion else '未完成'}）"
                for d in row["drawn"]
            )
            or "未抽取",
        ]
        for row in context["visits"]
    ]
    header = ["时间", "被检查单位", "督查互查组成员单位", "应完成巡查、年审", "已完成", "抽查企业"]
    w.table(rows, header=header, widths=(16, 28, 36, 18, 14, 44))
    w.heading("发现的问题", size=12)
    findings = [(row["visit"].branch.name, f) for row in context["visits"] for f in row["findings"]]
    for branch, finding in findings:
        w.para(
            f"· {branch}：{finding.enterprise.name + '，' if finding.enterprise else ''}{finding.text}"
            + (f"（已责令改正，{finding.order.number}）" if finding.order else ""),
            indent=False,
        )
    if not findings:
        w.para("未发现问题。")
    if campaign.report_summary:
        w.heading("工作总结", size=12)
        w.para(campaign.report_summary)
    return w.bytes()
