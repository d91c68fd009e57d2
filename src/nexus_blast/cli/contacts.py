"""`blast validate`, `blast import`, `blast contacts`, `blast optout`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from nexus_blast.cli import complete
from nexus_blast.cli.output import confirm, confirm_overwrite, info, print_json, table
from nexus_blast.cli.state import current
from nexus_blast.i18n import N_, _, format_number, ngettext

contacts_app = typer.Typer(help=N_("Imported contact lists."), no_args_is_help=True)
optout_app = typer.Typer(help=N_("The opt-out (suppression) list: numbers never messaged."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))]
FileArg = Annotated[str, typer.Argument(metavar="FILE", help=N_("Contacts: CSV/TSV, .xlsx, .xls, .ods or vCard .vcf (detected by content), or - for stdin."), show_default=False)]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help=N_("Write valid rows + phone_e164, phone_kind, phone_source here."), show_default=False)]
RejectsOpt = Annotated[Optional[Path], typer.Option("--rejects", help=N_("Write rejected rows + row, reason here."), show_default=False)]
PhoneColumnOpt = Annotated[Optional[str], typer.Option("--phone-column", metavar="NAME[,NAME…]", help=N_("Columns holding the phone, in order of preference (default: detected by name and content)."), show_default=False)]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", metavar="NAME|N", help=N_("Workbook sheet to read, by name or number from 1 (default: the first)."), show_default=False)]
DddOpt = Annotated[Optional[str], typer.Option("--default-ddd", metavar="DDD", help=N_("Area code for numbers written without one (default: contacts.default_ddd)."), show_default=False)]
ForeignOpt = Annotated[bool, typer.Option("--allow-foreign", help=N_("Accept valid non-Brazilian numbers."))]
LandlinesOpt = Annotated[bool, typer.Option("--include-landlines", help=N_("Count landlines as sendable (they are always valid; send skips them otherwise)."))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))]


def validate(
    file: FileArg,
    output: OutputOpt = None,
    rejects: RejectsOpt = None,
    phone_column: PhoneColumnOpt = None,
    sheet: SheetOpt = None,
    default_ddd: DddOpt = None,
    allow_foreign: ForeignOpt = False,
    include_landlines: LandlinesOpt = False,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Check the phone numbers of a contacts file.

    Exit 1 when some rows are invalid."""
    from nexus_blast.contacts.importer import check_file
    from nexus_blast.contacts.reader import read_rows
    from nexus_blast.store.contacts import optout_phones

    state = current()
    options = _options(default_ddd, allow_foreign, include_landlines)
    confirm_overwrite(yes, output, rejects)
    source = read_rows(file, phone_column=phone_column, sheet=sheet)
    for note in source.notes:
        info(note)
    report = check_file(source, options=options, optouts=optout_phones(state.db()), output=output, rejects=rejects)
    _finish(report, options, json, output, rejects)


