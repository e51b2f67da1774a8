from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE_URL, Settings, SettingsError, read_dotenv


def test_defaults_and_token_kept_out_of_repr() -> None:
    settings = Settings.from_env({"DISCORD_TOKEN": "secret-token"})
    assert settings.database_path == Path("data/interview.db")
    assert settings.content_dir == Path("content")
    assert settings.api_base_url == DEFAULT_API_BASE_URL
    assert settings.question_cooldown_seconds == 120
    assert settings.dev_guild_id is None
    assert "secret-token" not in repr(settings)


def test_missing_token_is_a_clear_error_only_when_required() -> None:
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        Settings.from_env({})
    assert Settings.from_env({}, require_token=False).token == ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEV_GUILD_ID": "abc"}, "DEV_GUILD_ID must be a whole number"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
        ({"QUESTION_COOLDOWN_SECONDS": "-1"}, "cannot be negative"),
        ({"SHARD_ID": "1"}, "set together"),
        ({"SHARD_ID": "2", "SHARD_COUNT": "2"}, "between 0 and SHARD_COUNT - 1"),
    ],
)
def test_malformed_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"DISCORD_TOKEN": "t", **env})


def test_overrides_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": "t",
            "DEV_GUILD_ID": "123",
            "LOG_LEVEL": "debug",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10/",
            "SHARD_ID": "0",
            "SHARD_COUNT": "2",
            "QUESTION_COOLDOWN_SECONDS": "0",
        }
    )
    assert settings.dev_guild_id == 123
    assert settings.log_level == "DEBUG"
    assert settings.api_base_url == "http://127.0.0.1:9/api/v10"
    assert (settings.shard_id, settings.shard_count) == (0, 2)
    assert settings.question_cooldown_seconds == 0


def test_dotenv_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "# comment\nexport DISCORD_TOKEN='from-file'\nLOG_LEVEL=WARNING # trailing\nCONTENT_DIR=\"packs\"\n",
        encoding="utf-8",
    )
    assert read_dotenv(tmp_path / ".env") == {
        "DISCORD_TOKEN": "from-file",
        "LOG_LEVEL": "WARNING",
        "CONTENT_DIR": "packs",
    }
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"LOG_LEVEL": "ERROR"})
    assert settings.token == "from-file"
    assert settings.log_level == "ERROR"
    assert settings.content_dir == Path("packs")
