"""Documents are cited by their short names, never by seed numbers (DESIGN "Documents named in the UI")."""

import re

from django.template import Context, Template

from postlicense.core.regulations import DOCUMENTS, cite

SEED_NUMBER = re.compile(r"(?<!\d)00[0-4](?!\d)")


def test_cite_gives_short_name_and_article():
    assert cite("003", "七(五)") == "许昌双随机实施方案 七(五)"
    assert cite("002", "第九条") == "白城事中事后监管办法 第九条"
    assert cite("000") == "滨海督查互查通知"


def test_every_seed_document_has_a_short_name_and_full_title():
    assert sorted(DOCUMENTS) == ["000", "001", "002", "003", "004"]
    for document in DOCUMENTS.values():
        assert not SEED_NUMBER.search(document.short_name + document.title)
        assert document.title.count("《") == 1 and document.short_name not in document.title


def test_cite_tag_shows_the_full_title_on_hover():
    html = Template('{% load regulations %}{% cite "001" "二(三)" %}').render(Context())
    assert html == (
        '<cite class="rule" title="国家质检总局《关于进一步加强获证企业后续监管工作的实施意见》（国质检监〔2006〕500号）">'
        "总局后续监管意见 二(三)</cite>"
    )
