"""Search keys for enterprises and the LIKE patterns that query them (003 二(一): a searchable enterprise database).

``search_key(*parts)`` builds one string per record::

    text_1 US text_2 … US pinyin_1 US pinyin_2 … RS initials_1 US initials_2 …

US is U+001F, RS is U+001E and appears exactly once, so everything after it is the initials. Each text is
the part NFKC-folded and case-folded; its pinyin is the full toneless pinyin run together and its initials
the first letter of each syllable; characters that are not Chinese are kept in both, punctuation and
spaces are dropped.

``query_terms(q)`` folds the query the same way and splits it on spaces, commas, semicolons and 、.
A record matches when the key matches every term's ``like_pattern``:

* a term of Latin letters that reads as pinyin (``shuini``, ``xuchang``, ``xuch``; see ``reads_as_pinyin``)
  must occur as a contiguous substring, which finds it in the full pinyin, the initials or the text;
* any other term of Latin letters is read as initials (``xcsn``, ``tcl``), typed two letters a word as
  most Chinese words have two characters: each pair must occur contiguously in the initials, the pairs in
  order with gaps allowed: 许昌市天瑞水泥 → xcstrsn contains xc…sn. Single letters anywhere would match
  far too much (x…c…s…n is in most long names); pairs keep the hits to names that hold both words.
  The pairs may come from different parts (name, then products), in the order of the parts;
* a term with Chinese characters, digits or punctuation (a name fragment, part of a credit code or a
  license number) must occur as a contiguous substring.

Full pinyin and initials do not mix within one term: ``xuchang sn`` finds 许昌…水泥, ``xuchangsn`` does not.

Run the patterns as ``search_key LIKE %s ESCAPE '\\'`` with the pattern as a bound parameter; that works
on SQLite and PostgreSQL alike. Keys and terms are already case-folded, so LIKE's case rules do not matter.
"""

import functools
import re
import unicodedata

from pypinyin import Style, lazy_pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.seg.simpleseg import seg

PART_SEPARATOR = "\x1f"
INITIALS_MARKER = "\x1e"
LIKE_ESCAPE = "\\"

# Henan place names (长葛 is a county of 许昌) for which pypinyin picks the wrong reading of 长 / 浚 / 漯 / 召.
READING_OVERRIDES = {
    "长葛": ("chang", "ge"),
    "长垣": ("chang", "yuan"),
    "浚县": ("xun", "xian"),
    "漯河": ("luo", "he"),
    "召陵": ("shao", "ling"),
}
_OVERRIDE_RE = re.compile("|".join(map(re.escape, READING_OVERRIDES)))
_TERM_SPLIT = re.compile(r"[\s,;、]+")
_LATIN_TERM = re.compile(r"[a-z]+")


def _fold(text: str) -> str:
    # str.split() also splits on U+001C–U+001F, so the separators can never come from the input.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _pinyin(text: str, style: Style) -> list[str]:
    pieces, start = [], 0
    for match in _OVERRIDE_RE.finditer(text):
        reading = READING_OVERRIDES[match.group()]
        pieces += _lazy_pinyin(text[start : match.start()], style)
        pieces += [syllable[0] for syllable in reading] if style == Style.FIRST_LETTER else list(reading)
        start = match.end()
    return pieces + _lazy_pinyin(text[start:], style)


def _lazy_pinyin(text: str, style: Style) -> list[str]:
    """lazy_pinyin word by word (its own segmentation) with a cache: names repeat words (许昌, 水泥, 有限公司)
    and an import reads 100,000 of them; this keeps the search key cheap enough to build inside an import."""
    return [syllable for word in _segments(text) for syllable in _word_pinyin(word, style)]


@functools.lru_cache(maxsize=100_000)
def _segments(text: str) -> tuple[str, ...]:
    return tuple(seg(text))


@functools.lru_cache(maxsize=100_000)
def _word_pinyin(word: str, style: Style) -> tuple[str, ...]:
    return tuple(lazy_pinyin([word], style=style))


def _alnum(pieces: list[str]) -> str:
    return "".join(char for piece in pieces for char in piece if char.isalnum())


def search_key(*parts: str) -> str:
    texts = [text for text in map(_fold, parts) if text]
    pinyin = [_alnum(_pinyin(text, Style.NORMAL)) for text in texts]
    initials = [_alnum(_pinyin(text, Style.FIRST_LETTER)) for text in texts]
    return PART_SEPARATOR.join(texts + pinyin) + INITIALS_MARKER + PART_SEPARATOR.join(initials)


def query_terms(q: str) -> list[str]:
    """The folded, de-duplicated terms of a query; every one must match."""
    return list(dict.fromkeys(term for term in _TERM_SPLIT.split(_fold(q)) if term))


@functools.cache
def _pinyin_syllables() -> frozenset[str]:
    toned = {reading for value in pinyin_dict.values() for reading in value.split(",")}
    readings = {to_normal(reading) for reading in toned}
    # Vowelless interjections (m, n, ng, hm, hng) would let initials such as "xcsn" pass as pinyin.
    return frozenset(r for r in readings if r.isascii() and r.isalpha() and re.search("[aeiouv]", r))


@functools.cache
def _syllable_prefixes() -> frozenset[str]:
    return frozenset(syllable[:end] for syllable in _pinyin_syllables() for end in range(1, len(syllable) + 1))


def reads_as_pinyin(term: str) -> bool:
    """True if the term is whole pinyin syllables, the last possibly unfinished, one of them two letters or more.

    The length condition keeps initials that start with 安 a, 鄂 e or 欧 o (``ag``, ``eyg``) read as initials.
    """
    syllables, prefixes = _pinyin_syllables(), _syllable_prefixes()
    longest = max(map(len, syllables))
    reachable = [True] + [False] * len(term)
    reachable_long = [False] * (len(term) + 1)
    for start in range(len(term)):
        if reachable[start]:
            for end in range(start + 1, min(len(term), start + longest) + 1):
                if term[start:end] in syllables:
                    reachable[end] = True
                    reachable_long[end] |= reachable_long[start] or end - start >= 2
    return any(reachable_long[cut] and (cut == len(term) or term[cut:] in prefixes) for cut in range(1, len(term) + 1))


def _escape_like(text: str) -> str:
    return "".join(LIKE_ESCAPE + char if char in f"%_{LIKE_ESCAPE}" else char for char in text)


def like_pattern(term: str) -> str:
    """The LIKE pattern (escape character ``LIKE_ESCAPE``) that one term of ``query_terms`` must match."""
    term = _fold(term)
    if _LATIN_TERM.fullmatch(term) and not reads_as_pinyin(term):
        return f"%{INITIALS_MARKER}%" + "%".join(term[i : i + 2] for i in range(0, len(term), 2)) + "%"
    return f"%{_escape_like(term)}%"
