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
def m005_session_day_counts(db) -> None:
    # The daily cap read from a counter instead of counting the day's messages at every send (the
    # count grew with the day: a day's campaign was quadratic). One row per session and local day
    # (`day` = the ISO UTC instant that day starts in general.timezone, as start_sending is given);
    # `taken` = messages that went pending → sending that day and are sending or sent (the cap),
    # `sent` = those of them that reached `sent` (`session list`). A message records the day whose
    # slot it holds in `cap_day`; triggers keep the counter in the same statement as every status
    # change, whichever code path or process makes it, so it stays exact.
    # Messages moved before this migration (cap_day NULL) are counted once per session and day by
    # start_sending / sent_today_counts through the small partial index messages_uncounted.
    db.executescript(
        """
        ALTER TABLE messages ADD COLUMN cap_day TEXT;
        CREATE TABLE session_day_counts (
            day TEXT NOT NULL,
            session TEXT NOT NULL,
            taken INTEGER NOT NULL DEFAULT 0,
            sent INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, session)
        ) WITHOUT ROWID;
        CREATE INDEX messages_uncounted ON messages (status, sent_at, session)
            WHERE cap_day IS NULL AND status IN ('sending', 'sent');
        CREATE TRIGGER messages_cap_take AFTER UPDATE OF status ON messages
        WHEN NEW.status = 'sending' AND OLD.status <> 'sending' AND NEW.cap_day IS NOT NULL
        BEGIN
            INSERT INTO session_day_counts (day, session, taken) VALUES (NEW.cap_day, NEW.session, 1)
            ON CONFLICT (day, session) DO UPDATE SET taken = taken + 1;
        END;
        CREATE TRIGGER messages_cap_sent AFTER UPDATE OF status ON messages
        WHEN OLD.status = 'sending' AND NEW.status = 'sent' AND OLD.cap_day IS NOT NULL
        BEGIN
            UPDATE session_day_counts SET sent = sent + 1 WHERE day = OLD.cap_day AND session = OLD.session;
        END;
        CREATE TRIGGER messages_cap_release AFTER UPDATE OF status ON messages
        WHEN OLD.status = 'sending' AND NEW.status IN ('pending', 'failed', 'skipped') AND OLD.cap_day IS NOT NULL
        BEGIN
            UPDATE session_day_counts SET taken = taken - 1 WHERE day = OLD.cap_day AND session = OLD.session;
            UPDATE messages SET cap_day = NULL WHERE id = NEW.id;
        END;
        CREATE TRIGGER messages_cap_forget AFTER DELETE ON messages
        WHEN OLD.status IN ('sending', 'sent') AND OLD.cap_day IS NOT NULL
        BEGIN
            UPDATE session_day_counts SET taken = taken - 1, sent = sent - (OLD.status = 'sent')
            WHERE day = OLD.cap_day AND session = OLD.session;
        END;
        -- start_sending no longer counts a session's in-flight messages (m002's only reader)
        DROP INDEX IF EXISTS messages_session_sending;
        -- @lid acks share only the id part after the chat with the id we stored (true_<chat>_<id>)
        CREATE INDEX messages_bare_id ON messages (substr(message_id, instr(substr(message_id, 6), '_') + 6));

        -- Listings read counters, never every contact or message: `contacts lists` the per-list
        -- counts below, `campaign list` / `show` campaign_counts; triggers keep both exact.
        ALTER TABLE contact_lists ADD COLUMN n_contacts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contact_lists ADD COLUMN n_mobile INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contact_lists ADD COLUMN n_landline INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contact_lists ADD COLUMN n_foreign INTEGER NOT NULL DEFAULT 0;
        UPDATE contact_lists SET
            n_contacts = (SELECT count(*) FROM contacts WHERE list_id = contact_lists.id),
            n_mobile = (SELECT count(*) FROM contacts WHERE list_id = contact_lists.id AND kind = 'mobile'),
            n_landline = (SELECT count(*) FROM contacts WHERE list_id = contact_lists.id AND kind = 'landline'),
            n_foreign = (SELECT count(*) FROM contacts WHERE list_id = contact_lists.id AND kind = 'foreign');
        CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts
        BEGIN
            UPDATE contact_lists SET n_contacts = n_contacts + 1, n_mobile = n_mobile + (NEW.kind = 'mobile'),
                n_landline = n_landline + (NEW.kind = 'landline'), n_foreign = n_foreign + (NEW.kind = 'foreign')
            WHERE id = NEW.list_id;
        END;
        CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts
        BEGIN
            UPDATE contact_lists SET n_contacts = n_contacts - 1, n_mobile = n_mobile - (OLD.kind = 'mobile'),
                n_landline = n_landline - (OLD.kind = 'landline'), n_foreign = n_foreign - (OLD.kind = 'foreign')
            WHERE id = OLD.list_id;
        END;
        CREATE TRIGGER contacts_count_update AFTER UPDATE OF kind, list_id ON contacts
        WHEN OLD.kind IS NOT NEW.kind OR OLD.list_id IS NOT NEW.list_id
        BEGIN
            UPDATE contact_lists SET n_contacts = n_contacts - 1, n_mobile = n_mobile - (OLD.kind = 'mobile'),
                n_landline = n_landline - (OLD.kind = 'landline'), n_foreign = n_foreign - (OLD.kind = 'foreign')
            WHERE id = OLD.list_id;
            UPDATE contact_lists SET n_contacts = n_contacts + 1, n_mobile = n_mobile + (NEW.kind = 'mobile'),
                n_landline = n_landline + (NEW.kind = 'landline'), n_foreign = n_foreign + (NEW.kind = 'foreign')
            WHERE id = NEW.list_id;
        END;

        CREATE TABLE campaign_counts (
            campaign_id INTEGER NOT NULL,
            status TEXT NOT NULL,
            messages INTEGER NOT NULL DEFAULT 0,
            delivered INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, status)
        ) WITHOUT ROWID;
        INSERT INTO campaign_counts (campaign_id, status, messages, delivered, read)
            SELECT campaign_id, status, count(*), count(delivered_at), count(read_at) FROM messages GROUP BY 1, 2;
        CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
        BEGIN
            INSERT INTO campaign_counts (campaign_id, status, messages, delivered, read)
            VALUES (NEW.campaign_id, NEW.status, 1, NEW.delivered_at IS NOT NULL, NEW.read_at IS NOT NULL)
            ON CONFLICT (campaign_id, status) DO UPDATE SET messages = messages + 1,
                delivered = delivered + excluded.delivered, read = read + excluded.read;
        END;
        CREATE TRIGGER messages_count_delete AFTER DELETE ON messages
        BEGIN
            UPDATE campaign_counts SET messages = messages - 1, delivered = delivered - (OLD.delivered_at IS NOT NULL),
                read = read - (OLD.read_at IS NOT NULL)
            WHERE campaign_id = OLD.campaign_id AND status = OLD.status;
        END;
        CREATE TRIGGER messages_count_update AFTER UPDATE OF status, delivered_at, read_at, campaign_id ON messages
        WHEN OLD.status IS NOT NEW.status OR OLD.campaign_id IS NOT NEW.campaign_id
          OR (OLD.delivered_at IS NULL) <> (NEW.delivered_at IS NULL) OR (OLD.read_at IS NULL) <> (NEW.read_at IS NULL)
        BEGIN
            UPDATE campaign_counts SET messages = messages - 1, delivered = delivered - (OLD.delivered_at IS NOT NULL),
                read = read - (OLD.read_at IS NOT NULL)
            WHERE campaign_id = OLD.campaign_id AND status = OLD.status;
            INSERT INTO campaign_counts (campaign_id, status, messages, delivered, read)
            VALUES (NEW.campaign_id, NEW.status, 1, NEW.delivered_at IS NOT NULL, NEW.read_at IS NOT NULL)
            ON CONFLICT (campaign_id, status) DO UPDATE SET messages = messages + 1,
                delivered = delivered + excluded.delivered, read = read + excluded.read;
        END;
        CREATE TRIGGER campaigns_count_delete AFTER DELETE ON campaigns
        BEGIN
            DELETE FROM campaign_counts WHERE campaign_id = OLD.id;
        END;
        -- `optout list` streams in its order instead of sorting the whole list
        CREATE INDEX IF NOT EXISTS optouts_added ON optouts (added_at, phone);
        """
    )


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


