"""Click's and Typer's own words (`Usage:`, `Options`, `Commands`, `Show this message and exit.`,
`Missing argument`, `No such option`, `[default: …]`) in the user's language.

Typer (0.26+) bundles a Click without gettext: its words are plain English strings, so they are
translated where blast renders them: the help formatter (every command's context uses
`BlastContext`), and `usage_message()` for the usage errors main() reports. Typer's own module
(`typer.core`: "default: {default}", "required", "Missing command.", "No such command …") calls
stdlib `gettext.gettext`, whose language would follow the environment, not `general.language`:
`install()` points it at blast's catalog, and sets typer.rich_utils' panel titles when that module
is loaded (blast renders plain help, so it normally is not)."""

from __future__ import annotations

import re
import sys

from typer._click import Context, HelpFormatter
from typer._click import exceptions as click_exc

from nexus_blast.i18n import N_, _

# Typer's rich help constants (typer/rich_utils.py) → their English text, translated by install().
RICH_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
}

# Words of Typer's bundled Click that reach blast's help and errors (marked for the catalog).
CLICK_WORDS = (
    N_("Usage: "),
    N_("Show this message and exit."),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    # typer/core.py, through gettext.gettext (install() points it at our catalog):
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
    N_("(dynamic)"),
    # Typer's completion options:
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)

# Pydantic's reasons for a value Typer could not convert (the common ones), as regexes.
_PYDANTIC = (
    (r"Input should be a valid integer(?:, .*)?$", N_("expected a whole number")),
    (r"Input should be a valid number(?:, .*)?$", N_("expected a number")),
    (r"Input should be a valid boolean(?:, .*)?$", N_("expected yes/no (true/false)")),
    (r"Input should be greater than or equal to (?P<n>\S+)$", N_("must be at least {n}")),
    (r"Input should be greater than (?P<n>\S+)$", N_("must be more than {n}")),
    (r"Input should be less than or equal to (?P<n>\S+)$", N_("must be at most {n}")),
    (r"Input should be less than (?P<n>\S+)$", N_("must be less than {n}")),
)


class BlastHelpFormatter(HelpFormatter):
    """Click's help formatter, saying its own words (and any help cell that is a msgid) in the
    user's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(heading))

    def write_text(self, text: str) -> None:
        super().write_text(_(text) if text else text)

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, translate_help(text)) for term, text in rows], col_max, col_spacing)


def translate_help(cell: str) -> str:
    """A help cell in the user's language: its text (an English msgid) translated, Typer's
    `  [default: …; required]` suffix as Typer wrote it (already in the user's language)."""
    if not cell:
        return cell
    text, bracket, extra = cell.partition("  [")
    return _(text) + bracket + extra if text else cell


class BlastContext(Context):
    """A context whose help is formatted by BlastHelpFormatter."""

    formatter_class = BlastHelpFormatter


def translate_command(command) -> None:
    """COMMAND (and its sub-commands) saying its help in the user's language when it is shown.

    Help texts stay English in the built commands (docstrings, `help=N_(…)`: scripts/i18n extracts
    both) and are translated as they are rendered, so a process (the test suite) can change its
    language after the commands were built: BlastContext's formatter translates the help text and
    the option/command cells, and the short help a group lists is made from the translated help."""
    command.context_class = BlastContext
    command.get_short_help_str = lambda limit=45, _cmd=command: _short_help(_cmd, limit)
    for param in command.params:
        _accept_decimal_commas(param)
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub)


def _accept_decimal_commas(param) -> None:
    """A float option takes `2,5` as well as `2.5` (as typed in Brazil): the comma becomes a
    point before Typer converts the value."""
    from types import UnionType
    from typing import Union, get_args, get_origin

    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if not (annotation is float or (get_origin(annotation) in (Union, UnionType) and float in get_args(annotation))):
        return
    from nexus_blast.domain.numbers import decimal_point

    convert = param.process_value
    param.process_value = lambda ctx, value, _convert=convert: _convert(ctx, decimal_point(value))


