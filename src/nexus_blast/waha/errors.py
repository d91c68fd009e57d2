"""Typed WAHA errors: each names the server and the WAHA session, never the API key.

Their messages and hints are for people (`i18n.Message`: translated, with the English kept for
--json); what WAHA itself said (`detail`, the server's error text) is quoted as it was sent."""

from __future__ import annotations

from nexus_blast.errors import DependencyError, ExitCode, InputError, KeyRefused, NotFound, Unreachable
from nexus_blast.i18n import N_, _, english


def scrub(text: str, *secrets: str) -> str:
    """TEXT with every non-empty secret replaced by a mask (httpx messages can carry URLs)."""
    from nexus_blast.config import mask

    for secret in secrets:
        if secret:
            text = text.replace(secret, mask(secret) or "…")
    return text


def where(server: str, session: str | None) -> str:
    """`WAHA http://host:3000 session 'loja1'` — the prefix of every WAHA error message (the URL's
    credentials masked: `http://user:…@host/?key=…`)."""
    from nexus_blast.masking import mask_url

    label = f"WAHA {mask_url(server)}"
    return _("{server} session {session!r}").format(server=label, session=session) if session else label


# What the network library (httpx, the resolver) says when a connection fails, said in pt-BR too;
# any other reason is quoted as it came.
NETWORK_REASONS = (
    N_("All connection attempts failed"),
    N_("Connection refused"),
    N_("Connection reset by peer"),
    N_("Name or service not known"),
    N_("Temporary failure in name resolution"),
    N_("Network is unreachable"),
    N_("No route to host"),
    N_("Server disconnected without sending a response."),
)


def network_reason(text: str) -> str:
    """TEXT (an httpx error, maybe `[Errno 111] Connection refused`) in the user's language when
    it is one of NETWORK_REASONS (the `[Errno N]` kept), else as it is."""
    from nexus_blast.i18n import join

    prefix, _sep, reason = text.rpartition("] ") if text.startswith("[Errno ") else ("", "", text)
    if reason not in NETWORK_REASONS:
        return text
    return join("", [prefix + "] " if prefix else "", _(reason)])


def seconds(value: float) -> str:
    """VALUE (seconds) for a person (`2,5` in pt-BR), written `2.5` in the English (--json)."""
    from nexus_blast.i18n import ENGLISH, Message, format_number, language

    text = f"{value:g}"
    return text if language() == ENGLISH else Message(format_number(float(value)), text)


class WahaError(DependencyError):
    """A WAHA server could not do what was asked; `status_code` and `detail` (the server's own
    message) are set when it answered with an HTTP error."""

    status_code: int = 0
    detail: str = ""

    def __init__(self, message: str, *, server: str = "", session: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.server = server
        self.session = session

    def __str__(self) -> str:
        """The message in English: what `str(exc)` passes on is stored (a message's error, a
        session's health note) or logged, and must not depend on the language of the run. People
        read `exc.message` (translated; i18n.reason, Message.format and the CLI's handler use it)."""
        return english(self.message)


class WahaUnreachable(WahaError, Unreachable):
    """Connection refused, DNS failure or timeout; `sent` is True when the request may have arrived."""

    def __init__(self, message: str, *, sent: bool = False, **kw) -> None:
        super().__init__(message, **kw)
        self.sent = sent


class WahaKeyRefused(WahaError, KeyRefused):
    """401/403: missing or wrong X-Api-Key."""


class WahaSessionNotFound(WahaError, NotFound):
    """404: no such session on the server (or it is not started)."""

    exit_code = ExitCode.USAGE


class WahaSessionNotWorking(WahaError):
    """422: the session exists but is not WORKING (pairing needed, starting, failed)."""

    def __init__(self, message: str, *, status: str = "", **kw) -> None:
        super().__init__(message, **kw)
        self.status = status


class WahaPlusOnly(WahaError):
    """422: the server is WAHA Core and the feature (media, sessions other than `default`) is Plus-only."""


class WahaBadRequest(WahaError, InputError):
    """400/422 for what we sent (bad name, bad body): retrying the same request cannot help."""

    exit_code = ExitCode.USAGE


class WahaRateLimited(WahaError):
    """429 (a proxy in front of WAHA); `retry_after` in seconds when the server said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class WahaServerError(WahaError):
    """5xx: an engine failure; `detail` is WAHA's exception.message."""

    def __init__(self, message: str, *, status_code: int = 500, detail: str = "", **kw) -> None:
        super().__init__(message, **kw)
        self.status_code = status_code
        self.detail = detail

    @property
    def is_timelock(self) -> bool:
        """WhatsApp's reach-out timelock (error 463): no new contacts from this number for a while."""
        return "463" in self.detail

    @property
    def is_rate_overlimit(self) -> bool:
        return "rate-overlimit" in self.detail

    @property
    def is_timeout(self) -> bool:
        return "Timed Out" in self.detail


class WahaBadResponse(WahaError):
    """The server answered 2xx with something that is not what WAHA answers."""