def import_(
    file: FileArg,
    list_name: Annotated[str, typer.Option("--list", metavar="NAME", autocompletion=complete.list_names, help=N_("Contact list to create or update (upsert by phone)."), show_default=False)],
    output: OutputOpt = None,
    rejects: RejectsOpt = None,
    phone_column: PhoneColumnOpt = None,
    sheet: SheetOpt = None,
    default_ddd: DddOpt = None,
    allow_foreign: ForeignOpt = False,
    include_landlines: LandlinesOpt = False,
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Validate a contacts file and store it as a contact list.

    Only the valid rows are stored; exit 1 when some rows are invalid."""
    from nexus_blast.contacts.importer import import_file
    from nexus_blast.contacts.reader import read_rows

    state = current()
    options = _options(default_ddd, allow_foreign, include_landlines)
    confirm_overwrite(yes, output, rejects)
    db = state.db()
    source = read_rows(file, phone_column=phone_column, sheet=sheet)
    for note in source.notes:
        info(note)
    report = import_file(db, source, list_name, options=options, output=output, rejects=rejects)
    _finish(report, options, json, output, rejects)


def _options(default_ddd, allow_foreign, include_landlines):
    from nexus_blast.contacts.validation import resolve_options

    return resolve_options(
        current().settings().contacts,
        default_ddd=default_ddd,
        allow_foreign=allow_foreign,
        include_landlines=include_landlines,
    )


def _finish(report, options, json: bool, output: Path | None, rejects: Path | None) -> None:
    summary = report.summary
    for warning in report.warnings:
        info(_("warning: {warning}").format(warning=warning))
    if json:
        print_json(report.as_dict())
    else:
        _render(report, options, output, rejects)
    if summary.invalid:
        raise typer.Exit(1)


def _render(report, options, output: Path | None, rejects: Path | None) -> None:
    s = report.summary
    n = format_number
    rows: list[list] = [[_("total"), n(s.total)], [_("valid"), n(s.valid)]]
    if s.landlines:
        rows.append(["  " + _("landlines"), n(s.landlines)])
    if s.legacy_mobile:
        rows.append(["  " + _("legacy mobiles (9 added)"), n(s.legacy_mobile)])
    if s.foreign:
        rows.append(["  " + _("foreign"), n(s.foreign)])
    rows.append([_("invalid"), n(s.invalid)])
    # reason codes (by_reason keys) are shown as they are: the same words as --json and --rejects
    rows += [[f"  {reason}", n(count)] for reason, count in s.by_reason.items() if count and reason != "duplicate"]
    rows.append([_("duplicates"), n(s.duplicates)])
    used = ", ".join(report.phone_columns or [report.phone_column])
    title = ngettext("{source} (phone column: {columns})", "{source} (phone columns: {columns})", len(report.phone_columns) or 1)
    table(title.format(source=report.source, columns=used), ["", N_("rows")], rows)
    if report.rejected:
        shown = [[c.row, c.phone, c.reason] for c in report.rejected]
        heading = ngettext("first {count} rejected row", "first {count} rejected rows", len(shown))
        table(heading.format(count=len(shown)), [N_("row"), N_("phone"), N_("reason")], shown)
    if report.list_name is not None:
        info(_("list {name!r}: {new} new, {updated} updated").format(name=report.list_name, new=n(report.inserted), updated=n(report.updated)))
    if s.landlines and not options.include_landlines:
        info(ngettext("{count} landline is valid but `blast send` skips it unless --include-landlines",
                      "{count} landlines are valid but `blast send` skips them unless --include-landlines", s.landlines).format(count=n(s.landlines)))
    for label, path in ((_("valid rows written to {path}"), output), (_("rejected rows written to {path}"), rejects)):
        if path is not None:
            info(label.format(path=path))


@contacts_app.command("lists")
def lists(json: JsonOpt = False) -> None:
    """Every imported contact list with its counts."""
    from nexus_blast.store.contacts import list_lists

    found = list_lists(current().db())
    if json:
        print_json(found)
        return
    if not found:
        info(_("no contact lists yet: blast import FILE --list NAME"))
        return
    table(None, [N_("name"), N_("contacts"), N_("mobiles"), N_("landlines"), N_("foreign"), N_("updated")],
          [[x["name"], x["contacts"], x["mobiles"], x["landlines"], x["foreign"], x["updated_at"]] for x in found])


@contacts_app.command("show")
def show(
    name: Annotated[str, typer.Argument(metavar="NAME", help=N_("List name."), show_default=False, autocompletion=complete.list_names)],
    limit: Annotated[int, typer.Option("--limit", min=0, help=N_("Contacts to show (0 = all)."))] = 20,
    json: JsonOpt = False,
) -> None:
    """One contact list: counts and its first contacts."""
    from itertools import islice

    from nexus_blast.errors import NotFound
    from nexus_blast.store.contacts import get_list, iter_list_contacts

    db = current().db()
    found = get_list(db, name)
    if found is None:
        raise NotFound(_("unknown contact list {name!r}").format(name=name), hint=_("see: blast contacts lists"))
    contacts = iter_list_contacts(db, name)
    chosen = list(islice(contacts, limit) if limit else contacts)
    if json:
        print_json({**found, "contacts": [{"phone": p, "kind": k, "fields": f} for p, k, f in chosen]})
        return
    info(ngettext("list {name!r}: {count} contact ({mobiles} mobiles, {landlines} landlines)",
                  "list {name!r}: {count} contacts ({mobiles} mobiles, {landlines} landlines)", found["contacts"]).format(
        name=name, count=format_number(found["contacts"]), mobiles=format_number(found["mobiles"]), landlines=format_number(found["landlines"])))
    _contacts_table(chosen)


def _contacts_table(chosen: list) -> None:
    columns = list(dict.fromkeys(c for _, _, f in chosen for c in f))
    table(None, [N_("phone"), N_("kind"), *columns], [[phone, kind, *(fields.get(c, "") for c in columns)] for phone, kind, fields in chosen])


@contacts_app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(metavar="NAME", help=N_("List name."), show_default=False, autocompletion=complete.list_names)],
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Delete a contact list and its contacts.

    Campaigns already planned keep their copies."""
    from nexus_blast.errors import NotFound
    from nexus_blast.store.contacts import delete_list, get_list

    db = current().db()
    if get_list(db, name) is None:
        raise NotFound(_("unknown contact list {name!r}").format(name=name), hint=_("see: blast contacts lists"))
    confirm(_("Delete contact list {name!r}?").format(name=name), yes)
    removed = delete_list(db, name)
    if json:
        print_json({"name": name, "deleted": removed})
        return
    info(ngettext("deleted list {name!r} ({count} contact)", "deleted list {name!r} ({count} contacts)", removed).format(name=name, count=format_number(removed)))


@optout_app.command("add")
def optout_add(
    phones: Annotated[Optional[list[str]], typer.Argument(metavar="PHONE...", help=N_("Numbers, any spelling."), show_default=False)] = None,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help=N_("Why (kept with the number)."))] = "",
    file: Annotated[Optional[str], typer.Option("--file", metavar="FILE", help=N_("CSV of numbers (phone column detected), or - for stdin."), show_default=False)] = None,
    json: JsonOpt = False,
) -> None:
    """Never message these numbers again.

    Exit 2, nothing stored, if any number is invalid."""
    from nexus_blast.contacts import optouts

    state = current()
    numbers = optouts.phones_from_args(phones or [], file, default_ddd=state.settings().contacts.default_ddd)
    change = optouts.add(state.db(), numbers, reason)
    if json:
        print_json({"added": change.changed, "already": change.unchanged, "phones": change.phones})
        return
    info(_("opted out: {added} added, {already} already on the list").format(added=format_number(change.changed), already=format_number(len(change.unchanged))))


