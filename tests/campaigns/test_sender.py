"""The sender and runner against the WAHA sandbox on loopback: pacing, failover, recipients,
unknown outcomes, images, pauses and resumes."""

from __future__ import annotations

import hashlib
import random
import threading
from datetime import datetime

import pytest

from nexus_blast.campaigns.create import SendRequest, prepare
from nexus_blast.campaigns.runner import run_campaign
from nexus_blast.config import load_settings
from nexus_blast.store import campaigns as store
from nexus_blast.store.db import open_database
from tests.campaigns.helpers import configure, e164, png_bytes, write_contacts


@pytest.fixture
def campaign(tmp_path):
    """make(sandbox_sessions {name: url}, n, **request/config options) → (settings, db_path, id)."""

    def make(sessions: dict[str, str], n: int, *, message="{Olá|Oi} {{nome}}, oferta para {{cidade}}!", sections=None, **req):
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        settings = load_settings(configure(home, sessions, **(sections or {})))
        db_path = home / "blast.db"
        db = open_database(db_path)
        csv = write_contacts(tmp_path / "contacts.csv", n)
        prepared = prepare(settings, db, SendRequest(message=message, source=str(csv), **req), dry_run=False, rng=random.Random(7))
        db.conn.close()
        return settings, db_path, prepared.campaign_id

    return make


def rows(db_path, campaign_id):
    db = open_database(db_path)
    try:
        return list(store.report_rows(db, campaign_id)), store.counts(db, campaign_id), store.get_campaign(db, campaign_id)
    finally:
        db.conn.close()


def texts(db_path, campaign_id) -> dict[str, str]:
    db = open_database(db_path)
    try:
        return {r["phone"]: r["text"] for r in db.conn.execute("SELECT phone, text FROM messages WHERE campaign_id = ?", (campaign_id,))}
    finally:
        db.conn.close()


def digits_chat(phone: str) -> str:
    return phone.lstrip("+") + "@c.us"


def test_every_contact_gets_exactly_its_rendered_message(sandbox, campaign):
    settings, db_path, cid = campaign({"s1": sandbox.url, "s2": sandbox.url, "s3": sandbox.url}, 60)
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.status, outcome.sent, outcome.failed, outcome.pending, outcome.exit_code) == ("completed", 60, 0, 0, 0)
    sent = sandbox.sent()
    assert sorted(m["chatId"] for m in sent) == sorted(digits_chat(e164(i)) for i in range(60))
    stored = texts(db_path, cid)
    for m in sent:
        assert m["text"] == stored["+" + m["chatId"].split("@")[0]]
    assert {m["session"] for m in sent} == {"s1", "s2", "s3"}
    report, counts, _ = rows(db_path, cid)
    assert all(r["message_id"] and r["message_id"].startswith("true_") for r in report)


def test_gaps_between_one_sessions_sends_stay_in_the_delay_range(sandbox, campaign):
    settings, db_path, cid = campaign({"s1": sandbox.url, "s2": sandbox.url}, 16, delay="0.2-0.3")
    run_campaign(settings, db_path, cid)
    report, counts, _ = rows(db_path, cid)
    assert counts.sent == 16
    for session in ("s1", "s2"):
        times = sorted(datetime.fromisoformat(r["sent_at"]) for r in report if r["session"] == session)
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        assert len(gaps) == 7
        # Never faster than the delay's minimum; the upper side is the delay plus the request, which
        # a busy machine stretches: bounded only loosely, to catch a lane that stalls.
        assert all(0.2 - 0.01 <= g <= 0.3 + 3.0 for g in gaps), gaps


def test_session_failing_after_20_sends_still_delivers_everything(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1", "s2", "s3"))
    sb.faults(session="s2", fail_after=20)  # then every send answers 500 "Timed Out"
    settings, db_path, cid = campaign({"s1": sb.url, "s2": sb.url, "s3": sb.url}, 120)
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.status, outcome.sent, outcome.failed) == ("completed", 120, 0)
    sent = sb.sent()
    assert len(sent) == 120 and len({m["chatId"] for m in sent}) == 120
    assert sum(m["session"] == "s2" for m in sent) == 20
    db = open_database(db_path)
    assert store.get_session_health(db, "s2") is not None  # marked unhealthy on the way


