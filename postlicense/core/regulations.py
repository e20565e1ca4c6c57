"""The seed documents as the UI names them (DESIGN "Documents named in the UI"): users know a rule by the
document's short name and article ("许昌双随机实施方案 七(五)"), never by our seed number ("003 七(五)").

In Python (messages, help texts): cite("003", "七(五)"). In templates: {% load regulations %}{% cite "003" "七(五)" %},
which adds the full title on hover.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    short_name: str
    title: str


DOCUMENTS = {
    "000": Document(
        "滨海督查互查通知",
        "天津市滨海新区质量技术监督局《关于开展工业产品生产许可证证后监管督查互查工作的通知》"
        "（津滨质监局质监〔2011〕40号）",
    ),
    "001": Document(
        "总局后续监管意见", "国家质检总局《关于进一步加强获证企业后续监管工作的实施意见》（国质检监〔2006〕500号）"
    ),
    "002": Document(
        "白城事中事后监管办法",
        "《白城市市场监督管理局实行生产许可证制度的食品相关产品（工业产品）生产事中事后监管办法》"
        "（2020年11月25日起施行）",
    ),
    "003": Document(
        "许昌双随机实施方案",
        "许昌市市场监督管理局《2023年度工业产品生产许可证获证企业资格“双随机一公开”监督检查实施方案》",
    ),
    "004": Document("塔城监督检查计划", "《2022年度全地区工业产品生产企业质量监督检查计划》（塔城地区）"),
}


def cite(seed, article=""):
    """'许昌双随机实施方案 七(五)' for cite("003", "七(五)"); the document alone without an article."""
    return f"{DOCUMENTS[seed].short_name} {article}".rstrip()


def title(seed):
    return DOCUMENTS[seed].title
