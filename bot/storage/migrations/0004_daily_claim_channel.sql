-- 0004: which channel a daily run was claimed for.
--
-- A claim left unfinished by a crash is reconciled by searching a channel for the bot's post of
-- that day. /daily set may move the daily channel between the crash and the restart; searching the
-- schedule's NEW channel would miss a post that went out in the old one and post the day twice.
-- So the claim records the channel it is about to post in, and reconciliation searches that one:
--   * found there: recorded as the day's post, nothing is sent;
--   * that channel deleted or unreadable: the run fails with a reason (never re-sent elsewhere);
--   * not found (the send never happened) and still inside grace: the claim is moved to the
--     schedule's current channel (compare-and-swap on the token) before the day is posted there.
-- NULL: rows claimed before this migration (or skips); they fall back to the schedule's channel.
-- Not a foreign key: Discord snowflake, like every other channel_id.

ALTER TABLE daily_runs ADD COLUMN channel_id INTEGER;
