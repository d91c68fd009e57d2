"""The typed errors the CLI maps to exit codes (one place: cli/app.py)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ../shared/CLI.md."""

    OK = 0
    PARTIAL = 1  # ran, but some items failed
    USAGE = 2  # usage, config or input error
    DEPENDENCY = 3  # WAHA or AI provider unreachable, auth refused
    INTERRUPTED = 130


class BlastError(Exception):
    """An expected failure: one line for the user, an exit code, an optional hint."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(BlastError):
    """Bad input: a file, row, field or option the user must fix."""


class ConfigError(BlastError):
    """Missing or invalid configuration (unknown session, no provider, bad setting)."""


class NotFound(BlastError):
    """A named thing (session, campaign, list, provider) does not exist."""


class DependencyError(BlastError):
    """A dependency (WAHA server, AI provider) could not be used."""

    exit_code = ExitCode.DEPENDENCY


class Unreachable(DependencyError):
    """The server could not be reached or did not answer in time."""


class KeyRefused(DependencyError):
    """The server refused the API key (401/403)."""


class Interrupted(BlastError):
    """The user interrupted; what was running is paused and resumable."""

    exit_code = ExitCode.INTERRUPTED


class StorageError(BlastError):
    """The database could not be used (locked, full, damaged, not a database, newer schema); the
    message names the file and what to do. Exit 2, or 3 for a condition that passes (locked, full)."""
