"""Review photos: checked by their bytes, stored on disk, served to signed-in staff.

The type is read from the file's first bytes (JPEG, PNG or WebP signatures), never
from the file name or the Content-Type the browser sent: a text file renamed to
.jpg is refused. The pixel size is then read from the image's header with Pillow, and
nothing is ever decoded: a 5 MB PNG can hold 40,000 x 40,000 pixels (4.8 GB once
decoded, in the browsers of the staff who look at it), and a header of a few bytes can
claim 100,000 x 100,000. Such an image, or one Pillow cannot read as the type its
signature names, gets a 400 that says why.

Files live under the upload root (config UPLOAD_FOLDER, default `instance/uploads`) at
`reviews/<review id>/<uuid>.<ext>`; the review row keeps that relative path, so the root
can move without touching the database.
"""

from __future__ import annotations

import io
import os
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from PIL import Image, UnidentifiedImageError

from app.errors import ValidationFailed

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Enough for MAX_PHOTOS photos and the form's text fields in one multipart body.
MAX_UPLOAD_BODY = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024
FIELD = "photos"
# 50 megapixels: a phone's largest photo mode (48-50 MP); ~200 MB once a browser decodes it.
MAX_PHOTO_PIXELS = 50_000_000


class ImageRefused(ValidationFailed):
    """The bytes are no image we will show: unreadable, or too many pixels to decode safely."""

    status = 400
    code = "image_refused"


@dataclass(frozen=True)
class PhotoType:
    content_type: str
    extension: str
    pillow_format: str


JPEG = PhotoType("image/jpeg", "jpg", "JPEG")
PNG = PhotoType("image/png", "png", "PNG")
WEBP = PhotoType("image/webp", "webp", "WEBP")


@dataclass(frozen=True)
class Photo:
    """An accepted upload, held in memory until the review has an id to file it under."""

    data: bytes
    kind: PhotoType


def sniff(head: bytes) -> PhotoType | None:
    """The image type named by the file's magic bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={FIELD: message})


def header_problem(data: bytes, kind: PhotoType) -> str | None:
    """Why the image in `data` must not be decoded (None: fine), from its header alone."""
    try:
        with warnings.catch_warnings():
            # Pillow warns past Image.MAX_IMAGE_PIXELS and raises only past twice that:
            # our own, lower limit below decides, on the size read from the header.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:  # reads the header only
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:  # Pillow's own limit (~179 MP), far past ours
        return f"has far more than {MAX_PHOTO_PIXELS // 1_000_000} megapixels: too many to show safely"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return "is not a readable image"
    if width < 1 or height < 1:
        return "is not a readable image"
    if width * height * frames > MAX_PHOTO_PIXELS:
        return (
            f"is {width:,} x {height:,} pixels{f' in {frames} frames' if frames > 1 else ''}: "
            f"photos may have at most {MAX_PHOTO_PIXELS // 1_000_000} megapixels"
        )
    return None


def read_uploads(files: list[tuple[str, IO[bytes]]]) -> list[Photo]:
    """Check every uploaded (filename, stream) pair; all are accepted or none is.

    Empty file inputs (the browser sends one when nothing was chosen) are skipped.
    """
    chosen = [(name, stream) for name, stream in files if name]
    if len(chosen) > MAX_PHOTOS:
        raise _refuse(f"Add at most {MAX_PHOTOS} photos.")
    photos = []
    for name, stream in chosen:
        data = stream.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise _refuse(f"{_label(name)} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB.")
        kind = sniff(data[:16])
        if kind is None:
            raise _refuse(f"{_label(name)} is not a JPEG, PNG or WebP image.")
        problem = header_problem(data, kind)
        if problem:
            message = f"{_label(name)} {problem}."
            raise ImageRefused(message, fields={FIELD: message})
        photos.append(Photo(data=data, kind=kind))
    return photos


def _label(filename: str) -> str:
    cleaned = "".join(ch for ch in filename if ch.isprintable())[:60]
    return f"“{cleaned}”" if cleaned else "A photo"


# -- storage ------------------------------------------------------------------------------


def upload_root() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def review_folder(review_id: int) -> str:
    return f"reviews/{review_id}"


def save(review_id: int, photos: list[Photo]) -> list[dict]:
    """Write the photos under the review's folder; the entries for `Review.photos`."""
    folder = upload_root() / review_folder(review_id)
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for photo in photos:
        relative = f"{review_folder(review_id)}/{uuid.uuid4().hex}.{photo.kind.extension}"
        target = upload_root() / relative
        # Write then rename: a reader never sees half a file.
        partial = target.with_suffix(".part")
        partial.write_bytes(photo.data)
        os.replace(partial, target)
        entries.append({"path": relative, "content_type": photo.kind.content_type, "bytes": len(photo.data)})
    return entries


def remove(entries: list[dict]) -> None:
    """Delete replaced photos (missing files are fine: the goal is their absence)."""
    for entry in entries:
        path = resolve(entry.get("path", ""))
        if path is not None:
            path.unlink(missing_ok=True)


def resolve(relative: str) -> Path | None:
    """The file of a stored path, or None when the path would leave the upload root."""
    root = upload_root().resolve()
    candidate = (root / relative).resolve()
    return candidate if candidate.is_relative_to(root) and candidate != root else None