@migrations()
def m007_message_variant_and_reply(db) -> None:
    # The text variant a message was given (0 = the only or first text), and the contact's reply to
    # it: when it came and its first 160 characters (LGPD: nothing more is kept, and purge clears it).
    db.executescript(
        """
        ALTER TABLE messages ADD COLUMN variant INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN replied_at TEXT;
        ALTER TABLE messages ADD COLUMN reply TEXT;
        """
    )


@migrations()
def m012_message_lead_id(db) -> None:
    # A voice note goes out as two sends (the text, then the note; or the note first with
    # --media-first): the first one's serialized id, committed once it is sent, so a resume after a
    # crash between the two sends only the second.
    db.executescript("ALTER TABLE messages ADD COLUMN lead_id TEXT;")


@migrations()
def m009_session_signals(db) -> None:
    # WhatsApp's signals about each number (WAHA's me.messageCapping / me.reachoutTimelock), the
    # limits they put on its lane and the failure brake, as last seen: `session list/show` read
    # them; `lane_events` logs every change with its reason (the notifications hook reads it).
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS session_signals (
            session TEXT PRIMARY KEY,          -- local session name
            signals TEXT NOT NULL DEFAULT '{}',-- JSON {capping, timelock} as last read (nulls: not reported)
            code TEXT NOT NULL DEFAULT '',     -- limits they impose: first_warning | second_warning | capped | timelock | ''
            reason TEXT NOT NULL DEFAULT '',
            until TEXT,                        -- when those limits end (ISO UTC), if known
            checked_at TEXT,                   -- last reading (ISO UTC)
            problem TEXT NOT NULL DEFAULT '',  -- what was wrong with the last reading
            brake_reason TEXT NOT NULL DEFAULT '',
            braked_at TEXT,                    -- sends before this no longer count for the brake
            brake_until TEXT,                  -- the lane rests until then
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS lane_events (
            id INTEGER PRIMARY KEY,
            session TEXT NOT NULL,
            campaign_id INTEGER,               -- the run that saw it (NULL: outside a campaign)
            kind TEXT NOT NULL,                -- first_warning | second_warning | capped | timelock | brake | cleared | signal_problem
            reason TEXT NOT NULL DEFAULT '',
            until TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS lane_events_campaign ON lane_events (campaign_id, id);
        """
    )


@migrations()
def m010_replies_variants_warm(db) -> None:
    # Replies (issue 14): messages held back by an A/B test (`held`), an opt-out keyword attributed to the campaign message it answered
    # (`opted_out_at`), per-variant counters kept by triggers as campaign_counts is (listings and
    # `campaign show` never scan a campaign's messages), the sessions each contact has written to
    # (warm contacts), and indexes to find the message a reply answers and the texts to purge.
    db.executescript(
        """
        ALTER TABLE messages ADD COLUMN opted_out_at TEXT;
        -- `send --ab-test`: pending messages kept back until the A/B test names the leader
        ALTER TABLE messages ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS messages_chat_id ON messages (chat_id) WHERE chat_id LIKE '%@lid';
        CREATE INDEX IF NOT EXISTS messages_reply_kept ON messages (replied_at) WHERE reply IS NOT NULL;

        CREATE TABLE variant_counts (
            campaign_id INTEGER NOT NULL,
            variant INTEGER NOT NULL,
            status TEXT NOT NULL,
            messages INTEGER NOT NULL DEFAULT 0,
            delivered INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            replied INTEGER NOT NULL DEFAULT 0,
            opted_out INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, variant, status)
        ) WITHOUT ROWID;
        INSERT INTO variant_counts (campaign_id, variant, status, messages, delivered, read, replied, opted_out)
            SELECT campaign_id, variant, status, count(*), count(delivered_at), count(read_at), count(replied_at), 0
            FROM messages GROUP BY 1, 2, 3;
        CREATE TRIGGER messages_vcount_insert AFTER INSERT ON messages
        BEGIN
            INSERT INTO variant_counts (campaign_id, variant, status, messages, delivered, read, replied, opted_out)
            VALUES (NEW.campaign_id, NEW.variant, NEW.status, 1, NEW.delivered_at IS NOT NULL, NEW.read_at IS NOT NULL,
                    NEW.replied_at IS NOT NULL, NEW.opted_out_at IS NOT NULL)
            ON CONFLICT (campaign_id, variant, status) DO UPDATE SET messages = messages + 1,
                delivered = delivered + excluded.delivered, read = read + excluded.read,
                replied = replied + excluded.replied, opted_out = opted_out + excluded.opted_out;
        END;
        CREATE TRIGGER messages_vcount_delete AFTER DELETE ON messages
        BEGIN
            UPDATE variant_counts SET messages = messages - 1, delivered = delivered - (OLD.delivered_at IS NOT NULL),
                read = read - (OLD.read_at IS NOT NULL), replied = replied - (OLD.replied_at IS NOT NULL),
                opted_out = opted_out - (OLD.opted_out_at IS NOT NULL)
            WHERE campaign_id = OLD.campaign_id AND variant = OLD.variant AND status = OLD.status;
        END;
        CREATE TRIGGER messages_vcount_update
        AFTER UPDATE OF status, delivered_at, read_at, replied_at, opted_out_at, variant, campaign_id ON messages
        WHEN OLD.status IS NOT NEW.status OR OLD.campaign_id IS NOT NEW.campaign_id OR OLD.variant IS NOT NEW.variant
          OR (OLD.delivered_at IS NULL) <> (NEW.delivered_at IS NULL) OR (OLD.read_at IS NULL) <> (NEW.read_at IS NULL)
          OR (OLD.replied_at IS NULL) <> (NEW.replied_at IS NULL) OR (OLD.opted_out_at IS NULL) <> (NEW.opted_out_at IS NULL)
        BEGIN
            UPDATE variant_counts SET messages = messages - 1, delivered = delivered - (OLD.delivered_at IS NOT NULL),
                read = read - (OLD.read_at IS NOT NULL), replied = replied - (OLD.replied_at IS NOT NULL),
                opted_out = opted_out - (OLD.opted_out_at IS NOT NULL)
            WHERE campaign_id = OLD.campaign_id AND variant = OLD.variant AND status = OLD.status;
            INSERT INTO variant_counts (campaign_id, variant, status, messages, delivered, read, replied, opted_out)
            VALUES (NEW.campaign_id, NEW.variant, NEW.status, 1, NEW.delivered_at IS NOT NULL, NEW.read_at IS NOT NULL,
                    NEW.replied_at IS NOT NULL, NEW.opted_out_at IS NOT NULL)
            ON CONFLICT (campaign_id, variant, status) DO UPDATE SET messages = messages + 1,
                delivered = delivered + excluded.delivered, read = read + excluded.read,
                replied = replied + excluded.replied, opted_out = opted_out + excluded.opted_out;
        END;
        CREATE TRIGGER campaigns_vcount_delete AFTER DELETE ON campaigns
        BEGIN
            DELETE FROM variant_counts WHERE campaign_id = OLD.id;
        END;

        CREATE TABLE warm_contacts (
            phone TEXT NOT NULL,               -- E.164
            session TEXT NOT NULL,             -- local session name the contact wrote to
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            PRIMARY KEY (phone, session)
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m008_lane_rests(db) -> None:
    # Rests between batches, per lane (campaign × session): the sends of the batch so far, the size
    # it was drawn to and the end of a rest, so a resumed campaign neither resets nor skips a rest.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS lane_rests (
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            session TEXT NOT NULL,             -- local session name
            sent_in_batch INTEGER NOT NULL DEFAULT 0,
            batch_target INTEGER,              -- NULL: not drawn yet
            rest_until TEXT,                   -- ISO UTC; NULL: not resting
            updated_at TEXT NOT NULL,
            PRIMARY KEY (campaign_id, session)
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m011_confirm_first(db) -> None:
    # Confirm-first campaigns (`send --confirm-first`): one row per contact lives two phases. While
    # `phase` is 'ask', `text` is the question and `offer` the rendered real message; a reply within
    # the window moves the row (sent, ask) → (pending, offer) with `text` = the offer, `asked_at` =
    # when the question went out and `confirmed_at` = when the reply came (the question's reply
    # text itself is not kept); no reply by then → (skipped, ask) `no_confirmation`.
    # Ordinary campaigns' rows are 'offer' from the start.
    db.executescript(
        """
        ALTER TABLE messages ADD COLUMN phase TEXT NOT NULL DEFAULT 'offer' CHECK (phase IN ('ask', 'offer'));
        ALTER TABLE messages ADD COLUMN offer TEXT;
        ALTER TABLE messages ADD COLUMN asked_at TEXT;
        ALTER TABLE messages ADD COLUMN confirmed_at TEXT;
        -- the questions out and awaiting a reply: read at every confirm-first pass
        CREATE INDEX messages_asking ON messages (campaign_id, status, sent_at) WHERE phase = 'ask';
        """
    )


@migrations()
def m013_notifications(db) -> None:
    # Operator notifications (nexus_blast.notify): the last one of each campaign and event kind, so
    # at most one goes out per notify.min_interval, whichever process sends it (campaign_id 0: not
    # about a campaign, e.g. `blast notify test`); and when each channel last sent one, so the
    # operator's WhatsApp is paced. Kept apart from messages and the daily-cap counters on purpose.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS notifications (
            campaign_id INTEGER NOT NULL,
            kind TEXT NOT NULL,                -- paused | failed | completed | lane_braked | lane_timelocked
            sent_at TEXT NOT NULL,             -- ISO UTC: when the last one was claimed
            reason TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (campaign_id, kind)
        );
        CREATE TABLE IF NOT EXISTS notify_channels (
            channel TEXT PRIMARY KEY,          -- whatsapp | url
            last_at TEXT NOT NULL              -- ISO UTC of its last delivery attempt
        );
        """
    )


@migrations()
def m014_leaner_send_path(db) -> None:
    # Each send commits two status changes on its message (pending → sending, sending → sent);
    # their cost was mostly index entries and counter triggers that duplicate others:
    # - campaign_counts (m005) is variant_counts (m010) summed over variants: the same messages,
    #   delivered and read per (campaign, status), kept by triggers on the same changes. Listings
    #   now read variant_counts alone (counts_by_campaign), so one counter row moves per change.
    # - messages_phone carried the status: every status change rewrote its entry. Its readers look
    #   up a few phones each (last_senders, a reply's message, an opt-out's pending messages), and
    #   a phone has one message per campaign that reached it: (phone) alone keeps them index-driven.
    # - messages_session_sent (session, sent_at): sent_at is only ever set with status 'sent' (kept
    #   when a confirm-first question closes as 'skipped'), so its one reader, last_sent_at, reads
    #   messages_session_status_sent (session, status, sent_at) for those two statuses instead.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS messages_count_insert;
        DROP TRIGGER IF EXISTS messages_count_delete;
        DROP TRIGGER IF EXISTS messages_count_update;
        DROP TRIGGER IF EXISTS campaigns_count_delete;
        DROP TABLE IF EXISTS campaign_counts;
        DROP INDEX IF EXISTS messages_phone;
        CREATE INDEX messages_phone ON messages (phone);
        DROP INDEX IF EXISTS messages_session_sent;
        """
    )


