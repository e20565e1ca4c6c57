"""Checks on uploaded photos and PDFs: type from the content (not the name or the browser's claim), size cap."""

import io
import os

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


def max_bytes():
    return int(getattr(settings, "INSPECTION_ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def check_image(raw):
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError("图片文件已损坏或无法识别。") from exc


def validate(upload):
    """(bytes, content type) of an acceptable upload, or a ValidationError naming the file and the reason."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"文件“{upload.name}”大小 {upload.size / 1048576:.1f} MB，超过上限 {limit // 1048576} MB。"
        )
    raw = upload.read()
    kind = filetype.guess(raw)
    content_type = kind.mime if kind else ""
    if content_type not in ALLOWED:
        raise ValidationError(f"文件“{upload.name}”不是图片（JPEG/PNG/WebP）或 PDF，不能上传。")
    if content_type.startswith("image/"):
        check_image(raw)
    return raw, content_type


def storage_name(original_name, content_type):
    stem = os.path.splitext(os.path.basename(original_name))[0][:60] or "file"
    return f"{stem}{ALLOWED[content_type]}"
