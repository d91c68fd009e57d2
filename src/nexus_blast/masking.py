"""Masking secrets for output: keys (`mask`) and URLs that carry credentials (`mask_url`).

The one place anything printed, logged or put into an error passes a secret through; kept free of
heavy imports so the CLI can use it at import time."""

from __future__ import annotations


def mask(secret: str) -> str:
    """`gsk_…9f2a`: enough to recognise a key, never enough to use it."""
    if not secret:
        return ""
    if len(secret) < 16:  # a short key would be mostly shown: show its end only, or nothing
        return f"…{secret[-2:]}" if len(secret) >= 8 else "…"
    return f"{secret[:4]}…{secret[-4:]}"


def mask_url(url: str) -> str:
    """URL with its credentials masked: `http://user:…@host:3000/?key=…` (user info and every query
    value may hold a key); the scheme, host, port and path stay so the server is recognisable."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "…"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = (f"{user}:…" if colon else "…") + "@" + hostport
    # `?key=abc` keeps the name; a bare `?abc` may be the key itself.
    query = "&".join(p.split("=", 1)[0] + "=…" if "=" in p else "…" for p in parts.query.split("&")) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, "…" if parts.fragment else ""))
