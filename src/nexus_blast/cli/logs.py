"""The log lines of `run-due` and `worker`: each stamped with the local time (general.timezone,
ISO 8601 with its offset) and the campaign; `--log-json`: one JSON object a line (ts, level, event,
campaign, message, and the counts when known), for journald/Loki."""

from __future__ import annotations

import json
import sys
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from nexus_blast.i18n import N_, _, english

# A line's level for people (info says none); --log-json keeps the level value itself.
LEVELS = {"warning": N_("warning"), "error": N_("error")}


class LineLog:
    """Callable with a campaigns.runlog.LogRecord; thread-safe (progress ticks, notifications)."""

    def __init__(self, timezone: str, *, as_json: bool = False, stream=None) -> None:
        self.zone = ZoneInfo(timezone)
        self.as_json = as_json
        self._stream = stream
        self._lock = threading.RLock()  # re-entrant: a signal handler may log while a line is being written

    @property
    def stream(self):
        return self._stream or sys.stderr  # read at each line: tests swap sys.stderr

    def __call__(self, record) -> None:
        ts = datetime.now(self.zone).isoformat(timespec="seconds")
        if self.as_json:
            doc = {"ts": ts, "level": record.level, "event": record.event, "campaign": record.campaign,
                   "message": english(record.message)} | dict(record.counts)  # JSON: English in every language
            line = json.dumps(doc, ensure_ascii=False, default=str)
        else:
            who = _("campaign {id}").format(id=record.campaign) if record.campaign is not None else "blast"
            level = "" if record.level == "info" else _(LEVELS.get(record.level, record.level)) + ": "
            line = f"{ts} {who}: {level}{record.message}".replace("\n", " ")
        with self._lock:
            stream = self.stream
            stream.write(line + "\n")
            stream.flush()

    def say(self, event: str, message: str, campaign: int | None = None, level: str = "info") -> None:
        from nexus_blast.campaigns.runlog import LogRecord

        self(LogRecord(event, message, campaign, level))

    def notify_log(self, level: str, event: str, campaign: int | None, message: str) -> None:
        """The notifier's log callback (nexus_blast.notify.NotifyLog)."""
        self.say(event, message, campaign, level)


def fallback_zone() -> str:
    """The zone when the settings are not (or could not be) loaded: BLAST_GENERAL__TIMEZONE, else
    config.General's default (read here without pydantic: the cron fast path stays light)."""
    import os

    return os.environ.get("BLAST_GENERAL__TIMEZONE") or "America/Sao_Paulo"


def stamped(line: str, *, as_json: bool, timezone: str | None = None, level: str = "warning", event: str = "warning") -> str:
    """LINE (a warning or error said outside a LineLog) as run-due/worker say every line: stamped, or
    one JSON object."""
    try:
        zone = ZoneInfo(timezone or fallback_zone())
    except (KeyError, ValueError):  # an unknown zone is the error being reported
        zone = None
    ts = datetime.now(zone).astimezone(zone).isoformat(timespec="seconds")
    if as_json:
        return json.dumps({"ts": ts, "level": level, "event": event, "campaign": None, "message": english(line)}, ensure_ascii=False)
    return f"{ts} {line}"


def stamper(as_json: bool):
    """For State.stamp / warn_if_config_misplaced: warnings of run-due/worker stamped like their lines."""
    return lambda line: stamped(line, as_json=as_json)
