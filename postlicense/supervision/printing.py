"""The 抽样单 in print (WeasyPrint, A4), laid out like a paper sampling form: three copies, each marked with
whom it is for (the enterprise, the lab, the unit). Signatures come from the record (inspections.printing.data_uri)."""

from django.template.loader import render_to_string

from postlicense.core.regulations import cite
from postlicense.inspections.printing import data_uri

COPIES = ("第一联 企业留存", "第二联 检验机构留存", "第三联 抽样单位存档")
CHECKED, UNCHECKED = "■", "□"


def context(order):
    return {
        "order": order,
        "copies": COPIES,
        "places": [f"{CHECKED if order.place == value else UNCHECKED}{label}" for value, label in order.Place.choices],
        "samplers": [
            {
                "name": link.inspector.name,
                "certificate_no": link.inspector.certificate_no,
                "signature": data_uri(link.signature),
            }
            for link in order.crew.select_related("inspector")
        ],
        "enterprise_signature": data_uri(order.enterprise_signature),
        "basis": cite("002", "第十六条、第十七条"),
    }


def pdf(order):
    from weasyprint import HTML

    return HTML(string=render_to_string("supervision/print_sampling.html", context(order))).write_pdf()
