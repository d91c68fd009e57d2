"""The console script (cli/entry.py) answers `--version` without importing Typer or the app."""

from __future__ import annotations

import subprocess
import sys

from nexus_blast import __version__


def test_version_imports_neither_typer_nor_the_app():
    code = (
        "import sys\n"
        "from nexus_blast.cli.entry import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "heavy = [m for m in ('typer', 'nexus_blast.cli.app', 'nexus_blast.i18n') if m in sys.modules]\n"
        "sys.stderr.write(f'CODE={code} HEAVY=' + ','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == f"blast {__version__}\n"
    assert done.stderr.rsplit("CODE=", 1)[1] == "0 HEAVY="


def test_other_arguments_go_to_the_full_app():
    done = subprocess.run([sys.executable, "-m", "nexus_blast", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "Usage: blast" in done.stdout
    done = subprocess.run([sys.executable, "-m", "nexus_blast", "--debug", "--version"], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, f"blast {__version__}\n")
