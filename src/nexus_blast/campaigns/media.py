"""A campaign's one media (`--image`, `--file`, `--video`, `--voice`): checked once when the
campaign is created, loaded once per run.

A local file is identified by its content (magic bytes, never the extension), limited in size as
WhatsApp limits it, and recorded with its sha256 so a resumed campaign sends the very same bytes
(or refuses, if the file changed since). A URL (any kind, --image included) is fetched once before
anything is stored (type and size checked the same way), then handed to WAHA as `file.url`, or sent
as data with --embed (re-fetched and compared by sha256 when a run starts).

Stored in the `campaigns.image` JSON column: old rows have no `kind` and are images.
"""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from nexus_blast.errors import InputError
from nexus_blast.i18n import N_, _, number, os_reason

MIB = 1024 * 1024
CHUNK = 3 * MIB  # a multiple of 3: base64 of consecutive chunks is the base64 of the whole
# WhatsApp's own limits (the app refuses bigger files): 16 MB for video and audio, 100 MB for a
# document; images use sending.max_image_mib (16 by default).
LIMITS_MIB = {"video": 16, "voice": 16, "file": 100}
KINDS = ("image", "file", "video", "voice")
KIND_NAMES = {"image": N_("image"), "file": N_("document"), "video": N_("video"), "voice": N_("voice note")}
ENDPOINTS = {"image": "/api/sendImage", "file": "/api/sendFile", "video": "/api/sendVideo", "voice": "/api/sendVoice"}
OPUS = "audio/ogg; codecs=opus"  # what WhatsApp plays as a voice note
CONVERTIBLE = {"audio/mpeg", "audio/mp4", "audio/wav", "audio/ogg"}  # the server makes Opus of them

MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    # (signature, offset, mimetype, extension): images (kept for --image)
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"WEBP", 8, "image/webp", ".webp"),
)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
EXTENSIONS = {
    "application/pdf": ".pdf", "application/zip": ".zip", "video/mp4": ".mp4", "video/quicktime": ".mov",
    "audio/mp4": ".m4a", "audio/mpeg": ".mp3", "audio/wav": ".wav", OPUS: ".opus", "audio/ogg": ".ogg",
    "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "text/html": ".html",
    **{mt: ext for mt, ext in OFFICE.values()},
}


@dataclass(frozen=True)
class Media:
    """What a campaign stores about its media (the `campaigns.image` JSON)."""

    mimetype: str
    filename: str
    path: str | None = None
    url: str | None = None
    size: int | None = None
    sha256: str | None = None
    kind: str = "image"
    embed: bool = False  # a URL fetched and sent as data (--embed)
    convert: bool = False  # a voice note the server converts to Opus (`convert: true`)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False)}

    @classmethod
    def from_dict(cls, data: dict) -> Media:
        fields = ("mimetype", "filename", "path", "url", "size", "sha256")
        extra = {k: data[k] for k in ("kind", "embed", "convert") if data.get(k) is not None}
        return cls(**{k: data.get(k) for k in fields}, **extra)

    @property
    def sends_data(self) -> bool:
        """Sent as base64 data (a local file, or a URL with --embed), not as a URL WAHA fetches."""
        return self.url is None or self.embed

    def describe(self) -> dict:
        """What `campaign show` and the plan say about it: kind, name, size, sha256 (and where)."""
        doc = {"kind": self.kind, "filename": self.filename, "mimetype": self.mimetype, "size": self.size, "sha256": self.sha256}
        doc |= {"url": self.url} if self.url else {"path": self.path}
        return doc | ({"convert": True} if self.convert else {}) | ({"embed": True} if self.embed else {})


Image = Media  # the name campaigns had when only images existed


def sniff_mimetype(head: bytes) -> str | None:
    """The image type of HEAD (the file's first bytes), or None when it is not JPEG/PNG/WebP."""
    found = sniff(head)
    return found if found in IMAGE_TYPES else None


