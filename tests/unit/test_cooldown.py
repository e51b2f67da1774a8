from datetime import UTC, datetime, timedelta

from bot.domain.cooldown import Cooldown

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_first_use_is_free_and_records_block_until_period_passes() -> None:
    cooldown = Cooldown(timedelta(minutes=2))
    assert cooldown.retry_after("a", T0) is None
    cooldown.record("a", T0)
    assert cooldown.retry_after("a", T0 + timedelta(seconds=30)) == 90
    assert cooldown.retry_after("b", T0) is None
    assert cooldown.retry_after("a", T0 + timedelta(minutes=2)) is None


def test_zero_period_disables_cooldown() -> None:
    cooldown = Cooldown(timedelta(0))
    cooldown.record("a", T0)
    assert cooldown.retry_after("a", T0) is None


def test_forget_undoes_a_use() -> None:
    cooldown = Cooldown(timedelta(minutes=2))
    cooldown.record("a", T0)
    cooldown.forget("a")
    assert cooldown.retry_after("a", T0) is None
