-- 0001: the whole product schema.
--
-- Conventions (see bot/storage/_convert.py):
--   * Discord snowflakes are INTEGER.
--   * Timestamps are UTC ISO-8601 TEXT with a fixed width and an explicit offset,
--     e.g. '2026-11-26T03:33:00.000000+00:00', so text order is time order.
--   * Local calendar dates (daily schedules) are 'YYYY-MM-DD' TEXT.
--   * Booleans are INTEGER 0/1 with a CHECK.
--   * guild_id is not a foreign key: rows are written before (or without) a guild_settings row.
-- The migrator wraps this file in one transaction together with PRAGMA user_version = 1;
-- do not put BEGIN/COMMIT here.

CREATE TABLE guild_settings (
    guild_id          INTEGER PRIMARY KEY,
    anonymous_reviews INTEGER NOT NULL DEFAULT 0 CHECK (anonymous_reviews IN (0, 1)),
    pack_id           TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE question_posts (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL UNIQUE,
    thread_id   INTEGER UNIQUE,
    question_id TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('command', 'daily', 'practice', 'mock')),
    posted_by   INTEGER,
    is_private  INTEGER NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1)),
    posted_at   TEXT NOT NULL,
    archived_at TEXT
);
-- latest daily post of a guild; rotation (question ids posted by source, in order)
CREATE INDEX ix_question_posts_guild_source_posted ON question_posts (guild_id, source, posted_at);
CREATE INDEX ix_question_posts_posted_by ON question_posts (posted_by);

CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    post_id     INTEGER REFERENCES question_posts (id) ON DELETE SET NULL,
    question_id TEXT NOT NULL,
    category    TEXT NOT NULL,
    channel_id  INTEGER,
    thread_id   INTEGER,
    message_id  INTEGER UNIQUE,
    member_id   INTEGER NOT NULL,
    text        TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('message', 'modal')),
    created_at  TEXT NOT NULL,
    edited_at   TEXT,
    deleted_at  TEXT
);
CREATE INDEX ix_answers_member ON answers (guild_id, member_id, created_at);
CREATE INDEX ix_answers_question ON answers (guild_id, question_id, member_id);
CREATE INDEX ix_answers_guild_created ON answers (guild_id, created_at);
CREATE INDEX ix_answers_post ON answers (post_id);
CREATE INDEX ix_answers_thread ON answers (thread_id);
CREATE INDEX ix_answers_member_all ON answers (member_id);

-- Latest coaching of an answer (an edited answer is re-coached and replaces the row).
CREATE TABLE coaching_results (
    answer_id        INTEGER PRIMARY KEY REFERENCES answers (id) ON DELETE CASCADE,
    score            INTEGER NOT NULL,
    coverage         REAL CHECK (coverage IS NULL OR (coverage >= 0 AND coverage <= 1)),
    pointers_total   INTEGER NOT NULL CHECK (pointers_total >= 0),
    pointers_covered INTEGER NOT NULL CHECK (pointers_covered >= 0 AND pointers_covered <= pointers_total),
    star             TEXT, -- JSON object of StarResult booleans, NULL when not behavioural
    created_at       TEXT NOT NULL
);

-- Child table so "most frequent red flags" is a GROUP BY.
CREATE TABLE answer_red_flags (
    answer_id INTEGER NOT NULL REFERENCES coaching_results (answer_id) ON DELETE CASCADE,
    flag_id   TEXT NOT NULL,
    scope     TEXT NOT NULL CHECK (scope IN ('question', 'global')),
    PRIMARY KEY (answer_id, flag_id)
) WITHOUT ROWID;
CREATE INDEX ix_answer_red_flags_flag ON answer_red_flags (flag_id);

CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY,
    answer_id   INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    reviewer_id INTEGER, -- NULL once the reviewer's data was deleted (review anonymised)
    guild_id    INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    anonymous   INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    message_id  INTEGER UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    removed_at  TEXT,
    removed_by  INTEGER,
    UNIQUE (answer_id, reviewer_id)
);
CREATE INDEX ix_reviews_reviewer ON reviews (guild_id, reviewer_id);
CREATE INDEX ix_reviews_reviewer_all ON reviews (reviewer_id);

CREATE TABLE review_scores (
    review_id    INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    dimension_id TEXT NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (review_id, dimension_id)
) WITHOUT ROWID;

-- One daily schedule per guild. days: bit i set = weekday i (Monday = 0, as date.weekday()).
CREATE TABLE daily_schedules (
    guild_id      INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL,
    local_time    TEXT NOT NULL CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone      TEXT NOT NULL,
    role_id       INTEGER,
    days          INTEGER NOT NULL DEFAULT 127 CHECK (days BETWEEN 1 AND 127),
    category      TEXT,
    grace_hours   INTEGER NOT NULL DEFAULT 6 CHECK (grace_hours >= 0),
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    skip_date     TEXT,
    last_error    TEXT,
    last_error_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX ix_daily_schedules_enabled ON daily_schedules (enabled);

-- One row per guild and local date: the restart-safety key of the daily scheduler.
CREATE TABLE daily_runs (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('claimed', 'posted', 'skipped', 'failed')),
    due_at     TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    posted_at  TEXT,
    post_id    INTEGER REFERENCES question_posts (id) ON DELETE SET NULL,
    reason     TEXT,
    UNIQUE (guild_id, local_date)
);
CREATE INDEX ix_daily_runs_post ON daily_runs (post_id);

CREATE TABLE members (
    guild_id            INTEGER NOT NULL,
    member_id           INTEGER NOT NULL,
    timezone            TEXT,
    leaderboard_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (leaderboard_opt_out IN (0, 1)),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (guild_id, member_id)
) WITHOUT ROWID;
CREATE INDEX ix_members_member ON members (member_id);