def test_session_leaving_working_moves_its_contacts(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1", "s2"))
    sb.faults(session="s1", not_working_after=5)
    settings, db_path, cid = campaign({"s1": sb.url, "s2": sb.url}, 40)
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.sent, outcome.failed) == (40, 0)
    sent = sb.sent()
    assert sum(m["session"] == "s1" for m in sent) == 5
    assert len({m["chatId"] for m in sent}) == 40


def test_all_sessions_down_pauses_then_resume_completes(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1", "s2"))
    sb.set_status("s1", "FAILED")
    sb.set_status("s2", "STOPPED")
    settings, db_path, cid = campaign({"s1": sb.url, "s2": sb.url}, 10)
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.status, outcome.exit_code, outcome.sent) == ("paused", 3, 0)
    assert "no session can send" in outcome.reason and "blast campaign resume" in outcome.reason
    assert sb.sent() == []
    sb.set_status("s1", "WORKING")
    sb.set_status("s2", "WORKING")
    again = run_campaign(settings, db_path, cid)
    assert (again.status, again.sent, again.exit_code) == ("completed", 10, 0)
    assert len(sb.sent()) == 10


def test_timelocked_session_stops_taking_new_contacts(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1", "s2"))
    sb.faults(session="s1", timelock_after=3)
    notices = []

    class Collect:
        def progress(self, tally):
            pass

        def notice(self, text):
            notices.append(text)

    settings, db_path, cid = campaign({"s1": sb.url, "s2": sb.url}, 20)
    outcome = run_campaign(settings, db_path, cid, events=Collect())
    assert (outcome.sent, outcome.failed) == (20, 0)
    assert sum(m["session"] == "s1" for m in sb.sent()) == 3
    assert any("463" in n and "s1" in n for n in notices)


def test_legacy_8_digit_whatsapp_id_is_resolved_and_used(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1",))
    digits = e164(3).lstrip("+")  # 5511981000003
    legacy = "55" + digits[2:4] + digits[5:] + "@c.us"  # 551181000003@c.us: known without the 9
    sb.whatsapp(digits, exists=True, chat_id=legacy)
    sb.whatsapp(e164(4).lstrip("+"), exists=False)
    settings, db_path, cid = campaign({"s1": sb.url}, 6)
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.sent, outcome.skipped) == (5, 1)
    chats = [m["chatId"] for m in sb.sent()]
    assert legacy in chats and digits + "@c.us" not in chats
    report, _, _ = rows(db_path, cid)
    skipped = [r for r in report if r["status"] == "skipped"]
    assert [(r["phone"], r["error"]) for r in skipped] == [(e164(4), "not_on_whatsapp")]
    db = open_database(db_path)
    assert store.get_recipient(db, e164(3))[:2] == (True, legacy)


def test_image_sends_carry_the_bytes_and_mimetype(make_sandbox, campaign, tmp_path):
    sb = make_sandbox(sessions=("s1", "s2"))
    image = tmp_path / "promo.bin"  # the name lies: the content decides
    data = png_bytes()
    image.write_bytes(data)
    settings, db_path, cid = campaign({"s1": sb.url, "s2": sb.url}, 6, image=str(image))
    outcome = run_campaign(settings, db_path, cid)
    assert outcome.sent == 6
    stored = texts(db_path, cid)
    for m in sb.sent():
        assert (m["kind"], m["mimetype"], m["sha256"]) == ("image", "image/png", hashlib.sha256(data).hexdigest())
        assert m["filename"] == "promo.png"
        assert m["text"] == stored["+" + m["chatId"].split("@")[0]]


def test_image_url_is_passed_as_file_url(make_sandbox, campaign):
    from tests.media_server import MediaServer

    sb = make_sandbox(sessions=("s1",))
    with MediaServer() as files:
        files.files["img/promo.webp"] = (b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(32), "image/webp")
        url = files.url("img/promo.webp")
        settings, db_path, cid = campaign({"s1": sb.url}, 2, image=url)
        assert run_campaign(settings, db_path, cid).sent == 2
        assert files.hits == ["/files/img/promo.webp"]  # fetched once when created; the run leaves it to WAHA
    assert {(m["url"], m["mimetype"], m["sha256"]) for m in sb.sent()} == {(url, "image/webp", "")}


def test_core_server_cannot_send_images_says_so_before_first_contact(make_sandbox, campaign, tmp_path):
    from nexus_blast.errors import DependencyError

    sb = make_sandbox(sessions=("default",), tier="CORE")
    image = tmp_path / "p.png"
    image.write_bytes(png_bytes())
    with pytest.raises(DependencyError, match="Core"):
        campaign({"default": sb.url}, 3, image=str(image))
    assert sb.sent() == []


def test_unknown_outcome_found_in_chat_is_not_resent(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1",))
    settings, db_path, cid = campaign({"s1": sb.url}, 4)
    # A crash right after WAHA accepted message #1: it is `sending` in the database, sent in WAHA.
    db = open_database(db_path)
    first = store.messages_in(db, cid, "pending")[0]
    chat = digits_chat(first.phone)
    assert store.transition(db, first.id, "pending", "sending", session="s1", chat_id=chat, sending_at="2020-01-01T00:00:00.000+00:00")
    import httpx

    httpx.post(f"{sb.url}/api/sendText", json={"session": "s1", "chatId": chat, "text": first.text}).raise_for_status()
    # ... and one `sending` that never reached WAHA.
    second = store.messages_in(db, cid, "pending")[0]
    store.transition(db, second.id, "pending", "sending", session="s1", chat_id=digits_chat(second.phone), sending_at="2020-01-01T00:00:00.000+00:00")
    db.conn.close()
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.sent, outcome.pending) == (4, 0)
    chats = [m["chatId"] for m in sb.sent()]
    assert len(chats) == 4 and len(set(chats)) == 4


def test_timed_out_send_is_reconciled_not_duplicated(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1",))
    sb.faults(session="s1", hang_seconds=2.5, hang_count=1)  # the first request hangs past the client timeout
    settings, db_path, cid = campaign({"s1": sb.url}, 3)
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.sent, outcome.failed) == (3, 0)
    chats = [m["chatId"] for m in sb.sent()]
    assert len(chats) == 3 and len(set(chats)) == 3


def test_stop_event_pauses_and_resume_finishes(sandbox, campaign):
    settings, db_path, cid = campaign({"s1": sandbox.url}, 30, delay="0.05-0.1")
    stop = threading.Event()

    class StopAfter5:
        def progress(self, tally):
            if tally.sent >= 5:
                stop.set()

        def notice(self, text):
            pass

    outcome = run_campaign(settings, db_path, cid, stop_event=stop, events=StopAfter5())
    assert (outcome.status, outcome.exit_code) == ("paused", 130)
    assert 5 <= outcome.sent < 30
    again = run_campaign(settings, db_path, cid)
    assert (again.status, again.sent) == ("completed", 30)
    chats = [m["chatId"] for m in sandbox.sent()]
    assert len(chats) == 30 == len(set(chats))


def test_daily_cap_counts_every_campaign_of_the_session(sandbox, campaign, tmp_path):
    settings, db_path, cid = campaign({"s1": sandbox.url}, 8, sections={"sending": {"daily_cap": 5}})
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.status, outcome.sent, outcome.exit_code) == ("paused", 5, 3)
    assert "daily cap" in outcome.reason
    assert len(sandbox.sent()) == 5
    # It continues by itself tomorrow: due for run-due/worker from the next local midnight.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from nexus_blast.domain.window import next_day_start
    from nexus_blast.store import leases
    from nexus_blast.store.db import iso

    db = open_database(db_path)
    campaign_row = store.get_campaign(db, cid)
    tomorrow = next_day_start(datetime.now(ZoneInfo(settings.general.timezone)))
    assert campaign_row.resume_on_due and campaign_row.scheduled_at == iso(tomorrow)
    assert leases.due_campaign_ids(db, iso(tomorrow)) == [cid]
    assert "run-due/worker continue it from" in outcome.reason


