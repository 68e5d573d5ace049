"""A Bot API in memory: a telegram.request.BaseRequest that records every call and answers like Telegram.

Pass it to the adapter (``create(config, request=fake)``); PTB then talks to it instead of the network.
``fail(...)`` queues error answers (403, 429, ...); ``updates`` feeds getUpdates (the polling path).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Gatherbot", "username": "gatherbot_test_bot"}
DATE = 1796086800


@dataclass
class Call:
    """One Bot API call: the method (e.g. 'sendMessage'), its parameters and uploaded file names."""

    method: str
    params: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    description: str
    chat_id: int | None = None  # only calls to this chat fail
    retry_after: int | None = None


class FakeTelegram(BaseRequest):
    """Records calls; answers sendMessage, editMessageText, sendPoll, stopPoll, sendDocument, sendPhoto and friends."""

    def __init__(self, admins: dict[int, list[int]] | None = None) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure]] = {}
        self.updates: list[dict[str, Any]] = []
        self.get_updates_params: list[dict[str, Any]] = []
        self.admins = admins or {}
        self._message_ids = itertools.count(100)
        self._poll_ids = itertools.count(7001)
        self.texts: dict[int, str] = {}

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next call of method (to chat_id, if given) answers with this error."""
        self.failures.setdefault(method, []).append(Failure(status, description, chat_id, retry_after))

    def of(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of one method, in order."""
        return [c.params for c in self.calls if c.method == method]

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        files = {}
        if request_data is not None and request_data.contains_files:
            files = {name: part[0] for name, part in request_data.multipart_data.items()}
        if endpoint != "getUpdates":
            self.calls.append(Call(endpoint, params, files))
        failure = self._failure(endpoint, params)
        if failure is None and endpoint == "getUpdates":
            return await self._get_updates(params)
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, json.dumps(body).encode()
        handler = getattr(self, f"_{endpoint}", None)
        if handler is None:
            return 400, json.dumps(
                {"ok": False, "error_code": 400, "description": f"not faked: {endpoint}"}
            ).encode()
        return 200, json.dumps({"ok": True, "result": handler(params)}).encode()

    def _failure(self, endpoint: str, params: dict[str, Any]) -> Failure | None:
        queue = self.failures.get(endpoint, [])
        for i, failure in enumerate(queue):
            if failure.chat_id is None or str(failure.chat_id) == str(params.get("chat_id")):
                return queue.pop(i)
        return None

    async def _get_updates(self, params: dict[str, Any]) -> tuple[int, bytes]:
        self.get_updates_params.append(params)
        offset = int(params.get("offset") or 0)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending:
            await asyncio.sleep(0.01)
        return 200, json.dumps({"ok": True, "result": pending}).encode()

    # --- canned answers ------------------------------------------------------------------------

    @staticmethod
    def chat(chat_id: Any) -> dict[str, Any]:
        cid = int(chat_id)
        if cid < 0:
            return {"id": cid, "type": "supergroup", "title": "Rust Study Group"}
        return {"id": cid, "type": "private", "first_name": "Member"}

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message_id = next(self._message_ids)
        return {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": self.chat(params["chat_id"]),
            "date": DATE,
            **extra,
        }

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - Bot API names
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        message = self._message(params, text=params["text"])
        self.texts[message["message_id"]] = params["text"]
        return message

    def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self.texts[int(params["message_id"])] = params["text"]
        return {
            "message_id": int(params["message_id"]), "from": BOT_USER, "chat": self.chat(params["chat_id"]),
            "date": DATE, "edit_date": DATE + 60, "text": params["text"],
        }  # fmt: skip

    def _poll(self, params: dict[str, Any], poll_id: str, closed: bool) -> dict[str, Any]:
        options = [{"text": o["text"] if isinstance(o, dict) else o, "voter_count": 0, "persistent_id": str(i)}
                   for i, o in enumerate(params.get("options", []))]  # fmt: skip
        return {
            "id": poll_id, "question": params.get("question", "?"), "options": options, "total_voter_count": 0,
            "is_closed": closed, "is_anonymous": params.get("is_anonymous", True), "type": "regular",
            "allows_multiple_answers": params.get("allows_multiple_answers", False),
            "allows_revoting": True, "members_only": False,
        }  # fmt: skip

    def _sendPoll(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self._message(params, poll=self._poll(params, str(next(self._poll_ids)), closed=False))

    def _stopPoll(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self._poll({"is_anonymous": False}, "stopped", closed=True)

    def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        document = {"file_id": "BQACAgQAAxkBAAIC", "file_unique_id": "AgADx8Ex", "file_name": "file"}
        return self._message(params, document=document, caption=params.get("caption"))

    def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        photo = [{"file_id": "AgACAgQAAxkBAAID", "file_unique_id": "AQADx8Ex", "width": 1100, "height": 750}]
        return self._message(params, photo=photo, caption=params.get("caption"))

    def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:  # noqa: N802
        return True

    def _setMyCommands(self, params: dict[str, Any]) -> bool:  # noqa: N802
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:  # noqa: N802
        return True

    def _getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: N802
        ids = self.admins.get(int(params["chat_id"]), [])
        owner = [{"status": "creator", "is_anonymous": False, "user": _user(ids[0])}] if ids else []
        rights = {
            "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
            "can_manage_video_chats": True, "can_restrict_members": True, "can_promote_members": False,
            "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
            "can_edit_stories": False, "can_delete_stories": False,
        }  # fmt: skip
        others = [{"status": "administrator", "user": _user(i), **rights} for i in ids[1:]]
        return owner + others + [{"status": "administrator", "user": BOT_USER, **rights}]


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"}
