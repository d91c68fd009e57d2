"""Help in the conventions of gh, pip and sqlite-utils, applied to every command cli/lazy.py builds.

- Usage names the arguments and the required options: `blast session add NAME --url URL [OPTIONS]`
  (Typer's own reads `[OPTIONS] {name}`).
- Metavars say what goes there. A parameter without one gets one from what it is: choices
  `[csv|json]`, a path `FILE`, a number `N`, text the option's last word (`--host` → `HOST`), an
  argument its name (`NAME`); never a type (`<str>`, `<int range>`, `<list[str]>`). Give
  `metavar=` where a better word exists (`URL`, `MIN-MAX`, `NAME[,NAME…]`, `PATH|URL`, `ID`).
- The Examples block (a command's `epilog`, marked with `N_()`) is printed as written, not re-wrapped,
  in the user's language (its comments are translated, never its command lines).

tests/cli/test_help.py renders every command's --help and holds these.
"""

from __future__ import annotations

from enum import Enum

from typer._click import Context, HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from nexus_blast.i18n import _


def apply(command) -> None:
    """COMMAND and everything under it: the help conventions above."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            apply(sub)
    elif type(command) is TyperCommand:
        command.__class__ = BlastCommand
    for param in command.params:
        if param.metavar is None:
            param.metavar = default_metavar(param)


def default_metavar(param) -> str | None:
    """The word shown for PARAM's value when the command gave none (None: a flag, nothing shown)."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return None
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and desc.is_choice:
        return "[" + "|".join(str(c.value if isinstance(c, Enum) else c) for c in desc.choices) + "]"
    if isinstance(param, TyperArgument):
        return param.name.upper()
    annotation = getattr(desc, "annotation", None)
    if desc is not None and (desc.is_path or desc.is_file):
        return "FILE"
    if annotation in (int, float):
        return "N"
    longest = max(param.opts, key=len)
    return longest.lstrip("-").rsplit("-", 1)[-1].upper() or "VALUE"


def _argument_name(param) -> str:
    name = (param.metavar or param.name.upper()).replace("...", "…")
    return name + "…" if param.nargs != 1 and not name.endswith("…") else name


class BlastCommand(TyperCommand):
    """A Typer command whose usage line, Arguments section and Examples follow gh/sqlite-utils."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        for param in self.get_params(ctx):
            if isinstance(param, TyperOption) and param.required and not param.hidden:
                pieces.append(f"{max(param.opts, key=len)} {param.metavar}" if param.metavar else max(param.opts, key=len))
        if self.options_metavar:
            pieces.append(self.options_metavar)
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def format_epilog(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The epilog as written (Examples: command lines must not be re-wrapped), translated."""
        if self.epilog:
            formatter.write_paragraph()
            for line in _(self.epilog).strip("\n").splitlines():
                formatter.write(line.rstrip() + "\n")