@migrations()
def m015_partial_send_indexes(db) -> None:
    # A send moves its message pending → sending → sent; every index whose key or WHERE holds a
    # column it changes is rewritten at each step. Three of them only serve look-ups of messages
    # already sent, so a message gets its entries there once, at `sent`, and none while pending:
    # - messages_session_status_sent (session, status, sent_at): read for sent_at (last_sent_at,
    #   sent_since, recent_sends); start_sending's status and session no longer touch it.
    # - messages_message_id and messages_bare_id: WAHA's id, set at `sent` (webhook acks,
    #   message_id_known); a pending message has none.
    # SQLite uses a partial index only when the query's WHERE implies the index's, so their readers
    # say `sent_at IS NOT NULL` / `message_id IS NOT NULL`.
    # messages_session_failed: the failure brake's read of a session's recent failures (recent_sends)
    # walked every failed message of the session through (session, status) and sorted them; it now
    # reads the newest LIMIT along (session, sending_at) of failed ones only (12,500 failures and
    # 12,500 sends on a session: 7.3 ms → 0.06 ms per read).
    db.executescript(
        """
        DROP INDEX IF EXISTS messages_session_status_sent;
        CREATE INDEX messages_session_status_sent ON messages (session, status, sent_at) WHERE sent_at IS NOT NULL;
        DROP INDEX IF EXISTS messages_message_id;
        CREATE INDEX messages_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
        DROP INDEX IF EXISTS messages_bare_id;
        CREATE INDEX messages_bare_id ON messages (substr(message_id, instr(substr(message_id, 6), '_') + 6))
            WHERE message_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS messages_session_failed ON messages (session, sending_at) WHERE status = 'failed';
        """
    )


def refuse_newer(db, path) -> None:
    """StorageError when the database at PATH records migrations this code does not know: a newer
    nexus_blast wrote it, and running older code on its schema would corrupt what it relies on."""
    from nexus_blast.errors import StorageError

    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        from nexus_blast.i18n import _

        raise StorageError(
            _("{path}: written by a newer nexus_blast ({migrations}): upgrade").format(path=path, migrations=", ".join(unknown)),
            hint=_("install the newer nexus_blast (pip install -U nexus-blast), or use another --db"),
        )
