"""campaigns/' own human texts in pt-BR: durations, lane notes, media kinds, a run's summary line; the
English (and --json's copy of each) unchanged."""

from __future__ import annotations

from nexus_blast import i18n
from nexus_blast.campaigns.estimate import human_duration
from nexus_blast.campaigns.lane_state import note
from nexus_blast.campaigns.media import kind_name
from nexus_blast.campaigns.runner import CampaignOutcome
from nexus_blast.campaigns.scheduler import summary_text

FIELDS = {
    "capping": {"status": "SECOND_WARNING"},
    "timelock": {"active": True, "ends": "2026-12-07T12:00:00+00:00"},
    "brake": {"active": True, "until": "2026-12-07T12:30:00+00:00"},
}
PAUSED = CampaignOutcome(1, "paused", 2, 0, 0, 1, reason="no session can send: s1: capped (daily cap of 2 reached)")


def test_portuguese(portuguese):
    assert [human_duration(s) for s in (5, 125, 3 * 3600 + 300, 50 * 3600)] == ["5s", "2min 05s", "3h 05min", "2d 02h"]
    assert note(FIELDS) == "limite do WhatsApp SECOND_WARNING; bloqueio temporário até 07/12/2026 12:00 UTC; freio até 07/12/2026 12:30 UTC"
    assert [kind_name(k) for k in ("image", "file", "video", "voice")] == ["imagem", "documento", "vídeo", "mensagem de voz"]
    assert [i18n.english(kind_name(k)) for k in ("image", "file")] == ["image", "file"]
    line = summary_text(PAUSED)
    assert line == "pausada: 2 enviadas, 0 com falha, 0 puladas, 1 pendentes (no session can send: s1: capped (daily cap of 2 reached))"
    assert i18n.english(line) == "paused: 2 sent, 0 failed, 0 skipped, 1 pending (no session can send: s1: capped (daily cap of 2 reached))"


def test_english():
    i18n.configure(language="en")
    assert note(FIELDS) == "capping SECOND_WARNING; timelock until 2026-12-07T12:00:00+00:00; brake until 2026-12-07T12:30:00+00:00"
    assert [kind_name(k) for k in ("image", "file")] == ["image", "file"]
    assert summary_text(PAUSED).startswith("paused: 2 sent, 0 failed, 0 skipped, 1 pending (")
