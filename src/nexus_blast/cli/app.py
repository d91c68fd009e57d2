"""The root `blast` app: global options, sub-command registration, errors → exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from nexus_blast import __version__
from nexus_blast.cli import schedule  # main()'s cron fast path
from nexus_blast.cli.lazy import LazyGroup
from nexus_blast.cli.state import set_state
from nexus_blast.errors import BlastError, ExitCode, StorageError
from nexus_blast.i18n import N_, _

app = typer.Typer(
    name="blast",
    help=N_("Bulk WhatsApp campaigns through WAHA: sessions, contacts, campaigns, scheduling, AI copy."),  # LazyGroup says it
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=LazyGroup,  # sub-commands (cli/lazy.py COMMANDS) are built when used, not at start-up
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"blast {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(
    config: Annotated[Optional[Path], typer.Option("--config", metavar="FILE", help=N_("Config file (default: $BLAST_HOME/config.toml or XDG)."), show_default=False)] = None,
    db: Annotated[Optional[Path], typer.Option("--db", metavar="FILE", help=N_("Database file (default: $BLAST_HOME/blast.db or XDG)."), show_default=False)] = None,
    debug: Annotated[bool, typer.Option("--debug", help=N_("Show tracebacks for errors."))] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=N_("Print the version and exit."))] = False,
) -> None:
    set_state(config, db, debug)




def _fail(exc: BlastError, args: list[str], debug: bool, json_mode: bool) -> int:
    """Report an expected failure in one line (a traceback only with --debug); its exit code."""
    if debug:
        import traceback

        traceback.print_exc()
    _report(int(exc.exit_code), exc.message, exc.hint, json_mode, args)
    if isinstance(exc, StorageError):  # a campaign this process ran must not stay `running`
        from nexus_blast.i18n import english

        _give_up_campaigns(args, english(exc.message))  # stored with the campaign: the same in every language
    return int(exc.exit_code)


def _report(code: int, message: str, hint: str | None, json_mode: bool, args: list[str] | None = None) -> None:
    line = (_("blast: error: {message}").format(message=message) + (f" ({hint})" if hint else "")).replace("\n", " ")
    sys.stderr.write(_scheduler_line(line, args or []) + "\n")
    if json_mode:
        from nexus_blast.cli.output import print_json

        from nexus_blast.i18n import english  # a --json document is the same in every language

        print_json({"error": {"code": code, "message": english(message)} | ({"hint": english(hint)} if hint else {})})


def _scheduler_line(line: str, args: list[str]) -> str:
    """run-due/worker stamp every line (cli/logs.py): their error line too, as a JSON object with --log-json."""
    if "run-due" not in args and "worker" not in args:
        return line
    from nexus_blast.cli.logs import stamped
    from nexus_blast.cli.state import current

    settings = current()._settings  # the configured zone when it loaded
    zone = settings.general.timezone if settings is not None else None
    return stamped(line, as_json="--log-json" in args, timezone=zone, level="error", event="error")


def _replace_unencodable() -> None:
    """A Latin-1 or ASCII terminal shows `?` for what it cannot encode instead of a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.errors or "strict") == "strict":
            reconfigure(errors="replace")


def _expected_error(exc: Exception) -> BlastError | None:
    """EXC as the one-line error it is for the user, when it is a condition of the world rather
    than a bug: a SQLite failure (locked, full, damaged, not a database) or a setting refused by
    pydantic on its way to the config file. None: a bug, shown as a traceback."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        from nexus_blast.cli.state import current
        from nexus_blast.store.db import storage_error

        return storage_error(current().paths.db, exc)
    pydantic = sys.modules.get("pydantic")  # loaded only if something validated settings
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):
        from nexus_blast.config import validation_problem
        from nexus_blast.errors import ConfigError

        return ConfigError(validation_problem(exc.errors()[0]))
    return None


def _give_up_campaigns(args: list[str], why: str) -> None:
    """After the database failed under a run: the campaigns this process was running are paused
    (run-due/worker: to be continued by the next run), never left `running` with no process."""
    from nexus_blast.campaigns.lease import new_owner
    from nexus_blast.cli.state import current
    from nexus_blast.store.abandoned import pause_abandoned

    prefix = new_owner().rsplit(":", 1)[0] + ":"  # host:pid: of every lease this process took
    scheduled = "run-due" in args or "worker" in args
    paused = pause_abandoned(current().paths.db, prefix, f"interrupted by a database error: {why}", resume_on_due=scheduled)
    for campaign_id in paused:
        sys.stderr.write(_scheduler_line(_("blast: campaign {id} paused; resume with: blast campaign resume {id}").format(id=campaign_id), args) + "\n")


def _speak(args: list[str]) -> None:
    """This invocation's language: from --config's `general.language` or the locale (i18n), with
    Click's and Typer's own words translated too."""
    from nexus_blast import i18n
    from nexus_blast.cli.click_text import install

    i18n.configure(_config_arg(args))
    install()


def _config_arg(args: list[str]) -> Path | None:
    """The `--config` path among ARGS (read before Typer parses them: help is rendered before the
    root callback runs)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--config" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--config="):
            return Path(arg.split("=", 1)[1])
    return None


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; the one place errors become exit codes."""
    from typer import exceptions as typer_exc
    from typer._click import exceptions as click_exc

    args = list(sys.argv[1:] if argv is None else argv)
    _replace_unencodable()
    if schedule.nothing_due_fast(args):  # cron's every-minute run-due: no Typer parsing (pydantic)
        sys.stdout.flush()
        sys.exit(0)
    json_mode = "--json" in args
    debug = "--debug" in args
    _speak(args)
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="blast", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except BlastError as exc:
        code = _fail(exc, args, debug, json_mode)
    except click_exc.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
        code = int(ExitCode.USAGE)
    except click_exc.ClickException as exc:
        from nexus_blast.cli.click_text import usage_hint, usage_message

        hint = None
        if isinstance(exc, click_exc.UsageError) and exc.ctx is not None:
            hint = usage_hint(exc.ctx.command_path)
        _report(exc.exit_code, usage_message(exc), hint, json_mode)
        code = exc.exit_code
    except (typer_exc.Abort, KeyboardInterrupt):
        sys.stderr.write(_("blast: interrupted") + "\n")
        code = int(ExitCode.INTERRUPTED)
    except typer_exc.Exit as exc:
        code = exc.exit_code
    except Exception as exc:
        expected = _expected_error(exc)
        if expected is None:
            raise
        code = _fail(expected, args, debug, json_mode)
    finally:
        from nexus_blast.cli.state import current

        current().close()
    sys.stdout.flush()
    sys.exit(code)