def test_sticky_sender_keeps_the_session_a_contact_knows(sandbox, campaign, tmp_path):
    settings, db_path, first = campaign({"s1": sandbox.url, "s2": sandbox.url}, 10)
    run_campaign(settings, db_path, first)
    before = {m["chatId"]: m["session"] for m in sandbox.sent()}
    db = open_database(db_path)
    csv = write_contacts(tmp_path / "again.csv", 10)
    prepared = prepare(settings, db, SendRequest(message="De novo, {{nome}}", source=str(csv)), dry_run=False)
    db.conn.close()
    assert prepared.summary.sticky == 10
    run_campaign(settings, db_path, prepared.campaign_id)
    after = [m for m in sandbox.sent() if m["text"].startswith("De novo")]
    assert all(before[m["chatId"]] == m["session"] for m in after)


def test_typing_pacing_shows_typing_before_each_send(sandbox, campaign):
    settings, db_path, cid = campaign({"s1": sandbox.url}, 2, message="Oi {{nome}}", sections={"sending": {"typing": True, "typing_cps": 1000.0}})
    outcome = run_campaign(settings, db_path, cid)
    assert outcome.sent == 2
    report, _, _ = rows(db_path, cid)
    first, second = sorted(datetime.fromisoformat(r["sent_at"]) for r in report)
    assert (second - first).total_seconds() >= 1.0  # the shortest typing pause, on top of the delay


