"""Enterprise search keys and query patterns (003 二(一): the enterprise database is searchable by name, credit code
and license number). The patterns run through SQLite's own LIKE, in memory, exactly as the selector runs them."""

import sqlite3

import pytest

from postlicense.registry.search_text import (
    INITIALS_MARKER,
    LIKE_ESCAPE,
    PART_SEPARATOR,
    like_pattern,
    query_terms,
    reads_as_pinyin,
    search_key,
)

TIANRUI = "许昌市天瑞水泥有限公司"
STEEL = "郑州市某某钢铁有限公司"


@pytest.fixture(scope="module")
def like():
    connection = sqlite3.connect(":memory:")

    def run(key, pattern):
        return connection.execute(f"SELECT ? LIKE ? ESCAPE '{LIKE_ESCAPE}'", (key, pattern)).fetchone()[0] == 1

    yield run
    connection.close()


@pytest.fixture
def finds(like):
    """finds(query, *parts): every term of the query matches the key of the parts (the selector ANDs them)."""

    def run(query, *parts):
        key = search_key(*parts)
        terms = query_terms(query)
        return bool(terms) and all(like(key, like_pattern(term)) for term in terms)

    return run


def test_key_holds_text_full_pinyin_and_initials():
    """003 二(一): searchable by name; the key carries the folded name, its pinyin and its initials."""
    key = search_key(TIANRUI)
    assert key == f"{TIANRUI}{PART_SEPARATOR}xuchangshitianruishuiniyouxiangongsi{INITIALS_MARKER}xcstrsnyxgs"
    assert "xcstrsnyxgs" in key


def test_key_has_one_marker_even_if_input_smuggles_separators():
    """The initials marker must appear once, so the initials rule cannot reach into the text or pinyin."""
    key = search_key(f"许昌{INITIALS_MARKER}水泥", f"ab{PART_SEPARATOR}c")
    assert key.count(INITIALS_MARKER) == 1
    assert key.split(INITIALS_MARKER)[1] == f"xcsn{PART_SEPARATOR}abc"


def test_key_skips_empty_parts():
    """Blank optional fields (e.g. no products) leave no empty segment."""
    assert search_key(TIANRUI, "", "  ") == search_key(TIANRUI)


@pytest.mark.parametrize("query", ["xcsn", "XCSN", "XcSn", "ｘｃｓｎ", "xc", "sn", "xcstrsnyxgs"])
def test_initials_with_gaps_find_the_name(finds, query):
    """Initials rule: 许昌 + 水泥 → xcsn, letters in order with gaps, in any case or width."""
    assert finds(query, TIANRUI)


def test_initials_do_not_find_other_names(finds):
    """Initials rule: a name without x…c…s…n initials is not found."""
    assert not finds("xcsn", STEEL)


def test_initials_match_word_pairs_not_scattered_letters(finds):
    """Initials rule: xcsn means 许昌 + 水泥, not any name that happens to hold x, c, s and n in order."""
    assert not finds("xcsn", "许昌新世纪钢铁有限公司", "耐火材料")
    assert finds("xcsn", "许昌新世纪钢铁有限公司", "水泥")
    assert finds("zzgt", STEEL) and not finds("zzgt", TIANRUI)


def test_initials_keep_their_order(finds):
    """Initials rule: the letters must appear in the order typed."""
    assert not finds("snxc", TIANRUI)


@pytest.mark.parametrize("query", ["shuini", "xuchang", "xuch", "tianruishuini", "youxiangongsi", "SHUINI"])
def test_full_pinyin_finds_the_name(finds, query):
    """Pinyin rule: whole syllables (the last possibly half-typed) match contiguously in the full pinyin."""
    assert finds(query, TIANRUI)


def test_full_pinyin_is_contiguous(finds):
    """Pinyin rule: contiguous only; separate words are separate terms."""
    assert not finds("xuchangshuini", TIANRUI)
    assert finds("xuchang shuini", TIANRUI)
    assert not finds("gangtie", TIANRUI) and finds("gangtie", STEEL)


@pytest.mark.parametrize(
    "term, expected",
    [
        ("xcsn", False),
        ("xc", False),
        ("sh", False),
        ("tcl", False),
        ("gs", False),
        ("x", False),
        ("ag", False),
        ("ea", False),
        ("shuini", True),
        ("xuch", True),
        ("xian", True),
        ("haier", True),
        ("er", True),
    ],
)
def test_which_latin_terms_read_as_pinyin(term, expected):
    """Initials have no vowels or start with a one-letter syllable (安 a, 鄂 e); pinyin has a longer syllable."""
    assert reads_as_pinyin(term) is expected


