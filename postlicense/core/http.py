"""File downloads under their Chinese names.

RFC 6266 with RFC 5987 encoding: `filename*=UTF-8''…` carries the real name (percent-encoded UTF-8, which
Chromium and Firefox use), and a plain-ASCII `filename="…"` is there for clients that do not read `filename*`.
A raw UTF-8 name in the header (what `filename*=UTF-8''名录.xlsx` without the percent-encoding sends) is
not valid and browsers fall back to the URL's last segment.
"""

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

_NOT_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_fallback(filename: str) -> str:
    """The name with what plain ASCII cannot carry folded or dropped ('获证企业名录-20261130.xlsx' → 'download-20261130.xlsx')."""
    path = PurePosixPath(filename)
    folded = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = _NOT_SAFE.sub("_", folded).strip("_-")
    if not re.search("[A-Za-z]", stem):
        stem = "-".join(filter(None, ["download", stem]))
    return stem + _NOT_SAFE.sub("", path.suffix)


def content_disposition(filename: str, disposition: str = "attachment", fallback: str | None = None) -> str:
    fallback = fallback or ascii_fallback(filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(content: bytes, filename: str, content_type: str, fallback: str | None = None) -> HttpResponse:
    """A download saved as `filename` (any characters) by every current browser; `fallback` is the ASCII name."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response


def next_url(request, fallback: str) -> str:
    """Where to go after a request that names its `next` page: that page only if it is on this site (a relative URL
    or this host, no scheme change; not //evil, /\\evil or javascript:), else `fallback` (no open redirect, issue 11
    item 4). Every redirect target taken from request data goes through here."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else fallback
