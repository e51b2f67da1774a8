"""Shared fixtures: the loopback fake Discord (see tests/fakediscord/README.md)."""

from tests.fakediscord.fixtures import fake_discord, fake_discord_unchecked

__all__ = ["fake_discord", "fake_discord_unchecked"]
