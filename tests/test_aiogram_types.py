"""aiogram imported through bot.telegram.aiogram_types builds each Bot API type on first use.

Run in a fresh interpreter (the test process has aiogram imported the usual way already): every
type of aiogram must still complete on demand, and the updates and answers this bot meets must
parse exactly as with the eager import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, sys
import bot.telegram.aiogram_types  # first, as `python -m bot` does
import aiogram.types as types
from aiogram.methods import CreateForumTopic, GetChatMember, SendMessage, SendPhoto
from aiogram.types import Update

deferred = [name for name in types.__all__ if getattr(getattr(types, name), "__pydantic_complete__", True) is False]

update = Update.model_validate({
    "update_id": 7,
    "callback_query": {
        "id": "c1", "chat_instance": "i", "data": "menu:report",
        "from": {"id": 5, "is_bot": False, "first_name": "Lan"},
        "message": {
            "message_id": 3, "date": 0, "chat": {"id": 5, "type": "private"},
            "text": "Chọn", "reply_markup": {"inline_keyboard": [[{"text": "Gửi", "callback_data": "menu:report"}]]},
        },
    },
})
photo = Update.model_validate({
    "update_id": 8,
    "message": {
        "message_id": 4, "date": 0, "chat": {"id": -100, "type": "supergroup", "is_forum": True},
        "from": {"id": 9, "is_bot": False, "first_name": "Cán bộ"}, "message_thread_id": 12,
        "is_topic_message": True, "caption": "ảnh", "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
        "reply_to_message": {"message_id": 2, "date": 0, "chat": {"id": -100, "type": "supergroup"}, "text": "PA-1"},
    },
})
member = GetChatMember.__returning__
from pydantic import TypeAdapter
admin = TypeAdapter(member).validate_python({"status": "member", "user": {"id": 9, "is_bot": False, "first_name": "A"}})
send = SendMessage(chat_id=5, text="Xin chào", reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
topic = CreateForumTopic(chat_id=-100, name="PA-261123-ABCD")
after = [name for name in types.__all__ if getattr(getattr(types, name), "__pydantic_complete__", True) is False]
unresolved = []
for name in after:
    try:
        getattr(types, name).model_rebuild()  # what pydantic does on a type's first use
    except Exception as exc:
        unresolved.append(f"{name}: {exc}")
print(json.dumps({
    "deferred_at_import": len(deferred),
    "callback": [update.callback_query.data, update.callback_query.from_user.first_name,
                 update.callback_query.message.reply_markup.inline_keyboard[0][0].text],
    "photo": [photo.message.chat.is_forum, photo.message.message_thread_id, photo.message.photo[0].file_id,
              photo.message.reply_to_message.text, photo.message.from_user.first_name],
    "admin": [type(admin).__name__, admin.status],
    "send": send.model_dump(mode="json", exclude_none=True, exclude_defaults=True)["reply_markup"],
    "topic": topic.name,
    "unresolved": unresolved,
}, ensure_ascii=False))
"""


def test_types_are_built_on_first_use_and_parse_as_usual() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Nearly all of aiogram's ~440 types were left for later instead of built at import.
    assert result["deferred_at_import"] > 300
    assert result["callback"] == ["menu:report", "Lan", "Gửi"]
    assert result["photo"] == [True, 12, "f", "PA-1", "Cán bộ"]
    assert result["admin"] == ["ChatMemberMember", "member"]
    assert result["send"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert result["topic"] == "PA-261123-ABCD"
    # Every other type completes on demand too: none depends on the skipped import-time loop.
    assert result["unresolved"] == []


def test_the_installed_aiogram_and_pydantic_are_the_tested_ones() -> None:
    # Fails on the first upgrade past the tested range: re-run the test above on the new versions,
    # then widen TESTED and the pins in pyproject.toml together.
    from importlib.metadata import version

    from bot.telegram.aiogram_types import TESTED, untested_versions

    assert untested_versions({name: version(name) for name in TESTED}) == []


def test_an_untested_version_is_imported_the_usual_way() -> None:
    from bot.telegram.aiogram_types import untested_versions

    assert untested_versions({"aiogram": "3.31.0", "pydantic": "2.13.5"}) == []
    assert untested_versions({"aiogram": "3.40.1", "pydantic": "2.13.5"}) == ["aiogram 3.40.1"]
    assert untested_versions({"aiogram": "3.13.0", "pydantic": "3.0.0b1"}) == ["pydantic 3.0.0b1"]
