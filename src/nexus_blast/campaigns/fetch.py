"""Fetching a media URL once, before the campaign is stored: bounded in size, time and redirects,
so a URL that does not answer, answers an error or HTML, or redirects in a loop is refused before
anything is stored (the caller checks the content)."""

from __future__ import annotations

import email.message

from nexus_blast.errors import InputError
from nexus_blast.i18n import _, number

MAX_REDIRECTS = 5
TIMEOUT = 20.0


def _disposition_name(header: str | None) -> str | None:
    if not header:
        return None
    message = email.message.Message()
    message["content-disposition"] = header
    return message.get_filename() or None


def fetch_url(url: str, limit: int, *, timeout: float = TIMEOUT, transport=None) -> tuple[bytes, str]:
    """(the bytes URL answers, its file name); InputError naming URL when it cannot be had or is
    over LIMIT bytes."""
    import httpx

    from nexus_blast.campaigns.media import url_name

    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout, transport=transport) as client:
            with client.stream("GET", url, headers={"Accept": "*/*"}) as response:
                if response.status_code >= 400:
                    raise InputError(_("{url}: answered HTTP {code}").format(url=url, code=response.status_code))
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise InputError(_("{url}: is {size} MiB, over the {limit} MiB limit").format(
                        url=url, size=number(int(declared) / 1048576, 1), limit=number(limit / 1048576)))
                chunks, total = [], 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > limit:
                        raise InputError(_("{url}: is over the {limit} MiB limit").format(url=url, limit=number(limit / 1048576)))
                    chunks.append(chunk)
                final = str(response.url)
                name = _disposition_name(response.headers.get("content-disposition"))
    except httpx.TooManyRedirects:
        raise InputError(_("{url}: redirects more than {n} times (a loop?)").format(url=url, n=MAX_REDIRECTS)) from None
    except httpx.TimeoutException:
        raise InputError(_("{url}: no answer within {s}s").format(url=url, s=number(float(timeout)))) from None
    except httpx.HTTPError as exc:
        raise InputError(_("{url}: cannot be fetched ({reason})").format(url=url, reason=type(exc).__name__)) from None
    return b"".join(chunks), name or url_name(final, "file")