def test_classify_waha_errors():
    from nexus_blast.campaigns.failover import classify
    from nexus_blast.waha import errors as e

    table = [
        (e.WahaUnreachable("x", sent=True), "unknown"),
        (e.WahaUnreachable("x", sent=False), "down"),
        (e.WahaServerError("x", detail="Timed Out"), "unknown"),
        (e.WahaServerError("x", detail="Reach out timelock: server returned error 463"), "timelock"),
        (e.WahaServerError("x", detail="rate-overlimit"), "throttled"),
        (e.WahaServerError("x", detail="Internal server error"), "unknown"),
        (e.WahaRateLimited("x", retry_after=1.0), "transient"),
        (e.WahaSessionNotWorking("x", status="FAILED"), "down"),
        (e.WahaSessionNotFound("x"), "down"),
        (e.WahaKeyRefused("x"), "down"),
        (e.WahaPlusOnly("x"), "unusable"),
        (e.WahaBadRequest("x"), "permanent"),
    ]
    assert [classify(exc) for exc, _ in table] == [kind for _, kind in table]


def test_send_accepted_just_after_the_client_timeout_is_not_resent(make_sandbox, campaign):
    """A send request hangs past the client timeout and WAHA accepts it a moment later: the chat
    must not be read back at once (nothing there yet → back to pending → resent → duplicate)."""
    sb = make_sandbox(sessions=("s1",))
    # WAHA accepts the hung send 0.2 s after the client gave up; blast reads the chat back only
    # after timeout + settle (5 s): a margin that holds on a loaded machine (with settle 0.5 the
    # read-back and the acceptance raced).
    settings, db_path, cid = campaign({"s1": sb.url}, 2, sections={"waha": {"timeout": 2.0, "settle": 3.0}})
    db = open_database(db_path)
    for m in store.messages_in(db, cid, "pending"):  # known recipients: no look-up requests
        store.put_recipient(db, m.phone, True, digits_chat(m.phone))
    db.conn.close()

    class HangSecondSend:
        def progress(self, tally):
            if tally.sent == 1 and not getattr(self, "armed", False):
                self.armed = True
                sb.faults(session="s1", hang_seconds=2.2, hang_count=1)  # client timeout is 2.0 s

        def notice(self, text):
            pass

    outcome = run_campaign(settings, db_path, cid, events=HangSecondSend())
    assert (outcome.sent, outcome.failed, outcome.pending) == (2, 0, 0)
    # The run outlasts the hang by ~3 s (it waited timeout + settle before reading the chat), so a
    # resend and the late acceptance would both be in the sandbox's list by now.
    chats = [m["chatId"] for m in sb.sent()]
    assert len(chats) == 2 == len(set(chats)), chats


