"""AI generations: what was asked of which provider and model, what came back, the tokens used."""

from __future__ import annotations

from dataclasses import dataclass

from nexus_blast.store.db import utcnow


@dataclass(frozen=True)
class Generation:
    id: int
    provider: str
    model: str
    prompt: str
    output: str
    prompt_tokens: int | None
    completion_tokens: int | None
    created_at: str


def record_generation(
    db,
    *,
    provider: str,
    model: str,
    prompt: str,
    output: str,
    prompt_tokens: int | None,
    completion_tokens: int | None,
) -> int:
    """Store one completion (even an unusable one: it was paid for); returns its id."""
    cursor = db.conn.execute(
        "INSERT INTO ai_generations (provider, model, prompt, output, prompt_tokens, completion_tokens, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (provider, model, prompt, output, prompt_tokens, completion_tokens, utcnow()),
    )
    return int(cursor.lastrowid)


def recent_generations(db, limit: int = 20) -> list[Generation]:
    """The latest generations, newest first."""
    rows = db.conn.execute(
        "SELECT id, provider, model, prompt, output, prompt_tokens, completion_tokens, created_at"
        " FROM ai_generations ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [Generation(*tuple(row)) for row in rows]
