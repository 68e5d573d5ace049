"""Queries shared by features: find-or-create communities and members, append to the log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.events import ChatRef, UserRef
from bot.storage.models import Activity, Community, Member


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT for the session's database."""
    name = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


async def community_for_chat(
    session: AsyncSession, chat: ChatRef, config: Config, now: datetime
) -> Community:
    """The community of a group chat, created with the configured defaults on first sight."""
    found = await session.scalar(
        select(Community).where(Community.platform == chat.platform, Community.chat_id == chat.chat_id)
    )
    if found is not None:
        if chat.title and found.title != chat.title:
            found.title = chat.title
        return found
    stmt = (
        dialect_insert(session, Community)
        .values(
            platform=chat.platform,
            chat_id=chat.chat_id,
            title=chat.title,
            timezone=config.timezone,
            locale=config.language,
            keep_text=config.keep_text,
            settings={},
            created_at=now,
        )
        .on_conflict_do_nothing()
    )
    await session.execute(stmt)
    community = await session.scalar(
        select(Community).where(Community.platform == chat.platform, Community.chat_id == chat.chat_id)
    )
    assert community is not None
    return community


def _new_member(community: Community, user: UserRef, now: datetime) -> dict[str, Any]:
    return _new_member_values(community.id, user, now)


def _new_member_values(community_id: int, user: UserRef, now: datetime) -> dict[str, Any]:
    return {
        "community_id": community_id,
        "user_id": user.user_id,
        "display_name": user.display_name,
        "username": user.username,
        "role": "member",
        "analytics_opt_out": False,
        "reminders_opt_out": False,
        "can_dm": False,
        "is_member": True,
        "joined_at": now,
        "created_at": now,
    }


# members.last_seen_at moves in steps of this: a member seen again sooner is not rewritten for it
# (in a busy group that was most of the writes to members). It is exact whenever anything else
# about the member changes. It orders a user's memberships (the most recently active first);
# what a member did and when is in activity_log, to the second.
LAST_SEEN_RESOLUTION = timedelta(hours=1)


def member_changes(
    current: dict[str, Any], user: UserRef, now: datetime, is_member: bool | None = None
) -> dict[str, Any]:
    """What to change in a member row (current column values) to match what the platform says now."""
    changes: dict[str, Any] = {}
    if user.display_name and current["display_name"] != user.display_name:
        changes["display_name"] = user.display_name
    if user.username and current["username"] != user.username:
        changes["username"] = user.username
    if user.is_admin is True and current["role"] != "admin":
        changes["role"] = "admin"
    elif user.is_admin is False and current["role"] == "admin":
        changes["role"] = "member"
    if is_member is not None and current["is_member"] != is_member:
        changes["is_member"] = is_member
    seen = current["last_seen_at"]
    if seen is None or seen < now - LAST_SEEN_RESOLUTION or (changes and seen < now):
        changes["last_seen_at"] = now
    return changes


CHANGED = ("display_name", "username", "role", "last_seen_at", "is_member")


def _refresh(member: Member, user: UserRef, now: datetime) -> Member:
    """Bring a member row up to date with what the platform says now."""
    current = {name: getattr(member, name) for name in CHANGED}
    for name, value in member_changes(current, user, now).items():
        setattr(member, name, value)
    return member


async def member_for_user(
    session: AsyncSession, community: Community, user: UserRef, now: datetime
) -> Member:
    """The member row of a user in a community, created on first sight and kept up to date."""
    return (await members_for_users(session, community, {user.user_id: (user, now)}))[user.user_id]


async def members_for_users(
    session: AsyncSession,
    community: Community,
    users: dict[str, tuple[UserRef, datetime]],
    first_seen: dict[str, datetime] | None = None,
) -> dict[str, Member]:
    """Member rows for many users of one community (user id -> (latest UserRef, when seen)), in bulk.

    New members count as joined when first seen (first_seen, else the latest time).
    """
    first_seen = first_seen or {}
    found: dict[str, Member] = {}

    async def load(ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            stmt = select(Member).where(
                Member.community_id == community.id, Member.user_id.in_(ids[start : start + 500])
            )
            found.update((m.user_id, m) for m in await session.scalars(stmt))

    await load(list(users))
    missing = [uid for uid in users if uid not in found]
    if missing:
        values = [
            _new_member(community, users[uid][0], first_seen.get(uid, users[uid][1])) for uid in missing
        ]
        await session.execute(dialect_insert(session, Member).on_conflict_do_nothing(), values)
        await load(missing)
    return {uid: _refresh(found[uid], user, when) for uid, (user, when) in users.items()}


async def members_of_user(
    session: AsyncSession, platform: str, user_id: str
) -> list[tuple[Member, Community]]:
    """Every membership of a platform user, most recently active first."""
    rows = await session.execute(
        select(Member, Community)
        .join(Community, Community.id == Member.community_id)
        .where(Community.platform == platform, Member.user_id == user_id)
        .order_by(Member.last_seen_at.desc().nulls_last(), Member.id.desc())
    )
    return [(m, c) for m, c in rows.all()]


async def append_activity(session: AsyncSession, **values: Any) -> int | None:
    """Insert a log row; None when (platform, source_id) was seen before (a redelivery)."""
    stmt = (
        dialect_insert(session, Activity)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["platform", "source_id"])
        .returning(Activity.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
