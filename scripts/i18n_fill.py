"""Fill the pt-BR .po from a Python dict of translations (msgid or (singular, plural) → text or
(singular, plural)): `python scripts/i18n_fill.py FILE.py` where FILE.py defines T = {...}.
Handy when a whole batch is translated at once; editing the .po by hand works as well."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import i18n_tools  # noqa: E402


def main(path: str, language: str = "pt_BR") -> None:
    table = runpy.run_path(path)["T"]
    catalog = i18n_tools.read(language)
    unknown = []
    for key, text in table.items():
        message = catalog.get(key if isinstance(key, str) else key[0])
        if message is None:
            unknown.append(key)
            continue
        message.string = text
        message.flags.discard("fuzzy")
    i18n_tools._write_po(i18n_tools.po_path(language), catalog)
    for key in unknown:
        print(f"not in the catalog (run scripts/i18n update first?): {key!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
