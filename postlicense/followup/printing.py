"""责令改正通知书 / 停产整顿通知书 with its 送达回证, in print: PDF (WeasyPrint, A4, through inspections.printing) and
Word (inspections.wordprint, the one builder of Word documents). One context serves both."""

from postlicense.inspections.printing import render_pdf
from postlicense.inspections.wordprint import WordDocument

from . import rules


def _cn_date(value):
    return f"{value.year}年{value.month}月{value.day}日" if value else "    年  月  日"


def context(order):
    items = list(order.items.all())
    licenses = list(order.source_record.licenses.values_list("number", flat=True)) if order.source_record else []
    body = (
        f"经查，你单位存在下列问题（来源：{order.source_label}）。"
        f"依据{order.legal_basis}，现责令你单位"
        + ("停产整顿，" if order.measure == "stoppage" else "")
        + f"自收到本通知书之日起{order.period_days}日内按下列要求整改完毕，并将整改情况书面报告本机关。"
        "逾期未整改或者整改后仍不符合要求的，本机关将依法作进一步处理。"
    )
    return {
        "order": order,
        "items": items,
        "licenses": "、".join(licenses),
        "body": body,
        "deadline": order.deadline_text.replace("整改期限 ", "")
        if order.deadline_text
        else f"送达后{order.period_days}日",
        "rights": rules.RIGHTS,
        "issued": _cn_date(order.issued_on),
        "served": _cn_date(order.served_on),
    }


def pdf(order):
    return render_pdf(context(order), "followup/order_print.html")


def docx(order):
    c = context(order)
    w = WordDocument()
    w.para(order.unit.name, align="center", bold=True, size=18)
    w.title(order.title)
    w.para(order.number, align="right")
    w.para(f"{order.enterprise.name}：", indent=False)
    w.para(c["body"])
    for item in c["items"]:
        w.para(f"{item.position}. {item.description}")
        if item.requirement:
            w.para(f"整改要求：{item.requirement}")
    w.para(f"整改期限：{c['deadline']}")
    w.para(c["rights"])
    w.para("")
    w.para(order.unit.name, align="right")
    w.para("（印章）", align="right")
    w.para(c["issued"], align="right")
    w.page_break()
    w.title("送达回证")
    rows = [
        ("送达文书", f"{order.title}（{order.number}）"),
        ("受送达人", order.enterprise.name),
        ("送达地点", order.enterprise.address),
        ("送达方式", order.get_service_method_display() or "□直接 □留置 □邮寄 □电子 □委托"),
        ("受送达人签收", ("拒绝签收：" + order.refusal_note) if order.refused else (order.receiver or "")),
        ("送达日期", c["served"]),
        ("送达人", order.served_by.display_name if order.served_by else ""),
        ("备注", ""),
    ]
    w.table(rows, widths=(40, 116))
    return w.bytes()