def sniff(data: bytes, archive=None) -> str | None:
    """The type of DATA (the file's first bytes, 512 are enough) by its magic numbers: images, PDF,
    MP4/M4A/QuickTime (`ftyp`), OGG (Opus or not), MP3, WAV, ZIP-based office documents (read
    from ARCHIVE, a path or file object of the whole file; DATA itself when None), HTML; None
    when unknown."""
    for signature, offset, mimetype, _ext in MAGIC:
        if data[offset : offset + len(signature)] == signature:
            if mimetype == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return mimetype
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if data.startswith(b"OggS"):
        return OPUS if b"OpusHead" in data[:80] else "audio/ogg"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(io.BytesIO(data) if archive is None else archive)
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    return None


def _zip_type(archive) -> str:
    try:
        with zipfile.ZipFile(archive) as opened:
            names = opened.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "application/zip"  # only its head was given, or a damaged archive
    for prefix, (mimetype, _ext) in OFFICE.items():
        if any(name.startswith(prefix) for name in names):
            return mimetype
    return "application/zip"


def kind_name(kind: str) -> str:
    """A media kind for people (`image`, `imagem`); English keeps the kind itself (`file`)."""
    from nexus_blast.i18n import ENGLISH, Message, language

    if kind not in KIND_NAMES or language() == ENGLISH:
        return kind
    return Message(str(_(KIND_NAMES[kind])), kind)


def _limit_mib(kind: str, max_image_mib: float) -> float:
    return max_image_mib if kind == "image" else LIMITS_MIB[kind]


def _accept(kind: str, spec: str, mimetype: str | None, name: str) -> tuple[str, bool]:
    """(mimetype to send, convert) for content MIMETYPE given to --KIND; InputError otherwise."""
    if kind == "image":
        if mimetype not in IMAGE_TYPES:
            raise InputError(_("{spec}: not a JPEG, PNG or WebP image (checked by content)").format(spec=spec))
        return mimetype, False
    if kind == "video":
        if mimetype != "video/mp4":
            raise InputError(_("{spec}: not an MP4 video (checked by content)").format(spec=spec), hint=_("WhatsApp plays MP4 (H.264); convert it with ffmpeg first"))
        return mimetype, False
    if kind == "voice":
        if mimetype == OPUS:
            return OPUS, False
        if mimetype in CONVERTIBLE:
            return mimetype, True
        raise InputError(_("{spec}: not an OGG/Opus, MP3, M4A or WAV audio file (checked by content)").format(spec=spec))
    # --file: any document; a name that promises a type the content is not is refused.
    suffix = PurePosixPath(name).suffix.lower()
    claimed = mimetypes.guess_type("x" + suffix)[0] if suffix else None
    if mimetype == "text/html" and suffix not in (".html", ".htm"):
        raise InputError(_("{spec}: an HTML page, not a {suffix} document (checked by content)").format(spec=spec, suffix=suffix or _("binary")))
    sniffable = set(EXTENSIONS) - {"text/html"}
    if claimed in sniffable and mimetype != claimed and not (claimed == "application/zip" and mimetype in {m for m, _e in OFFICE.values()}):
        raise InputError(_("{spec}: the name says {suffix} but the content is {found} (checked by content)").format(
            spec=spec, suffix=suffix, found=mimetype or _("something else")))
    return mimetype or claimed or "application/octet-stream", False


def _check_size(kind: str, spec: str, size: int, max_image_mib: float) -> None:
    if size == 0:
        raise InputError(_("{spec}: the file is empty (0 bytes)").format(spec=spec))
    limit = _limit_mib(kind, max_image_mib)
    if size > limit * MIB:
        hint = _("shrink it or raise sending.max_image_mib") if kind == "image" else _("WhatsApp refuses bigger files: shrink it")
        raise InputError(
            _("{spec}: {what} is {size} MiB, over the {limit} MiB limit").format(
                spec=spec, what=kind_name(kind), size=number(size / MIB, 1), limit=number(limit)),
            hint=hint,
        )


def _filename(kind: str, name: str, mimetype: str) -> str:
    """NAME as WhatsApp shows it: kept for documents; for images its extension follows the content."""
    if kind != "image":
        return name
    extension = EXTENSIONS[mimetype]
    suffix = PurePosixPath(name).suffix.lower()
    return name if suffix in (extension, ".jpeg") else PurePosixPath(name).stem + extension


