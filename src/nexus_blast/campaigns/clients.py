"""WAHA clients for a campaign's sessions: one client per server (sessions on one server share
its connection pool), built from the settings."""

from __future__ import annotations

import asyncio

from nexus_blast.campaigns.lanes import LaneSpec


def make_client(settings, url: str, api_key: str, retries: int | None = None):
    from nexus_blast.waha.client import WahaClient

    return WahaClient(
        url,
        api_key,
        timeout=settings.waha.timeout,
        connect_timeout=settings.waha.connect_timeout,
        retries=max(0, settings.retry.attempts - 1) if retries is None else retries,
        backoff_initial=settings.retry.backoff_initial,
        backoff_max=settings.retry.backoff_max,
    )


class ClientPool:
    """Clients keyed by (server URL, API key); close them all with `aclose`."""

    def __init__(self, settings, retries: int | None = None) -> None:
        self.settings = settings
        self.retries = retries
        self._clients: dict[tuple[str, str], object] = {}

    def for_session(self, name: str):
        from nexus_blast.waha.sessions import api_key_of

        config = self.settings.sessions[name]
        key = (config.url.rstrip("/"), api_key_of(name, config))  # an unset api_key_env is said as such
        if key not in self._clients:
            self._clients[key] = make_client(self.settings, *key, retries=self.retries)
        return self._clients[key]

    def lanes(self, names: list[str]) -> list[LaneSpec]:
        out = []
        for name in names:
            config = self.settings.sessions[name]
            out.append(
                LaneSpec(
                    name=name,
                    waha_session=config.waha_session or name,
                    client=self.for_session(name),
                    weight=config.weight,
                    daily_cap=config.daily_cap or self.settings.sending.daily_cap,
                )
            )
        return out

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def core_sessions(settings, names: list[str]) -> list[str]:
    """The sessions among NAMES whose server says it is WAHA Core (unreachable ones are left to
    the run, which routes around them)."""
    return [name for name, version in server_versions(settings, names).items() if str(version.get("tier") or "").upper() == "CORE"]


def server_versions(settings, names: list[str]) -> dict[str, dict]:
    """/api/server/version of each session among NAMES whose server answers (unreachable or
    refused ones are left out: the run routes around them)."""

    from nexus_blast.waha.errors import WahaError

    async def probe() -> dict[str, dict]:
        pool = ClientPool(settings, retries=0)
        try:
            found = {}
            for name in names:
                try:
                    version = await pool.for_session(name).server_version()
                except WahaError:
                    continue
                found[name] = version if isinstance(version, dict) else {}
            return found
        finally:
            await pool.aclose()

    return asyncio.run(probe())
