"""Sub-commands built on first use: `blast --version` and `blast --help` build none of them.

Typer builds every command of an app (and evaluates every parameter annotation) before an eager
option such as `--version` can exit; the root group here knows each top-level command by name and
one-line help only, and imports and builds a command module when a command of it is looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import typer
from typer._click import Command, Context, HelpFormatter
from typer.core import TyperGroup

from nexus_blast.cli.click_text import BlastContext, translate_command
from nexus_blast.i18n import _

# name → (the cli modules whose `register(app)` define it, its one-line help), in `--help` order.
# The help lines are the commands' own first lines (tests/cli/test_lazy_commands.py keeps them so).
# `campaign` needs the webhook module too: it adds `campaign sync`.
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "init": (("config_cmd",), "Write a starter config (mode 0600) and create the database."),
    "validate": (("contacts",), "Check the phone numbers of a contacts file."),
    "import": (("contacts",), "Validate a contacts file and store it as a contact list."),
    "send": (("campaigns", "webhook"), "Send a campaign: one personalised message per contact."),
    "run-due": (("schedule",), "Run every campaign whose time has come, then exit."),
    "worker": (("schedule",), "Run due campaigns continuously (for systemd)."),
    "copy": (("ai",), "Draft campaign messages with AI."),
    "config": (("config_cmd",), "Show where the configuration lives and what it says."),
    "contacts": (("contacts",), "Imported contact lists."),
    "optout": (("contacts",), "The opt-out (suppression) list: numbers never messaged."),
    "session": (("sessions",), "WhatsApp sessions on WAHA servers: add, pair, health."),
    "campaign": (("campaigns", "webhook"), "Campaigns: list, show, pause, resume, cancel, report."),
    "webhook": (("campaigns", "webhook"), "Receive WAHA webhook events: acks, status, opt-outs."),
    "sandbox": (("sandbox",), "A local WAHA-compatible server: try without a phone."),
    "ai": (("ai",), "AI providers: Ollama (local), Groq, OpenRouter and others."),
    "notify": (("notify",), "Operator notifications: WhatsApp or a signed POST."),
    "doctor": (("doctor",), "Check that this machine can send."),
}

_built: dict[str, Command] = {}  # once per process: register() adds to module-level Typer apps


def _build(name: str) -> Command:
    if name not in _built:
        holder = typer.Typer(rich_markup_mode=None)  # as the root app: plain help
        holder.callback()(_no_options)  # a group even when the modules register a single command
        for module in COMMANDS[name][0]:
            importlib.import_module(f"nexus_blast.cli.{module}").register(holder)
        group = typer.main.get_command(holder)
        from nexus_blast.cli import helpstyle

        helpstyle.apply(group)  # usage, metavars and Examples as gh/sqlite-utils write them
        translate_command(group)  # help in the user's language when shown (i18n)
        for built_name, command in group.commands.items():
            _built.setdefault(built_name, command)
    return _built[name]


def _no_options() -> None:
    """(the holder's callback)"""


class _Commands(MutableMapping):
    """The root's commands: every name known, each command built when it is read."""

    def __init__(self, extra: MutableMapping[str, Command]) -> None:
        self.extra = dict(extra)

    def __getitem__(self, name: str) -> Command:
        if name in self.extra:
            return self.extra[name]
        if name in COMMANDS:
            return _build(name)
        raise KeyError(name)

    def __setitem__(self, name: str, command: Command) -> None:
        self.extra[name] = command

    def __delitem__(self, name: str) -> None:
        del self.extra[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self.extra if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(name not in COMMANDS for name in self.extra)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self.extra


class LazyGroup(TyperGroup):
    """The `blast` root group: commands from COMMANDS, built on first look-up."""

    context_class = BlastContext  # Click's own words (Usage, Options...) in the user's language

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The command table from the one-line helps, without building a command."""
        rows = [(name, _(COMMANDS[name][1])) for name in COMMANDS]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, _shorten(text, limit)) for name, text in rows])


def _shorten(text: str, limit: int) -> str:
    """Click's short help: the first sentence cut at LIMIT on a word, with '...'."""
    from typer._click.utils import make_default_short_help

    return make_default_short_help(text, limit)

