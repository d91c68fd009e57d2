"""Media by content: sniffing, the checks of --file/--video/--voice/--image, URLs fetched once."""

from __future__ import annotations

import hashlib
import os

import pytest

from nexus_blast.campaigns.fetch import fetch_url
from nexus_blast.campaigns.media import OPUS, Media, check_media, load_data, sniff
from nexus_blast.errors import InputError
from tests.campaigns.helpers import HTML, docx_bytes, mp3_bytes, mp4_bytes, ogg_opus_bytes, pdf_bytes, png_bytes, wav_bytes
from tests.media_server import MediaServer


@pytest.mark.parametrize(
    "data,expected",
    [
        (pdf_bytes(), "application/pdf"),
        (mp4_bytes(), "video/mp4"),
        (mp4_bytes(b"M4A "), "audio/mp4"),
        (ogg_opus_bytes(), OPUS),
        (b"OggS\x00\x02" + bytes(22) + b"\x01vorbis", "audio/ogg"),
        (mp3_bytes(), "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + bytes(20), "audio/mpeg"),
        (wav_bytes(), "audio/wav"),
        (png_bytes(), "image/png"),
        (b"\xff\xd8\xff\xe0" + bytes(20), "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (HTML, "text/html"),
        (b"GIF89a....", None),
    ],
)
def test_sniff_by_magic_numbers(data, expected):
    assert sniff(data) == expected


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_each_kind_accepts_its_content_and_keeps_the_name(tmp_path):
    pdf = check_media("file", write(tmp_path, "Preços 2026.pdf", pdf_bytes()))
    assert (pdf.kind, pdf.mimetype, pdf.filename, pdf.size) == ("file", "application/pdf", "Preços 2026.pdf", len(pdf_bytes()))
    assert pdf.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    docx = check_media("file", write(tmp_path, "contrato.docx", docx_bytes()))
    assert docx.mimetype.endswith("wordprocessingml.document")
    csv = check_media("file", write(tmp_path, "lista.csv", b"nome;telefone\n"))
    assert csv.mimetype == "text/csv"  # a document blast cannot sniff: typed by its name
    video = check_media("video", write(tmp_path, "v.mp4", mp4_bytes()))
    assert (video.mimetype, video.convert) == ("video/mp4", False)
    opus = check_media("voice", write(tmp_path, "nota.ogg", ogg_opus_bytes()))
    assert (opus.mimetype, opus.convert) == (OPUS, False)
    for name, data, mimetype in (("a.mp3", mp3_bytes(), "audio/mpeg"), ("a.m4a", mp4_bytes(b"M4A "), "audio/mp4"), ("a.wav", wav_bytes(), "audio/wav")):
        converted = check_media("voice", write(tmp_path, name, data))
        assert (converted.mimetype, converted.convert) == (mimetype, True)


@pytest.mark.parametrize(
    "kind,name,data,reason",
    [
        ("voice", "nota.ogg", png_bytes(), "not an OGG/Opus, MP3, M4A or WAV"),
        ("file", "tabela.pdf", HTML, "an HTML page, not a .pdf document"),
        ("file", "tabela.pdf", png_bytes(), "the name says .pdf but the content is image/png"),
        ("video", "v.mp4", mp4_bytes(b"M4A "), "not an MP4 video"),
        ("video", "v.mp4", pdf_bytes(), "not an MP4 video"),
        ("image", "f.jpg", pdf_bytes(), "not a JPEG, PNG or WebP"),
        ("file", "vazio.pdf", b"", "empty (0 bytes)"),
    ],
)
def test_wrong_or_empty_content_is_refused_naming_the_file(tmp_path, kind, name, data, reason):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as caught:
        check_media(kind, path)
    assert caught.value.message.startswith(path) and reason in caught.value.message


def test_size_limits_as_whatsapp_applies_them(tmp_path):
    big = tmp_path / "grande.mp4"
    with big.open("wb") as handle:  # sparse: 16 MiB + 1 byte after an MP4 header
        handle.write(mp4_bytes())
        handle.truncate(16 * 1024 * 1024 + 1)
    with pytest.raises(InputError, match="over the 16 MiB limit"):
        check_media("video", str(big))
    doc = tmp_path / "grande.pdf"
    with doc.open("wb") as handle:
        handle.write(pdf_bytes())
        handle.truncate(100 * 1024 * 1024 + 1)
    with pytest.raises(InputError, match="over the 100 MiB limit"):
        check_media("file", str(doc))
    with pytest.raises(InputError, match="over the 1 MiB limit"):
        check_media("image", write(tmp_path, "p.png", png_bytes() + bytes(2 * 1024 * 1024)), max_image_mib=1)


def test_unreadable_missing_or_directory(tmp_path):
    with pytest.raises(InputError, match="no such voice file"):
        check_media("voice", str(tmp_path / "nada.ogg"))
    with pytest.raises(InputError, match="not a file"):
        check_media("file", str(tmp_path))
    locked = write(tmp_path, "fechado.pdf", pdf_bytes())
    os.chmod(locked, 0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: the file stays readable")
        with pytest.raises(InputError, match="cannot read"):
            check_media("file", locked)
    finally:
        os.chmod(locked, 0o600)


def test_old_rows_without_kind_are_images_and_round_trip():
    old = Media.from_dict({"mimetype": "image/png", "filename": "a.png", "path": "/x/a.png", "size": 3, "sha256": "ab"})
    assert (old.kind, old.convert, old.embed) == ("image", False, False)
    voice = Media(mimetype="audio/mpeg", filename="a.mp3", path="/a.mp3", size=3, sha256="cd", kind="voice", convert=True)
    assert Media.from_dict(voice.as_dict()) == voice


def test_changed_file_is_refused_when_a_run_loads_it(tmp_path):
    path = write(tmp_path, "a.pdf", pdf_bytes())
    media = check_media("file", path)
    assert load_data(media) is not None
    write(tmp_path, "a.pdf", pdf_bytes() + b"%")
    with pytest.raises(InputError, match="changed since the campaign was created"):
        load_data(media)


@pytest.fixture
def files():
    with MediaServer() as server:
        yield server


def test_url_fetched_once_checked_then_sent_as_url_or_embedded(files):
    files.files["tabela.pdf"] = (pdf_bytes(), "application/pdf")
    media = check_media("file", files.url("tabela.pdf"))
    assert (media.url, media.mimetype, media.filename, media.size, media.embed) == (
        files.url("tabela.pdf"), "application/pdf", "tabela.pdf", len(pdf_bytes()), False)
    assert load_data(media) is None and files.hits == ["/files/tabela.pdf"]  # WAHA fetches it, blast does not again
    embedded = check_media("file", files.url("moved-tabela.pdf"), embed=True)  # a redirect is followed
    assert embedded.filename == "tabela.pdf" and embedded.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert load_data(embedded)  # a run re-fetches and compares
    files.files["tabela.pdf"] = (pdf_bytes() + b"%", "application/pdf")
    with pytest.raises(InputError, match="changed"):
        load_data(embedded)


@pytest.mark.parametrize(
    "name,reason",
    [("login.pdf", "an HTML page, not a .pdf document"), ("missing.pdf", "answered HTTP 404"), ("loop", "redirects more than 5 times")],
)
def test_bad_urls_are_refused(files, name, reason):
    files.files["login.pdf"] = (HTML, "text/html")
    with pytest.raises(InputError, match=reason):
        check_media("file", files.url(name))


def test_url_that_does_not_answer_or_is_too_big(files):
    with pytest.raises(InputError, match="cannot be fetched"):
        fetch_url("http://127.0.0.1:9/x.pdf", 1000)  # discard port: nothing listens
    files.files["big.mp4"] = (mp4_bytes() + bytes(2000), "video/mp4")
    with pytest.raises(InputError, match="over the"):
        fetch_url(files.url("big.mp4"), 1000)
