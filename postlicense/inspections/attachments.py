"""Checks on uploaded photos and PDFs: type from the content (not the name or the browser's claim), size cap,
image dimensions before decoding, no JavaScript in a PDF (core.uploads). An HTML or SVG file is neither an image
nor a PDF by its content, whatever its name says, and is refused."""

import io
import os
import warnings

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from postlicense.core import uploads

ALLOWED = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


def max_bytes():
    return int(getattr(settings, "INSPECTION_ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def check_image(raw, name="图片"):
    """Pillow's decompression-bomb limit on the dimensions in the header, checked when it opens the file, before any
    pixel is decoded (a 100-byte PNG can declare 30000×30000); then the file's structure."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            f"图片“{name}”的尺寸超过上限（{Image.MAX_IMAGE_PIXELS // 1_000_000} 百万像素），不予处理。请缩小后再上传。"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
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
        check_image(raw, upload.name)
    else:
        uploads.check_pdf(raw, upload.name)
    return raw, content_type


def storage_name(original_name, content_type):
    stem = os.path.splitext(os.path.basename(original_name))[0][:60] or "file"
    return f"{stem}{ALLOWED[content_type]}"
