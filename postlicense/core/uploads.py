"""Checks on uploaded files before anything reads or stores them, and how long import files are kept.

A file is refused with a Chinese message (ValidationError) when reading it could exhaust the process:
- .xlsx (a zip of XML parts): the sum of the parts' uncompressed sizes, each part's compression ratio, the
  worksheet's declared dimension and the cells it actually has. The spreadsheet reader allocates
  rows × columns of the range its cells span (one cell at XFD1048576 asked for 512 GiB and aborted the
  process), so the parts are inflated here first, as a stream, counting the real bytes and the furthest
  cell reference; the reader runs only on a file whose range and size are inside the bounds.
- PDF: active content (JavaScript, launch actions), also inside compressed object streams.

Import files are kept IMPORT_FILE_RETENTION_DAYS (default 30) after their job finished, then `postlicense
purge-uploads` deletes them; a rejected import's file is deleted as soon as its job reports the errors.
"""

import itertools
import re
import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

MAX_XLSX_UNCOMPRESSED_MB = 400  # a 100,000-row import sheet is 138 MB of XML
MAX_COMPRESSION_RATIO = 200  # XML compresses 5–20×, a deflate bomb ~1000×
MAX_COLUMNS = 100  # the import layouts have 9 and 23
MAX_CELLS = 6_000_000  # rows × columns: 260,000 rows of the enterprise layout; the reader then needs ~0.5 GB
_CHUNK = 1 << 20

# Fast path: cells and rows written as every spreadsheet program writes them, r first (<c r="B7" …>).
# Ten digits are past every bound (int() of thousands of digits raises).
_ROW_NUMBER = re.compile(rb' r="[A-Za-z]{0,4}(\d{1,10})')
_COLUMN_LETTERS = re.compile(rb' r="([A-Za-z]{1,4})')
# Anything else (no r: placed after the previous one; r later or after other white space; a namespace prefix)
# is counted element by element.
_IRREGULAR = re.compile(rb'<(?:c|row)(?:[>/\t\r\n]| (?!r="))')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)")
_ATTRIBUTE_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,4})(\d{0,10})""")
_REF = re.compile(rb"\$?([A-Za-z]{0,4})\$?(\d{0,10})")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*ref\s*=\s*["']([^"']*)""")


def _too_large(rows, columns):
    return columns > MAX_COLUMNS or rows * columns > MAX_CELLS


def _bound_message(rows, columns, what):
    return (
        f"工作表{what}为 {rows:,} 行 × {columns:,} 列，超过上限（最多 {MAX_COLUMNS} 列、"
        f"{MAX_CELLS // 10000} 万个单元格）。请删除多余的行列，或拆分为多个文件分批导入。"
    )


def column_number(letters: bytes) -> int:
    """b"A" → 1, b"AZ" → 52, b"XFD" → 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _unsafe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return name.startswith(("/", "\\")) or ".." in path.parts or ":" in name


def _inflate(file, info):
    """The member's real bytes, in chunks, from its compressed data (not trusting its declared size)."""
    file.seek(info.header_offset)
    header = file.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ValidationError("文件已损坏：压缩包结构不完整。")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    file.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:
        raise ValidationError("文件使用了不支持的压缩方式：请用 Excel 或 WPS 另存为 .xlsx 后上传。")
    while left > 0:
        data = file.read(min(left, _CHUNK))
        if not data:
            raise ValidationError("文件已损坏或不完整（可能未上传完）：请重新保存后上传。")
        left -= len(data)
        if inflater is None:
            yield data
            continue
        try:
            out = inflater.decompress(data, _CHUNK)
            while out:
                yield out
                out = inflater.decompress(inflater.unconsumed_tail, _CHUNK) if inflater.unconsumed_tail else b""
        except zlib.error as exc:
            raise ValidationError("文件已损坏：压缩数据无法解开。") from exc


def _positional_extent(buffer, extent):
    """Rows and columns of elements without r, counted as the reader counts them (one after the previous)."""
    for match in _ELEMENT.finditer(buffer):
        extent["elements"] += 1
        if extent["elements"] > 2 * MAX_CELLS:  # empty rows extend no range, but cost time to count
            raise ValidationError(f"工作表的行和单元格超过 {2 * MAX_CELLS // 10000} 万个，请拆分为多个文件分批导入。")
        kind, attrs = match.groups()
        ref = _ATTRIBUTE_REF.search(attrs)
        if kind == b"row":
            extent["row"] = int(ref.group(2)) if ref and ref.group(2) else extent["row"] + 1
            extent["col"] = 0
        else:
            extent["col"] = column_number(ref.group(1)) if ref and ref.group(1) else extent["col"] + 1
            if ref and ref.group(2):
                extent["row"] = max(extent["row"], int(ref.group(2)))
        extent["max_row"] = max(extent["max_row"], extent["row"])
        extent["max_col"] = max(extent["max_col"], extent["col"])


def _check_dimension(buffer):
    declared = _DIMENSION.search(buffer)
    if declared is None:
        return
    refs = [_REF.match(part) for part in declared.group(1).split(b":")]
    rows = max(int(ref.group(2) or 1) for ref in refs)
    columns = max(column_number(ref.group(1) or b"A") for ref in refs)
    if _too_large(rows, columns):
        raise ValidationError(_bound_message(rows, columns, "声明的范围"))


