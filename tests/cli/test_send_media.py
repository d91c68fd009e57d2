"""Media campaigns end to end through `blast send` on the sandbox: documents, video and voice notes
(and images, as before), checked by what the server received: endpoint, mimetype, filename, bytes,
caption or the text before the note, once per contact (also across kill -9 and resume)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.campaigns.helpers import (
    HTML, configure, docx_bytes, e164, mp3_bytes, mp4_bytes, ogg_opus_bytes, pdf_bytes, png_bytes, write_contacts,
)
from tests.media_server import MediaServer
from tests.waiting import wait_until

ENDPOINT = {"image": "/api/sendImage", "file": "/api/sendFile", "video": "/api/sendVideo", "voice": "/api/sendVoice"}


@pytest.fixture
def one(blast_home, make_sandbox, tmp_path):
    """(sandbox with session s1, contacts CSV of N) — `one(n=3, version=..., tier=...)`."""

    def make(n=3, **options):
        sb = make_sandbox(sessions=(options.pop("session", "s1"),), **options)
        configure(blast_home, {name: sb.url for name in sb.world.sessions})
        return sb, write_contacts(tmp_path / "contatos.csv", n)

    return make


def media_requests(sb) -> list[dict]:
    return [r for r in sb.requests() if r["path"] in ENDPOINT.values()]


def chats(n: int) -> set[str]:
    return {e164(i)[1:] + "@c.us" for i in range(n)}


def stored(blast_home, sql: str) -> list:
    with sqlite3.connect(blast_home / "blast.db") as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize(
    "kind,name,data,mimetype",
    [
        ("file", "Tabela de preços.pdf", pdf_bytes(), "application/pdf"),
        ("file", "contrato.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("video", "procedimento.mp4", mp4_bytes(), "video/mp4"),
        ("image", "promo.png", png_bytes(), "image/png"),
    ],
)
def test_caption_kinds_each_contact_gets_the_media_once_with_its_text(blast, one, tmp_path, kind, name, data, mimetype):
    sb, csv = one(n=3)
    path = tmp_path / name
    path.write_bytes(data)
    result = blast("send", csv, "-m", "Oi {{nome}}", f"--{kind}", path, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert (result.json()["status"], result.json()["sent"]) == ("completed", 3)
    sent = sb.sent()
    assert Counter(m["chatId"] for m in sent) == Counter({c: 1 for c in chats(3)})
    assert {(m["kind"], m["mimetype"], m["filename"], m["sha256"], m["size"]) for m in sent} == {
        (kind, mimetype, name, hashlib.sha256(data).hexdigest(), len(data))}
    assert sorted(m["text"] for m in sent) == ["Oi Pessoa 0", "Oi Pessoa 1", "Oi Pessoa 2"]  # the caption
    requests = media_requests(sb)
    assert {r["path"] for r in requests} == {ENDPOINT[kind]} and len(requests) == 3
    body = requests[0]["body"]
    assert body["file"]["mimetype"] == mimetype and body["file"]["filename"] == name and "url" not in body["file"]
    assert ("convert" in body) == (kind == "video") and body.get("convert") in (None, False)


def test_voice_note_goes_right_after_its_text_each_exactly_once(blast, one, tmp_path, blast_home):
    sb, csv = one(n=4)
    note = tmp_path / "recado.ogg"
    note.write_bytes(ogg_opus_bytes())
    result = blast("send", csv, "-m", "Oi {{nome}}, ouça:", "--voice", note, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert (result.json()["sent"], result.json()["pending"]) == (4, 0)
    sent = sb.sent()
    by_chat: dict[str, list[str]] = {}
    for m in sent:
        by_chat.setdefault(m["chatId"], []).append(m["kind"])
    assert by_chat == {c: ["text", "voice"] for c in chats(4)}
    voices = [m for m in sent if m["kind"] == "voice"]
    assert {(m["mimetype"], m["sha256"], m["text"], m["convert"]) for m in voices} == {
        ("audio/ogg; codecs=opus", hashlib.sha256(ogg_opus_bytes()).hexdigest(), "", False)}
    assert sorted(m["text"] for m in sent if m["kind"] == "text") == [f"Oi Pessoa {i}, ouça:" for i in range(4)]
    body = media_requests(sb)[0]["body"]
    assert "caption" not in body and body["convert"] is False
    rows = stored(blast_home, "SELECT lead_id, message_id FROM messages ORDER BY seq")
    texts = {m["id"] for m in sent if m["kind"] == "text"}
    assert {r[0] for r in rows} == texts and {r[1] for r in rows} == {m["id"] for m in voices}


def test_media_first_sends_the_note_then_the_text(blast, one, tmp_path):
    sb, csv = one(n=2)
    note = tmp_path / "recado.ogg"
    note.write_bytes(ogg_opus_bytes())
    result = blast("send", csv, "-m", "Oi {{nome}}", "--voice", note, "--media-first", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    order: dict[str, list[str]] = {}
    for m in sb.sent():
        order.setdefault(m["chatId"], []).append(m["kind"])
    assert order == {c: ["voice", "text"] for c in chats(2)}


def test_mp3_voice_is_converted_by_a_current_server_and_refused_by_an_old_one(blast, one, tmp_path, blast_home):
    mp3 = tmp_path / "recado.mp3"
    mp3.write_bytes(mp3_bytes())
    sb, csv = one(n=2)
    result = blast("send", csv, "-m", "Oi", "--voice", mp3, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert {(m["mimetype"], m["convert"]) for m in sb.sent() if m["kind"] == "voice"} == {("audio/mpeg", True)}
    old, csv = one(n=2, version="2025.5.1")
    result = blast("send", csv, "-m", "Oi", "--voice", mp3, "--yes", "--json")
    assert result.exit_code == 2 and "older than 2025.6.2" in result.stderr and str(mp3) in result.stderr
    assert old.sent() == [] and stored(blast_home, "SELECT count(*) FROM campaigns")[0][0] == 1  # the first one only


@pytest.mark.parametrize("kind,name,data", [("file", "a.pdf", pdf_bytes()), ("video", "v.mp4", mp4_bytes()), ("voice", "n.ogg", ogg_opus_bytes())])
def test_every_media_kind_is_refused_on_core_before_the_campaign(blast, one, tmp_path, blast_home, kind, name, data):
    sb, csv = one(n=2, tier="CORE", session="default")
    path = tmp_path / name
    path.write_bytes(data)
    result = blast("send", csv, "-m", "x", f"--{kind}", path, "--yes", "--json")
    assert result.exit_code == 3 and "Core" in result.stderr
    assert sb.sent() == [] and stored(blast_home, "SELECT count(*) FROM messages")[0][0] == 0


def test_sandbox_core_answers_plus_only_for_every_media_route(make_sandbox):
    import httpx

    sb = make_sandbox(tier="CORE", version="2026.2.1")
    sb.set_status("default", "WORKING")
    for path in ENDPOINT.values():
        body = {"session": "default", "chatId": "5511987654321@c.us", "file": {"mimetype": "audio/ogg", "data": "T2dnUw=="}}
        answer = httpx.post(f"{sb.url}{path}", json=body)
        assert answer.status_code == 422 and "Plus version" in answer.json()["message"], path


@pytest.mark.parametrize(
    "args,reason",
    [
        (["--voice", "{png}"], "not an OGG/Opus, MP3, M4A or WAV"),
        (["--file", "{html_pdf}"], "an HTML page, not a .pdf document"),
        (["--file", "{empty}"], "empty (0 bytes)"),
        (["--video", "{missing}"], "no such video file"),
        (["--image", "{png}", "--video", "{mp4}"], "one media per campaign: give only one of --image, --video"),
        (["--file", "{pdf}", "--media-first"], "--media-first goes with --voice"),
        (["--file", "{pdf}", "--embed"], "--embed goes with a media URL"),
    ],
)
def test_bad_media_input_is_exit_2_one_line_nothing_stored(blast, one, tmp_path, blast_home, args, reason):
    sb, csv = one(n=2)
    files = {"png": ("p.png", png_bytes()), "html_pdf": ("tabela.pdf", HTML), "empty": ("vazio.pdf", b""),
             "mp4": ("v.mp4", mp4_bytes()), "pdf": ("a.pdf", pdf_bytes())}
    paths = {"missing": str(tmp_path / "nada.mp4")}
    for key, (name, data) in files.items():
        (tmp_path / name).write_bytes(data)
        paths[key] = str(tmp_path / name)
    result = blast("send", csv, "-m", "x", *[a.format(**paths) for a in args], "--yes", "--json")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and reason in result.stderr
    assert json.loads(result.stdout)["error"]["code"] == 2
    assert sb.sent() == []
    assert not (blast_home / "blast.db").exists() or stored(blast_home, "SELECT count(*) FROM campaigns")[0][0] == 0


def test_media_url_is_fetched_once_then_sent_as_url_or_embedded(blast, one, blast_home):
    sb, csv = one(n=2)
    with MediaServer() as files:
        files.files["tabela.pdf"] = (pdf_bytes(), "application/pdf")
        files.files["login.pdf"] = (HTML, "text/html")
        url = files.url("tabela.pdf")
        result = blast("send", csv, "-m", "Oi", "--file", url, "--yes", "--json")
        assert result.exit_code == 0, result.stderr
        assert {(m["url"], m["sha256"]) for m in sb.sent()} == {(url, "")}  # WAHA fetches it
        assert files.hits == ["/files/tabela.pdf"]
        embedded = blast("send", csv, "-m", "Oi", "--file", url, "--embed", "--yes", "--json")
        assert embedded.exit_code == 0, embedded.stderr
        assert {(m["url"], m["sha256"]) for m in sb.sent()[2:]} == {("", hashlib.sha256(pdf_bytes()).hexdigest())}
        for bad, reason in ((files.url("login.pdf"), "an HTML page"), (files.url("loop"), "redirects more than"), ("http://127.0.0.1:9/a.pdf", "cannot be fetched")):
            refused = blast("send", csv, "-m", "Oi", "--file", bad, "--yes")
            assert refused.exit_code == 2 and reason in refused.stderr and bad in refused.stderr
    assert stored(blast_home, "SELECT count(*) FROM campaigns")[0][0] == 2


def test_link_preview_setting_and_option_reach_send_text(blast, one, blast_home):
    sb, csv = one(n=1)
    assert blast("send", csv, "-m", "Veja https://exemplo.com.br", "--yes").exit_code == 0
    assert blast("send", csv, "-m", "Veja https://exemplo.com.br", "--no-link-preview", "--yes").exit_code == 0
    assert [m["linkPreview"] for m in sb.sent()] == [True, False]
    configure(blast_home, {"s1": sb.url}, sending={"link_preview": False})
    assert blast("send", csv, "-m", "Veja https://exemplo.com.br", "--yes").exit_code == 0
    assert sb.sent()[-1]["linkPreview"] is False


def test_show_and_report_say_which_media(blast, one, tmp_path):
    sb, csv = one(n=2)
    pdf = tmp_path / "preços.pdf"
    pdf.write_bytes(pdf_bytes())
    assert blast("send", csv, "-m", "Oi", "--file", pdf, "--yes").exit_code == 0
    media = blast("campaign", "show", "1", "--json").json()["media"]
    assert media == {"kind": "file", "filename": "preços.pdf", "mimetype": "application/pdf", "size": len(pdf_bytes()),
                     "sha256": hashlib.sha256(pdf_bytes()).hexdigest(), "path": str(pdf.resolve())}
    human = blast("campaign", "show", "1")
    assert "file preços.pdf (application/pdf" in human.stdout
    report = blast("campaign", "report", "1")
    assert report.exit_code == 0 and f"carried file preços.pdf" in report.stderr and report.stdout.startswith("phone,status")


def test_an_old_image_campaign_without_kind_still_resumes_and_reports(blast, one, tmp_path, blast_home):
    sb, csv = one(n=3)
    png = tmp_path / "p.png"
    png.write_bytes(png_bytes())
    assert blast("send", csv, "-m", "Oi", "--image", png, "--at", "+2h", "--yes").exit_code == 0
    with sqlite3.connect(blast_home / "blast.db") as conn:  # as rows written before media kinds existed
        image = json.loads(conn.execute("SELECT image FROM campaigns").fetchone()[0])
        image.pop("kind")
        conn.execute("UPDATE campaigns SET image = ?", (json.dumps(image),))
    result = blast("campaign", "resume", "1", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert {(m["kind"], m["mimetype"]) for m in sb.sent()} == {("image", "image/png")} and len(sb.sent()) == 3
    assert blast("campaign", "show", "1", "--json").json()["media"]["kind"] == "image"


def _cli() -> list[str]:
    return [sys.executable, "-m", "nexus_blast"]


def test_kill_9_between_the_text_and_the_voice_note_then_resume_sends_neither_twice(make_sandbox, tmp_path):
    sb = make_sandbox(sessions=("s1",))
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url}, sending={"delay": "0-0.02"}, waha={"timeout": 5.0, "settle": 0.3})
    csv = write_contacts(tmp_path / "c.csv", 3)
    note = tmp_path / "n.ogg"
    note.write_bytes(ogg_opus_bytes())
    sb.faults(session="s1", hang_media="voice")  # the first voice note sticks in the engine
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(home)}
    proc = subprocess.Popen(
        [*_cli(), "send", str(csv), "-m", "Oi {{nome}}", "--voice", str(note), "--yes", "--json"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: media_requests(sb), what="the first voice note's request")
        with sqlite3.connect(home / "blast.db") as conn:  # the text went out and is recorded
            assert conn.execute("SELECT status, lead_id IS NOT NULL FROM messages WHERE lead_id IS NOT NULL").fetchall() == [("sending", 1)]
        proc.kill()
    finally:
        proc.wait(timeout=20)
    assert [m["kind"] for m in sb.sent()] == ["text"]
    sb.clear_faults()
    resumed = subprocess.run([*_cli(), "campaign", "resume", "1", "--yes", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["sent"] == 3
    kinds = Counter((m["chatId"], m["kind"]) for m in sb.sent())
    assert kinds == Counter({(c, k): 1 for c in chats(3) for k in ("text", "voice")})


@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("KILL_SEEDS", "1,2,3").split(",")])
def test_voice_campaign_killed_at_random_points_then_resumed_sends_each_part_once(make_sandbox, tmp_path, seed):
    """kill -9 anywhere (mid-request included: the text accepted but its id not yet recorded, or
    the note in flight), then resume: every contact has its text and its note, once each."""
    import random

    rng = random.Random(seed)
    version = rng.choice(("2026.7.1", "2026.2.1"))  # read back by own id / by content only
    sb = make_sandbox(sessions=("s1", "s2"), latency_ms=15, version=version)
    home = tmp_path / "home"
    home.mkdir()
    configure(home, {"s1": sb.url, "s2": sb.url}, sending={"delay": "0.02-0.06"}, waha={"timeout": 1.0, "settle": 0.3})
    n = 12
    csv = write_contacts(tmp_path / "c.csv", n)
    note = tmp_path / "n.ogg"
    note.write_bytes(ogg_opus_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLAST_")} | {"BLAST_HOME": str(home)}
    proc = subprocess.Popen(
        [*_cli(), "send", str(csv), "-m", "Oi {{nome}}", "--voice", str(note), "--yes", "--json"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        kill_after = rng.randrange(1, n)  # accepted sends: texts and notes alike
        wait_until(lambda: len(sb.sent()) >= kill_after, what=f"{kill_after} accepted sends")
        time.sleep(rng.uniform(0.0, 0.03))  # a random instant around it (mid-request included)
        proc.kill()
    finally:
        proc.wait(timeout=20)
    before = len(sb.sent())
    assert before < 2 * n, "the campaign finished before the kill: nothing was tested"
    resumed = subprocess.run([*_cli(), "campaign", "resume", "1", "--yes", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    kinds = Counter((m["chatId"], m["kind"]) for m in sb.sent())
    assert kinds == Counter({(c, k): 1 for c in chats(n) for k in ("text", "voice")}), f"killed after {before} sends"
    with sqlite3.connect(home / "blast.db") as conn:
        rows = conn.execute("SELECT status, lead_id, message_id FROM messages").fetchall()
    assert {r[0] for r in rows} == {"sent"}
    assert sorted(r[1] for r in rows) == sorted(m["id"] for m in sb.sent() if m["kind"] == "text")
    assert sorted(r[2] for r in rows) == sorted(m["id"] for m in sb.sent() if m["kind"] == "voice")


def test_an_unknown_outcome_of_the_voice_note_resends_the_note_only(blast, one, tmp_path, blast_home):
    """The first note fails with a 500 after the text went out (an unknown outcome): it is looked
    for in the chat, found absent and sent again; its text is not."""
    import threading

    sb, csv = one(n=3)
    configure(blast_home, {"s1": sb.url}, waha={"timeout": 5.0, "settle": 0.2})
    note = tmp_path / "n.ogg"
    note.write_bytes(ogg_opus_bytes())
    sb.faults(session="s1", hang_media="voice")

    def release() -> None:  # the first note's request is in the engine: it ends in a 500, never sent
        wait_until(lambda: media_requests(sb), what="the first voice note's request")
        sb.clear_faults()

    releaser = threading.Thread(target=release)
    releaser.start()
    result = blast("send", csv, "-m", "Oi {{nome}}", "--voice", note, "--yes", "--json")
    releaser.join()
    assert result.exit_code == 0, result.stderr
    assert Counter((m["chatId"], m["kind"]) for m in sb.sent()) == Counter({(c, k): 1 for c in chats(3) for k in ("text", "voice")})
    assert len(media_requests(sb)) == 4 and len([r for r in sb.requests() if r["path"] == "/api/sendText"]) == 3


def test_the_estimate_counts_a_voice_notes_text_as_a_send_of_its_own(blast, one, tmp_path, blast_home):
    """A voice note with text is two requests a message (the text, then the note): the dry run's
    duration counts both round trips; an image with its caption, one."""
    from nexus_blast.campaigns.estimate import SEND_SECONDS

    sb, csv = one(n=20)
    configure(blast_home, {"s1": sb.url}, sending={"delay": "2-2"})
    note, image = tmp_path / "n.ogg", tmp_path / "p.png"
    note.write_bytes(ogg_opus_bytes())
    image.write_bytes(png_bytes())

    def estimate(*args) -> float:
        result = blast("send", csv, *args, "--dry-run", "--json")
        assert result.exit_code == 0, result.stderr
        return result.json()["estimated_seconds"]

    text_only = estimate("-m", "Oi {{nome}}")
    assert estimate("-m", "Oi {{nome}}", "--image", image) == text_only
    both = estimate("-m", "Oi {{nome}}, ouça:", "--voice", note)
    assert both == pytest.approx(text_only + (20 - 1) * SEND_SECONDS, abs=0.01)  # a send per gap between messages
    assert estimate("-m", "Oi {{nome}}", "--voice", note, "--media-first") == both
    assert sb.sent() == []