def check_media(kind: str, spec: str, *, max_image_mib: float = 16, embed: bool = False, fetch=None) -> Media:
    """The media of `--KIND SPEC` (a path or an http(s) URL); InputError naming the file otherwise.
    FETCH(url, limit) → (bytes, filename) reads a URL (see campaigns/fetch.py)."""
    if kind not in KINDS:
        raise ValueError(f"unknown media kind {kind!r}")
    if spec.startswith(("http://", "https://")):
        return _url_media(kind, spec, max_image_mib=max_image_mib, embed=embed, fetch=fetch)
    path = Path(spec).expanduser()
    try:
        if not path.exists():
            raise InputError(_("{spec}: no such {kind} file").format(spec=spec, kind=kind_name(kind)))
        if not path.is_file():
            raise InputError(_("{spec}: not a file").format(spec=spec))
        size = path.stat().st_size
        _check_size(kind, spec, size, max_image_mib)
        digest, head = hashlib.sha256(), b""
        with path.open("rb") as handle:  # in chunks: a 100 MB document is never held here
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                head = head or chunk[:512]
                digest.update(chunk)
        found = sniff(head, archive=path)
    except OSError as exc:
        raise InputError(_("{spec}: cannot read ({reason})").format(spec=spec, reason=os_reason(exc))) from None
    mimetype, convert = _accept(kind, spec, found, path.name)
    return Media(
        mimetype=mimetype, filename=_filename(kind, path.name, mimetype), path=str(path.resolve()), size=size,
        sha256=digest.hexdigest(), kind=kind, convert=convert,
    )


def check_image(spec: str, *, max_mib: float) -> Media:
    """The image of `--image SPEC`."""
    return check_media("image", spec, max_image_mib=max_mib)


def _url_media(kind: str, url: str, *, max_image_mib: float, embed: bool, fetch) -> Media:
    if fetch is None:
        from nexus_blast.campaigns.fetch import fetch_url as fetch
    limit = int(_limit_mib(kind, max_image_mib) * MIB)
    data, name = fetch(url, limit)
    _check_size(kind, url, len(data), max_image_mib)
    mimetype, convert = _accept(kind, url, sniff(data), name)
    return Media(
        mimetype=mimetype, filename=_filename(kind, name, mimetype), url=url, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), kind=kind, embed=embed, convert=convert,
    )


def url_name(url: str, fallback: str) -> str:
    """The file name a URL's path ends with (percent-decoded), or FALLBACK."""
    return unquote(PurePosixPath(urlsplit(url).path).name) or fallback


def load_data(media: Media, fetch=None) -> bytearray | None:
    """The base64 data (ASCII bytes) to send for MEDIA, read once per run (None when WAHA fetches
    a URL); InputError if the file is gone or changed since the campaign was created (a resume
    must send the same bytes)."""
    if not media.sends_data:
        return None
    where = media.path or media.url or ""
    if media.path:
        try:
            with Path(media.path).open("rb") as handle:
                digest, encoded = _encode(handle, Path(media.path).stat().st_size)
        except OSError as exc:
            raise InputError(_("{path}: campaign {kind} cannot be read any more ({reason})").format(
                path=media.path, kind=kind_name(media.kind), reason=os_reason(exc))) from None
    else:
        if fetch is None:
            from nexus_blast.campaigns.fetch import fetch_url as fetch
        data, _name = fetch(media.url, int((media.size or 0) + MIB))
        digest, encoded = _encode(io.BytesIO(data), len(data))
        del data
    if media.sha256 and digest != media.sha256:
        raise InputError(_("{where}: campaign {kind} changed since the campaign was created").format(where=where, kind=kind_name(media.kind)))
    return encoded


def _encode(handle, size: int) -> tuple[str, bytearray]:
    """(sha256, base64) of what HANDLE reads, encoded chunk by chunk into one buffer of the final
    size: the run holds the base64 once, never the raw bytes beside it."""
    digest = hashlib.sha256()
    out = bytearray(4 * ((size + 2) // 3))
    at = 0
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        piece = base64.b64encode(chunk)
        out[at : at + len(piece)] = piece
        at += len(piece)
    del out[at:]  # the file shrank meanwhile (then its sha256 differs too)
    return digest.hexdigest(), out