def test_daily_cap_holds_for_campaigns_running_at_once_on_one_session(sandbox, campaign, tmp_path):
    """Two campaigns sending through s1 at the same time (two processes: send + run-due) share
    s1's daily cap: together they never exceed it."""
    settings, db_path, first = campaign({"s1": sandbox.url}, 8, delay="0.05-0.1", sections={"sending": {"daily_cap": 5}})
    db = open_database(db_path)
    csv = write_contacts(tmp_path / "again.csv", 8)
    second = prepare(settings, db, SendRequest(message="Outra {{nome}}", source=str(csv), delay="0.05-0.1"), dry_run=False).campaign_id
    db.conn.close()
    outcomes = {}
    threads = [threading.Thread(target=lambda c=c: outcomes.__setitem__(c, run_campaign(settings, db_path, c))) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sandbox.sent()) == 5
    assert sum(o.sent for o in outcomes.values()) == 5
    assert all(o.status == "paused" and "daily cap" in o.reason for o in outcomes.values())


def test_number_opted_out_after_the_campaign_was_created_is_never_sent(sandbox, campaign):
    """`blast optout add` after `send --at` (or while a campaign is paused): the number's
    pending message is skipped as opted_out when its turn comes, never sent."""
    from nexus_blast.store import contacts as contacts_store

    settings, db_path, cid = campaign({"s1": sandbox.url}, 4)
    db = open_database(db_path)
    contacts_store.add_optout(db, e164(2), "asked by phone")
    db.conn.close()
    outcome = run_campaign(settings, db_path, cid)
    assert (outcome.status, outcome.sent, outcome.skipped, outcome.pending) == ("completed", 3, 1, 0)
    assert digits_chat(e164(2)) not in [m["chatId"] for m in sandbox.sent()]
    report, _, _ = rows(db_path, cid)
    assert [r["error"] for r in report if r["phone"] == e164(2)] == ["opted_out"]


def test_pause_from_another_command_stops_before_the_next_send(sandbox, campaign):
    """`blast campaign pause ID` while a lane waits out its delay: nothing more is sent (the
    lease keeper only looks every lease_seconds/3, 20 s by default)."""
    settings, db_path, cid = campaign({"s1": sandbox.url}, 3, delay="0.5-0.5")

    def pause():
        other = open_database(db_path)  # another process's connection
        store.set_campaign_status(other, cid, "paused", reason="paused by user")
        other.conn.close()

    class PauseAfterFirst:
        def progress(self, tally):
            if tally.sent == 1 and not getattr(self, "done", False):
                self.done = True
                threading.Timer(0.2, pause).start()  # while the lane waits its 0.5 s delay

        def notice(self, text):
            pass

    outcome = run_campaign(settings, db_path, cid, events=PauseAfterFirst())
    assert (outcome.status, outcome.sent, outcome.pending) == ("paused", 1, 2)
    assert len(sandbox.sent()) == 1


def test_first_warning_doubles_that_sessions_gaps(make_sandbox, campaign):
    sb = make_sandbox(sessions=("s1", "s2"))
    sb.capping("s1", "FIRST_WARNING")
    settings, db_path, cid = campaign({"s1": sb.url, "s2": sb.url}, 12, delay="0.2-0.2")
    run_campaign(settings, db_path, cid)
    report, counts, _ = rows(db_path, cid)
    assert counts.sent == 12
    for session, low in (("s1", 0.4), ("s2", 0.2)):
        times = sorted(datetime.fromisoformat(r["sent_at"]) for r in report if r["session"] == session)
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        assert gaps and all(g >= low - 0.01 for g in gaps), (session, gaps)
