-- 0003: which scheduler process claimed a daily run.
--
-- Each scheduler process draws a random token at start and stores it with its claim. A guild is
-- served by exactly one process (shard filter), so a run still 'claimed' under a token that is
-- not the current process's was left by a process that died between claim and finish: the new
-- process reconciles it at once (looks for the post in the channel) instead of waiting.
-- NULL for rows claimed before this migration (or by an older bot): those fall back to the
-- staleness timeout.

ALTER TABLE daily_runs ADD COLUMN claim_token TEXT;
CREATE INDEX ix_daily_runs_claimed ON daily_runs (guild_id, status);
