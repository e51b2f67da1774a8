-- 0003: which scheduler process claimed a daily run.
--
-- Each scheduler process draws a random token at start and stores it with its claim. A run still
-- 'claimed' is reconciled (the channel is searched for the post, which is recorded if found, else
-- sent within the grace window, else the run fails with a reason) by the process that sees it:
--   * under its own token: at once (its own earlier attempt ended early, e.g. a transient error);
--   * under another process's token: after a short grace (FOREIGN_CLAIM_GRACE, 60 s, longer than
--     docker-compose's stop_grace_period), because during a deploy the old process may still be
--     finishing that send; a guild is served by one process, so after that the claimer is dead;
--   * NULL (rows claimed before this migration, or by an older bot): after STALE_CLAIM (10 min).
-- Taking a claim over (adopt) and finishing it (mark_posted / mark_failed) are compare-and-swap
-- on status = 'claimed' AND claim_token, so a process that lost its claim changes nothing.

ALTER TABLE daily_runs ADD COLUMN claim_token TEXT;
CREATE INDEX ix_daily_runs_claimed ON daily_runs (guild_id, status);
