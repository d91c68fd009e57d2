"""`blast run-due` and `blast worker`."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Optional

import typer

from nexus_blast.cli.output import decimal_mark, print_json
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _

LogJsonOpt = Annotated[bool, typer.Option("--log-json", help=N_("Log one JSON object a line (ts, level, event, campaign, message, counts): on stdout, or on stderr with --json."))]
WorkerLogJsonOpt = Annotated[bool, typer.Option("--log-json", help=N_("Log one JSON object a line on stdout (ts, level, event, campaign, message, counts)."))]


def _line_log(settings, log_json: bool, json: bool):
    """Human lines on stderr; JSON lines on stdout unless stdout carries the --json document."""
    from nexus_blast.cli.logs import LineLog

    stream = sys.stdout if log_json and not json else None
    return LineLog(settings.general.timezone, as_json=log_json, stream=stream)


def _notifier(settings, db_path, log):
    from nexus_blast.notify import Notifier

    return Notifier(settings, db_path, log=log.notify_log)


def run_due(
    max_seconds: Annotated[Optional[float], typer.Option("--max-seconds", min=1, metavar="N", help=N_("Pause whatever is still running (resumable by the next run) so this exits within N seconds: for cron, e.g. 55."), show_default=False)] = None,
    json: Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))] = False,
    log_json: LogJsonOpt = False,
) -> None:
    """Run every campaign whose time has come, then exit.

    For cron, every minute; safe to start twice."""
    started = time.monotonic()
    from nexus_blast import clock
    from nexus_blast.store.db import iso
    from nexus_blast.store.due import anything_due

    state = current()
    if not anything_due(state.paths.db, iso(clock.now())):  # the every-minute case: stay light
        if json:
            print_json({"campaigns": []})
        return
    from nexus_blast.campaigns.scheduler import Scheduler, deadline_for, worst_exit_code

    from nexus_blast.cli.logs import stamper

    state.stamp = stamper(log_json)
    settings = state.settings()
    log = _line_log(settings, log_json, json)
    with _notifier(settings, state.paths.db, log) as notifier:
        scheduler = Scheduler(settings, state.paths.db, deadline=deadline_for(max_seconds, started), log=log, notifier=notifier)
        with _StopOnSignals(scheduler.stop_event, scheduler.abandon_event, log):
            try:
                outcomes = scheduler.run_due()  # each run's summary is logged once, as it ends
            finally:
                scheduler.close()
    if json:
        print_json({"campaigns": [o.as_dict() for o in outcomes]})
    code = worst_exit_code(outcomes)
    if code:
        raise typer.Exit(code)


def nothing_due_fast(args: list[str]) -> bool:
    """Cron's every-minute case, answered before Typer parses anything (its option coercion imports
    pydantic, ~60 ms): `blast [--config P] [--db P] run-due [--json] [--max-seconds N]` with nothing
    due prints what `run-due` would and returns True. Any other form returns False (Typer runs)."""
    from pathlib import Path

    options: dict[str, str] = {}
    flags: set[str] = set()
    command = None
    it = iter(args)
    for token in it:
        name, eq, value = token.partition("=")
        if command is None and name in ("--config", "--db") or command and name == "--max-seconds":
            options[name] = value if eq else next(it, "")
            if not options[name]:
                return False
        elif command is None and token == "run-due":
            command = token
        elif command and token in ("--json", "--log-json"):
            flags.add(token)
        else:
            return False
    if command is None or not _valid_max_seconds(options.get("--max-seconds")):
        return False
    from nexus_blast import clock
    from nexus_blast.paths import resolve_paths
    from nexus_blast.store.db import iso
    from nexus_blast.store.due import anything_due

    config, db = (Path(options[k]) if options.get(k) else None for k in ("--config", "--db"))
    paths = resolve_paths(config, db)
    if anything_due(paths.db, iso(clock.now())):
        return False
    from nexus_blast.cli.logs import stamper
    from nexus_blast.cli.state import warn_if_config_misplaced

    warn_if_config_misplaced(paths, stamper("--log-json" in flags))  # cron's silent every-minute nothing is where this bites
    if "--json" in flags:
        print_json({"campaigns": []})
    return True


def _valid_max_seconds(text: str | None) -> bool:
    if text is None:
        return True
    try:
        return float(text) >= 1
    except ValueError:
        return False


def worker(
    poll: Annotated[Optional[float], typer.Option("--poll", min=0.05, metavar="SECONDS", help=N_("Seconds between looks for due campaigns (default: scheduler.poll_interval)."), show_default=False)] = None,
    log_json: WorkerLogJsonOpt = False,
) -> None:
    """Run due campaigns continuously (for systemd).

    SIGTERM/SIGINT pause the running one cleanly (the next worker or run-due
    continues it) and exit 0."""
    from nexus_blast.campaigns.scheduler import Scheduler

    from nexus_blast.cli.logs import stamper

    state = current()
    state.stamp = stamper(log_json)
    settings = state.settings()
    interval = poll or settings.scheduler.poll_interval
    log = _line_log(settings, log_json, False)
    with _notifier(settings, state.paths.db, log) as notifier:
        scheduler = Scheduler(settings, state.paths.db, log=log, notifier=notifier)
        with _StopOnSignals(scheduler.stop_event, scheduler.abandon_event, log):  # before "started": a signal then is a clean stop
            log.say("worker.started", _(
                "worker {owner}: polling every {interval}s, lease {lease}s, progress every {every}s, window {window} {days} ({zone})"
            ).format(owner=scheduler.owner, interval=decimal_mark(f"{interval:g}"), lease=settings.scheduler.lease_seconds,
                     every=decimal_mark(f"{settings.scheduler.progress_every:g}"), window=settings.sending.window, days=settings.sending.days,
                     zone=settings.general.timezone))
            try:
                scheduler.serve(interval)
            finally:
                scheduler.close()
    log.say("worker.stopped", _("worker stopped"))


class _StopOnSignals:
    """SIGTERM/SIGINT → a threading.Event the runs watch (clean pause, continued by the next run);
    a second one sets ABANDON: the run stops without waiting for its message in flight (left
    `sending`, checked with WAHA by the next run), still paused for the next run-due/worker.
    Never the default handler: a signal must not land as KeyboardInterrupt mid-write."""

    def __init__(self, event, abandon=None, log=None) -> None:
        self.event = event
        self.abandon = abandon
        self.log = log
        self.previous: dict = {}

    def _on_signal(self, signum, frame) -> None:
        if not self.event.is_set():
            self.event.set()
            self._say(_("stopping: the running campaign pauses after its message in flight; the next run continues it"))
        elif self.abandon is not None and not self.abandon.is_set():
            self.abandon.set()
            self._say(_("stopping now: a message in flight is checked with WAHA by the next run"))

    def _say(self, text: str) -> None:
        if self.log is not None:
            self.log.say("scheduler.stopping", text)
        else:
            from nexus_blast.cli.output import info

            info(text)

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        return self.event

    def __exit__(self, *exc) -> None:
        import signal

        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


RUN_DUE_EXAMPLES = N_("""Examples:
  # crontab -e: every minute, done within the minute, logged
  * * * * * BLAST_HOME=/srv/blast blast run-due --max-seconds 55 >>blast.log 2>&1
  # what is due now, for a script
  blast run-due --json""")


def register(app: typer.Typer) -> None:
    app.command("run-due", epilog=RUN_DUE_EXAMPLES)(run_due)
    app.command("worker")(worker)
