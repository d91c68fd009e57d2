"""The `blast` console script: answers `blast --version` before anything heavy is imported.

Everything else goes to `nexus_blast.cli.app.main` (Typer, the lazy command group, i18n). Start-up
of `--version` is then the interpreter's plus this module (see bench/startup).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 1 and args[0] == "--version":  # version string: no Typer, no catalog
        from nexus_blast import __version__

        sys.stdout.write(f"blast {__version__}\n")
        sys.stdout.flush()
        sys.exit(0)
    from nexus_blast.cli.app import main as full_main

    full_main(argv)