def _short_help(command, limit: int) -> str:
    """Click's short help (the first sentence, cut at LIMIT) of the translated help."""
    from typer._click.utils import make_default_short_help

    if command.short_help:
        return _(command.short_help)
    return make_default_short_help(_(command.help), limit) if command.help else ""


def install() -> None:
    """Typer's gettext-translated words (typer.core, typer.rich_utils) from blast's catalog."""
    import typer.core

    typer.core._ = _  # typer.core did `from gettext import gettext as _`: its words at call time
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        for name, english in RICH_CONSTANTS.items():
            setattr(rich_utils, name, _(english))


# Patterns as strings: `re` compiles (and caches) one only when an error needs it, not at start-up.
_EXTRA_ARGS = r"(?s)Got unexpected extra arguments? \((?P<args>.*)\)$"
_NOT_VALID = r"(?s)Value (?P<value>.*) is not a valid (?P<label>\w+)\.$"
_REQUIRES = r"Option (?P<name>'[^']*') requires (?:an argument|(?P<n>\d+) arguments)\.$"
_NO_VALUE = r"Option (?P<name>'[^']*') does not take a value\.$"


def usage_message(exc: click_exc.ClickException) -> str:
    """EXC's one-line message in the user's language (Click's English text rebuilt from its parts)."""
    if isinstance(exc, click_exc.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click_exc.NoSuchOption):
        message = exc.message
        if message.startswith("No such option: "):
            message = _("No such option: {name}").format(name=exc.option_name)
        if exc.possibilities:
            message += " " + _("(Possible options: {options})").format(options=", ".join(sorted(exc.possibilities)))
        return message
    if isinstance(exc, click_exc.BadParameter):
        reason = _reason(exc.message)
        hint = _param_hint(exc)
        if hint is None:
            return _("Invalid value: {reason}").format(reason=reason)
        return _("Invalid value for {option}: {reason}").format(option=hint, reason=reason)
    if isinstance(exc, click_exc.UsageError):
        return _reason(exc.message)
    return exc.format_message()


def usage_hint(command_path: str) -> str:
    """The hint after a usage error."""
    return _("see: {command} --help").format(command=command_path)


def _missing(exc: click_exc.MissingParameter) -> str:
    hint = _param_hint(exc)
    kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
    if kind == "argument":
        text = _("Missing argument {name}.") if hint else _("Missing argument.")
    elif kind == "option":
        text = _("Missing option {name}.") if hint else _("Missing option.")
    else:
        text = _("Missing parameter {name}.") if hint else _("Missing parameter.")
    message = text.format(name=hint)
    extra = exc.message
    if exc.param is not None and hasattr(exc.param, "get_missing_message"):
        choices = exc.param.get_missing_message(ctx=exc.ctx)
        if choices:
            extra = (extra + ". " if extra else "") + choices.replace("Choose from:", _("Choose from:"))
    return f"{message} {extra}" if extra else message


def _param_hint(exc: click_exc.BadParameter) -> str | None:
    if exc.param_hint is not None:
        hint = exc.param_hint
    elif exc.param is not None:
        hint = exc.param.get_error_hint()
    else:
        return None
    return click_exc._join_param_hints(hint)


def _reason(message: str) -> str:
    """Click's and Typer's English reasons, translated when they are theirs (ours already are)."""
    if match := re.match(_EXTRA_ARGS, message):
        return _("Got unexpected extra arguments ({arguments})").format(arguments=match["args"])
    if match := re.match(_NOT_VALID, message):
        return _("Value {value} is not a valid {kind}.").format(value=match["value"], kind=match["label"])
    if match := re.match(_REQUIRES, message):
        count = int(match["n"] or 1)
        from nexus_blast.i18n import ngettext

        return ngettext("Option {name} requires an argument.", "Option {name} requires {count} arguments.", count).format(
            name=match["name"], count=count
        )
    if match := re.match(_NO_VALUE, message):
        return _("Option {name} does not take a value.").format(name=match["name"])
    for pattern, text in _PYDANTIC:
        if match := re.match(pattern, message):
            return _(text).format(**match.groupdict())
    return _(message)
