-- 0002: timed mock interviews in private threads (/mock).
--
-- A session is one member's run through planned questions in one private thread. Its state lives
-- here (not in memory) so a restart in the middle of an interview continues it.
-- Each asked question also gets a question_posts row (source 'mock', private) so answers flow
-- through the ordinary answer pipeline; question_posts.thread_id is UNIQUE, so only the session
-- row carries the thread id.

CREATE TABLE mock_sessions (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL, -- the text channel the private thread was opened in
    thread_id        INTEGER NOT NULL UNIQUE,
    member_id        INTEGER NOT NULL,
    question_ids     TEXT NOT NULL, -- JSON array of pack question ids, in asking order
    budget_seconds   INTEGER NOT NULL CHECK (budget_seconds > 0),
    current_index    INTEGER NOT NULL DEFAULT 0 CHECK (current_index >= 0),
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'stopped')),
    intro_message_id INTEGER,
    started_at       TEXT NOT NULL,
    ended_at         TEXT
);
-- At most one unfinished mock per member and guild, enforced by SQLite even under a double click.
CREATE UNIQUE INDEX ux_mock_sessions_one_active ON mock_sessions (guild_id, member_id)
    WHERE status = 'active';
CREATE INDEX ix_mock_sessions_member ON mock_sessions (member_id);

-- One row per asked question; answer_id/answered_at are set by the first answer that counted.
CREATE TABLE mock_turns (
    session_id  INTEGER NOT NULL REFERENCES mock_sessions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id TEXT NOT NULL,
    post_id     INTEGER REFERENCES question_posts (id) ON DELETE SET NULL,
    asked_at    TEXT NOT NULL,
    answer_id   INTEGER REFERENCES answers (id) ON DELETE SET NULL,
    answered_at TEXT,
    PRIMARY KEY (session_id, position)
) WITHOUT ROWID;
CREATE INDEX ix_mock_turns_post ON mock_turns (post_id);
CREATE INDEX ix_mock_turns_answer ON mock_turns (answer_id);
