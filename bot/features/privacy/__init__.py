"""Privacy: /privacy (see, export, delete, forget, opt out), the retention purge, bot removal.

See PRIVACY.md for what is stored and for how long.
"""

from __future__ import annotations

from bot.domain.events import BotRoleChanged
from bot.features.privacy.commands import EXAMPLE, USAGE, on_button, privacy
from bot.features.privacy.retention import on_bot_role, purge
from bot.registry import CommandSpec, Registry

__all__ = ["install", "purge"]


def install(registry: Registry) -> None:
    registry.add(CommandSpec("privacy", privacy, USAGE, EXAMPLE, scope="private", needs_community=False))
    registry.button("privacy", on_button)
    registry.listen(BotRoleChanged, on_bot_role)