@optout_app.command("list")
def optout_list(json: JsonOpt = False) -> None:
    """Every opted-out number, oldest first."""
    from nexus_blast.store.contacts import list_optouts

    entries = list_optouts(current().db())
    if json:
        print_json(entries)
        return
    if not entries:
        info(_("the opt-out list is empty"))
        return
    table(None, [N_("phone"), N_("reason"), N_("added_at")], [[e["phone"], e["reason"], e["added_at"]] for e in entries])


@optout_app.command("remove")
def optout_remove(
    phones: Annotated[list[str], typer.Argument(metavar="PHONE...", help=N_("Numbers, any spelling."), show_default=False)],
    yes: YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Allow messaging these numbers again.

    Numbers not on the list are reported, not an error."""
    from nexus_blast.contacts import optouts

    state = current()
    numbers = optouts.phones_from_args(phones, None, default_ddd=state.settings().contacts.default_ddd, action="removed")
    confirm(ngettext("Remove {count} number from the opt-out list (it may be messaged again)?",
                     "Remove {count} numbers from the opt-out list (they may be messaged again)?", len(numbers)).format(count=format_number(len(numbers))), yes)
    change = optouts.remove(state.db(), numbers)
    if json:
        print_json({"removed": change.changed, "not_found": change.unchanged})
        return
    if change.unchanged:
        info(_("removed {count} from the opt-out list; not on it: {phones}").format(count=format_number(change.changed), phones=", ".join(change.unchanged)))
    else:
        info(_("removed {count} from the opt-out list").format(count=format_number(change.changed)))


VALIDATE_EXAMPLES = N_("""Examples:
  # which rows are sendable, and why the others are not
  blast validate contatos.csv
  # keep the valid rows (with phone_e164) and the rejects with their reason
  blast validate clientes.xlsx --sheet 2 -o validos.csv --rejects rejeitados.csv
  # numbers without an area code are from São Paulo
  blast validate lista.csv --default-ddd 11 --phone-column celular,telefone""")

IMPORT_EXAMPLES = N_("""Examples:
  blast import contatos.csv --list clientes
  # a Google Contacts export, then send to the list
  blast import google.csv --list vip && blast send --list vip -m "Oi {{nome}}"
  # from a pipe
  cat novos.csv | blast import - --list clientes --json""")


def register(app: typer.Typer) -> None:
    app.command("validate", epilog=VALIDATE_EXAMPLES)(validate)
    app.command("import", epilog=IMPORT_EXAMPLES)(import_)
    app.add_typer(contacts_app, name="contacts")
    app.add_typer(optout_app, name="optout")
