"""`--image PATH|URL`: checked once when the campaign is created, loaded once per run.

A local file is identified by its content (JPEG, PNG, WebP magic bytes, never the extension),
limited in size, and recorded with its sha256 so a resumed campaign sends the very same bytes
(or refuses, if the file changed since). A URL is handed to WAHA as `file.url`.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from nexus_blast.errors import InputError

MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    # (signature, offset, mimetype, extension)
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"WEBP", 8, "image/webp", ".webp"),
)
URL_MIMETYPES = {"image/jpeg", "image/png", "image/webp"}


@dataclass(frozen=True)
class Image:
    """What a campaign stores about its image (the `campaigns.image` JSON)."""

    mimetype: str
    filename: str
    path: str | None = None
    url: str | None = None
    size: int | None = None
    sha256: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> Image:
        return cls(**{k: data.get(k) for k in ("mimetype", "filename", "path", "url", "size", "sha256")})


def sniff_mimetype(head: bytes) -> str | None:
    """The image type of HEAD (the file's first bytes), or None when it is not JPEG/PNG/WebP."""
    for signature, offset, mimetype, _ in MAGIC:
        if head[offset : offset + len(signature)] == signature:
            if mimetype == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return mimetype
    return None


def check_image(spec: str, *, max_mib: float) -> Image:
    """The image of `--image SPEC` (a path or an http(s) URL); InputError naming the file otherwise."""
    if spec.startswith(("http://", "https://")):
        return _url_image(spec)
    path = Path(spec).expanduser()
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{spec}: not a file")
        with path.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        raise InputError(f"{spec}: no such image file") from None
    except OSError as exc:
        raise InputError(f"{spec}: cannot read ({exc.strerror})") from None
    limit = int(max_mib * 1024 * 1024)
    if size > limit:
        raise InputError(
            f"{spec}: image is {size / 1048576:.1f} MiB, over the {max_mib:g} MiB limit",
            hint="shrink it or raise sending.max_image_mib",
        )
    mimetype = sniff_mimetype(head)
    if mimetype is None:
        raise InputError(f"{spec}: not a JPEG, PNG or WebP image (checked by content)")
    data = path.read_bytes()
    extension = next(ext for _, _, mt, ext in MAGIC if mt == mimetype)
    filename = path.name if path.suffix.lower() in (extension, ".jpeg") else path.stem + extension
    return Image(
        mimetype=mimetype, filename=filename, path=str(path.resolve()), size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# Pages that commonly serve a generated image: their extension says nothing about the content.
DYNAMIC_SUFFIXES = frozenset({".php", ".asp", ".aspx", ".jsp", ".cgi", ".pl", ".py"})
URL_NOT_CHECKED = "the image URL's content is not checked by blast: WAHA downloads it at each send"


def _url_image(url: str) -> Image:
    """A URL's image, refused when its path names another kind of file (`.exe`, `.pdf`, `.gif`);
    its content cannot be checked here (see URL_NOT_CHECKED, said in the plan)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise InputError(f"{url}: not a valid image URL")
    name = PurePosixPath(parts.path).name or "image.jpg"
    suffix = PurePosixPath(name).suffix.lower()
    guessed = mimetypes.guess_type(name)[0]
    if guessed is not None and guessed not in URL_MIMETYPES and suffix not in DYNAMIC_SUFFIXES:
        raise InputError(
            f"{url}: the URL's path says {suffix}, not a JPEG, PNG or WebP image",
            hint="link the image itself, or download it and pass --image FILE (its content is then checked)",
        )
    mimetype = guessed if guessed in URL_MIMETYPES else "image/jpeg"
    return Image(mimetype=mimetype, filename=name, url=url)


def unchecked_warning(image: Image | None) -> str | None:
    """What the plan must say about IMAGE's content: None for a local file (checked by content)."""
    return URL_NOT_CHECKED if image is not None and image.url else None


def load_payload(image: Image) -> str | None:
    """The base64 data to send for a local image (None for a URL); InputError if the file is gone
    or changed since the campaign was created (a resume must send the same bytes)."""
    if image.url:
        return None
    assert image.path is not None
    try:
        data = Path(image.path).read_bytes()
    except OSError as exc:
        raise InputError(f"{image.path}: campaign image cannot be read any more ({exc.strerror})") from None
    if image.sha256 and hashlib.sha256(data).hexdigest() != image.sha256:
        raise InputError(f"{image.path}: campaign image changed since the campaign was created")
    return base64.b64encode(data).decode("ascii")
