"""The root group builds sub-commands on first use (cli/lazy.py): its table must match them."""

from __future__ import annotations

import subprocess
import sys


def test_the_one_line_helps_are_the_commands_own():
    from nexus_blast.cli.lazy import COMMANDS, _build

    for name, (_, line) in COMMANDS.items():
        command = _build(name)
        assert (command.help or "").split("\n\n")[0].replace("\n", " ").strip() == line, name


def test_version_and_help_build_no_command_module():
    code = (
        "import sys\n"
        "from nexus_blast.cli.app import main\n"
        "try:\n    main([sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "mods = [m for m in ('contacts', 'campaigns', 'sessions', 'ai', 'webhook', 'sandbox', 'config_cmd')"
        " if 'nexus_blast.cli.' + m in sys.modules]\n"
        "sys.stderr.write('LOADED=' + ','.join(mods))\n"
    )
    for flag in ("--version", "--help"):
        done = subprocess.run([sys.executable, "-c", code, flag], capture_output=True, text=True, check=True)
        assert done.stderr.rsplit("LOADED=", 1)[1] == "", flag