def test_initials_starting_with_a_vowel_syllable(finds):
    """安阳钢铁 → aygt: read as initials (安阳 + 钢铁), not pinyin; "ag" skips a character, so no hit."""
    assert finds("aygt", "安阳钢铁有限公司")
    assert not finds("ag", "安阳钢铁有限公司")


@pytest.mark.parametrize("query", ["天瑞", "许昌市", "有限公司", "天瑞水泥"])
def test_chinese_fragment_is_a_substring(finds, query):
    """A Chinese term is a plain contiguous substring of the name."""
    assert finds(query, TIANRUI)


def test_chinese_is_not_matched_with_gaps(finds):
    """Chinese rule: a plain contiguous substring, no gaps, no reordering."""
    assert not finds("许昌水泥", TIANRUI)
    assert not finds("瑞天", TIANRUI)
    assert finds("许昌 水泥", TIANRUI)


def test_terms_are_anded(finds):
    """Every term must match (the selector ANDs the patterns)."""
    assert finds("许昌 sn", TIANRUI)
    assert not finds("许昌 gt", TIANRUI)


def test_credit_code_fragments_are_contiguous(finds):
    """003 二(一): searchable by 统一社会信用代码; digits match contiguously, in any width or case."""
    parts = (TIANRUI, "水泥", "91411082MA40000007")
    assert finds("91411082", *parts)
    assert finds("９１４１１０８２ｍａ４", *parts)
    assert not finds("9182", *parts)


def test_license_number_fragments(finds):
    """License numbers: a fragment with hyphens or the province matches as typed, full-width or not."""
    parts = (TIANRUI, "豫XK13-201-00123")
    assert finds("xk13-201", *parts)
    assert finds("１３－２０１", *parts)
    assert finds("豫XK13", *parts)
    assert not finds("13-202", *parts)


def test_full_width_and_mixed_case_names(finds):
    """NFKC + casefold on both sides: full-width Latin and brackets in a name."""
    name = "ＬＧ电子（中国）有限公司"
    assert search_key(name).startswith("lg电子(中国)有限公司")
    for query in ["lg", "LG", "ｌｇ", "lgdz", "dianzizhongguo", "lg电子(中国)", "LG电子（中国）"]:
        assert finds(query, name), query


def test_initials_may_span_parts_in_order(finds):
    """Documented: initials letters may come from name then products (许昌 in the name, 水泥 among the products)."""
    assert finds("xcsn", "许昌市某某建材有限公司", "水泥")
    assert not finds("snxc", "许昌市某某建材有限公司", "水泥")


def test_changge_reads_chang(finds):
    """Polyphonic 长: pypinyin reads 长葛 zhang ge; the override makes it chang ge (长葛市 is a county of 许昌)."""
    name = "长葛市宏达水泥有限公司"
    assert "changgeshi" in search_key(name)
    assert finds("cgsn", name) and finds("changge", name)
    assert not finds("zhangge", name) and not finds("zgsn", name)


@pytest.mark.parametrize(
    "name, initials, pinyin",
    [
        ("重庆某某汽车配件有限公司", "cqmm", "chongqing"),  # pypinyin already reads 重庆 chong qing
        ("漯河市召陵区某某食品有限公司", "lhssl", "luoheshishaoling"),
        ("长垣县某某起重机械有限公司", "cyx", "changyuanxian"),
        ("浚县某某化肥有限公司", "xxmm", "xunxian"),
    ],
)
def test_place_name_readings(finds, name, initials, pinyin):
    """Place names with polyphonic characters read as the place is pronounced."""
    assert pinyin in search_key(name)
    assert finds(initials, name) and finds(pinyin, name)


@pytest.mark.parametrize(
    "term, pattern",
    [
        ("50%", r"%50\%%"),
        ("a_b", r"%a\_b%"),
        ("c:\\d", r"%c:\\d%"),
        ("xk13-201", "%xk13-201%"),
        ("xcsn", f"%{INITIALS_MARKER}%xc%sn%"),
        ("tcl", f"%{INITIALS_MARKER}%tc%l%"),
        ("shuini", "%shuini%"),
    ],
)
def test_like_pattern(term, pattern):
    """LIKE wildcards and the escape character are escaped with LIKE_ESCAPE; initials become ordered pairs."""
    assert like_pattern(term) == pattern


def test_wildcards_in_the_query_are_literal(finds):
    """LIKE escaping: % and _ typed by the user match only themselves."""
    assert finds("a_b", "a_b有限公司") and not finds("a_b", "axb有限公司")
    assert finds("100%", "100%纯棉") and not finds("100%", "1000纯棉")


def test_query_terms_split_fold_and_deduplicate():
    """Spaces (including the full-width space), commas, semicolons and 、 separate terms."""
    assert query_terms("  许昌\u3000水泥，XCSN;ｓｎ、许昌 ") == ["许昌", "水泥", "xcsn", "sn"]
    assert query_terms(" \t ") == []