def _scan_member(file, info):
    """Inflate one part as a stream; refuse it as soon as its bytes or its cells pass the bounds."""
    extent = {"row": 0, "col": 0, "max_row": 0, "max_col": 0, "elements": 0}
    size, tail, first = 0, b"", True
    for chunk in _inflate(file, info):
        size += len(chunk)
        if size > info.file_size:
            raise ValidationError("文件已损坏：压缩包中的数据与其声明的大小不符。")
        buffer = tail + chunk
        cut = buffer.rfind(b"<")  # an element cut off by the chunk's end waits for the next chunk
        if cut == -1 or buffer.find(b">", cut) != -1:
            tail = b""
        elif len(buffer) - cut > _CHUNK:
            raise ValidationError("文件中有异常的超长标签，不予读取。")
        else:
            buffer, tail = buffer[:cut], buffer[cut:]
        if first:
            _check_dimension(buffer)
            first = False
        numbers = _ROW_NUMBER.findall(buffer)
        if numbers:
            extent["max_row"] = max(extent["max_row"], max(map(int, numbers)))
        for letters in set(_COLUMN_LETTERS.findall(buffer)):
            extent["max_col"] = max(extent["max_col"], column_number(letters))
        if _IRREGULAR.search(buffer) or _PREFIXED.search(buffer):
            extent["row"] = max(extent["row"], extent["max_row"])
            _positional_extent(buffer, extent)
        if _too_large(extent["max_row"], extent["max_col"]):
            raise ValidationError(_bound_message(extent["max_row"], extent["max_col"], "中的单元格范围"))
    if size != info.file_size:
        raise ValidationError("文件已损坏：压缩包中的数据与其声明的大小不符。")


def check_xlsx(file):
    """Refuse an .xlsx that is not a sound zip or whose reading would pass the size and cell bounds.

    `file` is a seekable binary file; it is left at its start."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError(
            "文件无法读取：不是有效的 Excel .xlsx 文件（或文件不完整）。请用 Excel 或 WPS 另存为 .xlsx 后上传。"
        ) from exc
    for info in members:
        if _unsafe_member(info.filename):
            raise ValidationError(f"文件含有不安全的路径“{info.filename[:80]}”，不予读取。")
        if info.file_size > _CHUNK and info.file_size > info.compress_size * MAX_COMPRESSION_RATIO:
            raise ValidationError(
                f"文件压缩比异常（“{info.filename[:80]}”解压后是压缩前的 {info.file_size // max(info.compress_size, 1):,} 倍），不予读取。"
            )
    total = sum(info.file_size for info in members)
    if total > MAX_XLSX_UNCOMPRESSED_MB * 1024 * 1024:
        raise ValidationError(
            f"文件解压后为 {total / 1048576:,.0f} MB，超过 {MAX_XLSX_UNCOMPRESSED_MB} MB 的上限；请拆分为多个文件分批导入。"
        )
    for info in members:
        if not info.is_dir():
            _scan_member(file, info)
    file.seek(0)


def discard_file(job):
    """Delete a job's uploaded file and forget it (the job and its report stay)."""
    if job.file:
        job.file.delete(save=False)
        type(job).objects.filter(pk=job.pk).update(file="")


def purge_uploads(now=None):
    """Delete the files of import jobs that finished over IMPORT_FILE_RETENTION_DAYS ago, and of rejected ones at
    any age; a file a pending or running job (a retry) still reads is kept. Returns how many jobs lost their file;
    run again, it finds nothing more to do."""
    from postlicense.core.jobs.models import Job

    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    in_use = Job.objects.exclude(status__in=Job.FINISHED).exclude(file="").values("file")
    expired = (
        Job.objects.exclude(file="")
        .filter(Q(status=Job.Status.INVALID) | Q(finished_at__lt=cutoff))
        .exclude(file__in=in_use)
    )
    count = 0
    for job in expired.iterator():
        discard_file(job)
        count += 1
    return count


MAX_PDF_INFLATED_MB = 200
# Names whose objects run or launch something when the PDF is opened or clicked: JavaScript (also as the
# action of /OpenAction or /AA) and launching a program.
_PDF_ACTIVE = re.compile(rb"/(?:JS|JavaScript|Launch)(?=[\s()<>\[\]{}/%]|$)")
# An encrypted PDF's streams cannot be read for those names without its password, so it is refused as a whole.
_PDF_ENCRYPT = re.compile(rb"/Encrypt(?=[\s()<>\[\]{}/%]|$)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n")


def _pdf_streams(raw):
    """The inflated content of every Flate stream (object streams can hide dictionaries), in pieces that overlap
    by a name's length, within a total bound."""
    total = 0
    for match in _PDF_STREAM.finditer(raw):
        end = raw.find(b"endstream", match.end())
        inflater, data, previous = zlib.decompressobj(), raw[match.end() : end if end != -1 else len(raw)], b""
        while data:
            try:
                piece = inflater.decompress(data, _CHUNK * 4)
            except zlib.error:
                break  # not Flate (an image, say), or damaged: nothing to read in it
            total += len(piece)
            if total > MAX_PDF_INFLATED_MB * 1024 * 1024:
                raise ValidationError("PDF 文件的压缩内容异常庞大，不能上传。")
            yield previous + piece
            previous, data = piece[-64:], inflater.unconsumed_tail


def _unescaped(part):
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), part)


def check_pdf(raw: bytes, name: str):
    """Refuse a PDF with JavaScript or a launch action, in its body or its compressed streams (names may be
    spelled with #xx escapes, /J#53 for /JS), and an encrypted PDF, whose streams cannot be checked."""
    if _PDF_ENCRYPT.search(_unescaped(raw)):
        raise ValidationError(f"文件“{name}”已加密（设有密码），无法检查其内容，不能上传。请去除密码后再上传。")
    for part in itertools.chain([raw], _pdf_streams(raw)):  # one inflated piece at a time
        if _PDF_ACTIVE.search(_unescaped(part)):
            raise ValidationError(
                f"文件“{name}”含有脚本或启动程序的动作（JavaScript），不能上传。请另存为普通 PDF 后再上传。"
            )
