"""Versioned schema. Append new migrations; never edit one that has shipped."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

migrations = Migrations("nexus_blast")


@migrations()
def m001_initial(db) -> None:
    db.executescript(
        """
        CREATE TABLE contact_lists (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            list_id INTEGER NOT NULL REFERENCES contact_lists(id) ON DELETE CASCADE,
            phone TEXT NOT NULL,               -- E.164
            kind TEXT NOT NULL,                -- mobile | landline | foreign
            fields TEXT NOT NULL DEFAULT '{}', -- JSON: every other CSV column
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (list_id, phone)
        );
        CREATE TABLE optouts (
            phone TEXT PRIMARY KEY,            -- E.164
            reason TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL
        );
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            status TEXT NOT NULL,              -- scheduled | running | paused | completed | failed | cancelled
            template TEXT NOT NULL,
            image TEXT,                        -- JSON {path|url, mimetype, filename, size, sha256}
            sessions TEXT NOT NULL,            -- JSON list of local session names
            delay_min REAL NOT NULL,
            delay_max REAL NOT NULL,
            options TEXT NOT NULL DEFAULT '{}',-- JSON: typing, ignore_window, ...
            source TEXT NOT NULL DEFAULT '',   -- file name or list:NAME
            scheduled_at TEXT,
            resume_on_due INTEGER NOT NULL DEFAULT 0,
            status_reason TEXT NOT NULL DEFAULT '',
            lease_owner TEXT,
            lease_expires_at TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX campaigns_due ON campaigns (status, scheduled_at);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,              -- order in the campaign
            row INTEGER,                       -- source CSV data row (1 = first)
            phone TEXT NOT NULL,               -- E.164
            fields TEXT NOT NULL DEFAULT '{}',
            text TEXT NOT NULL,                -- rendered once, before the first send
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            session TEXT,                      -- local session name that sends / sent it
            chat_id TEXT,
            message_id TEXT,                   -- WAHA serialized id true_<chat>_<id>
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            ack INTEGER,
            sending_at TEXT,
            sent_at TEXT,
            delivered_at TEXT,
            read_at TEXT,
            next_attempt_at TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (campaign_id, phone),
            UNIQUE (campaign_id, seq)
        );
        CREATE INDEX messages_status ON messages (campaign_id, status, seq);
        CREATE INDEX messages_session_sent ON messages (session, sent_at);
        CREATE INDEX messages_message_id ON messages (message_id);
        CREATE INDEX messages_phone ON messages (phone, status);
        CREATE TABLE recipients (
            phone TEXT PRIMARY KEY,            -- E.164
            on_whatsapp INTEGER NOT NULL,
            chat_id TEXT,
            checked_at TEXT NOT NULL
        );
        CREATE TABLE session_health (
            session TEXT PRIMARY KEY,          -- local session name
            status TEXT NOT NULL,              -- last WAHA status seen
            healthy INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            until TEXT,                        -- not to be used for new contacts before this
            updated_at TEXT NOT NULL
        );
        CREATE TABLE webhook_events (
            id TEXT PRIMARY KEY,
            event TEXT NOT NULL,
            session TEXT,
            received_at TEXT NOT NULL
        );
        CREATE TABLE ai_generations (
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt TEXT NOT NULL,
            output TEXT NOT NULL,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m002_session_cap_index(db) -> None:
    # The daily cap counts a session's in-flight (`sending`) messages of the day at every send.
    db.executescript("CREATE INDEX IF NOT EXISTS messages_session_sending ON messages (session, status, sending_at);")


@migrations()
def m003_session_sent_cap_index(db) -> None:
    # The daily cap's count of a session's `sent` messages of the day, read from the index alone
    # (messages_session_sent has no status: every entry of the day cost a table row look-up).
    db.executescript("CREATE INDEX IF NOT EXISTS messages_session_status_sent ON messages (session, status, sent_at);")


@migrations()
def m004_message_planned_id(db) -> None:
    # The id blast gives a message before its first attempt (servers that accept one in send
    # bodies): an unknown outcome is then decided by reading that message back, not by its text.
    db.executescript("ALTER TABLE messages ADD COLUMN planned_id TEXT;")


@migrations()
def m006_webhook_session_status(db) -> None:
    # WAHA retries deliver old session.status events late, and NOWEB repeats STARTING while it
    # reconnects: the newest status seen per local session decides whether an event changes anything.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS webhook_session_status (
            session TEXT PRIMARY KEY,          -- local session name
            status TEXT NOT NULL,              -- newest WAHA status seen by webhook
            event_at TEXT NOT NULL,            -- its envelope timestamp (ISO UTC)
            received_at TEXT NOT NULL
        );
        """
    )


def refuse_newer(db, path) -> None:
    """StorageError when the database at PATH records migrations this code does not know: a newer
    nexus_blast wrote it, and running older code on its schema would corrupt what it relies on."""
    from nexus_blast.errors import StorageError

    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise StorageError(
            f"{path}: written by a newer nexus_blast ({', '.join(unknown)}): upgrade",
            hint="install the newer nexus_blast (pip install -U nexus-blast), or use another --db",
        )
