"""Holding a campaign's lease while it runs: claimed before the campaign is marked running,
renewed every third of `scheduler.lease_seconds`, released at the end. Whoever runs a campaign
(`blast send`, `campaign resume`, `run-due`, `worker`) holds it, so a `running` campaign whose lease
has expired really was left behind by a dead process, and is taken over (with reconcile)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

from nexus_blast.errors import InputError
from nexus_blast.i18n import _
from nexus_blast.store import campaigns as store
from nexus_blast.store import leases
from nexus_blast.store.db import iso


class CampaignBusy(InputError):
    """Another live process holds the campaign's lease."""


def new_owner() -> str:
    """`host:pid:random`: who holds a lease (the random part tells two runs of one pid apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def dead_here(owner: str) -> bool:
    """True when OWNER is a process of this host that no longer exists (as git does for gc.pid).
    Another host's process, or an unreadable owner, is never judged: its lease must expire."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: alive, someone else's
        return False
    return False


def _wall() -> datetime:
    # Leases are shared between processes: always real time, never a test's injected clock.
    return datetime.now(UTC)


class LeaseKeeper:
    """One campaign's lease for one run."""

    def __init__(self, db, campaign_id: int, owner: str, seconds: float) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.owner = owner
        self.seconds = float(seconds)
        self.lost = False

    def _until(self) -> str:
        return iso(_wall() + timedelta(seconds=self.seconds))

    def claim(self) -> None:
        """Take the lease (free, expired, already ours, or held by a process of this host that is
        gone: `kill -9` then `campaign resume` need not wait for the expiry), else raise
        CampaignBusy naming the holder."""
        if leases.try_claim(self.db, self.campaign_id, self.owner, iso(_wall()), self._until()):
            return
        holder, until = leases.holder(self.db, self.campaign_id)
        if holder and dead_here(holder) and leases.take_over(self.db, self.campaign_id, holder, self.owner, self._until()):
            return
        raise CampaignBusy(
            _("campaign {id} is being run by {holder} (lease until {until})").format(id=self.campaign_id, holder=holder, until=until),
            hint=_("wait for it, or pause it with: {command}").format(command=f"blast campaign pause {self.campaign_id}"),
        )

    def release(self) -> None:
        leases.release(self.db, self.campaign_id, self.owner)

    async def keep(self, on_stop) -> None:
        """Renew until cancelled. Calls ON_STOP("lease") when the lease was lost (taken over after
        expiry) and ON_STOP("status") when the campaign stopped being `running` (paused or
        cancelled by another command), so a run waiting for its window notices at once."""
        while True:
            await asyncio.sleep(self.seconds / 3)
            if not leases.renew(self.db, self.campaign_id, self.owner, self._until()):
                self.lost = True
                on_stop("lease")
                return
            if store.campaign_status(self.db, self.campaign_id) != "running":
                on_stop("status")
                return
