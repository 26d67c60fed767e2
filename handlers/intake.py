"""The complaint intake, step by step (flow diagram: handlers/FLOWS.md, "Intake").

Each step has an `ask_*` method that builds the question from the saved state (no side
effects, so it can be asked again at any time) and an `on_*` method that takes the answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from types import ModuleType
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import texts as T
from handlers.choices import Prompt, answer_words_for, resolve_choice
from handlers.events import AttachmentRef, Choice, Kind, Outgoing
from handlers.reading_replies import ReadingReplies
from handlers.services import (
    CaseHooks,
    CoreConfig,
    DeadlineFn,
    FaqStage,
    FaqSuggestion,
    FormatTimeFn,
    UnitDirectory,
    UnitView,
    images_only,
)
from handlers.textutil import clean_text, fold, format_phone, normalize_phone, shorten
from handlers.turn import Turn
from handlers.urgency import classify_priority
from storage import repo
from storage.models import Attachment, Case, Reporter

_DOSSIER = re.compile(r"^[\w.\-/ ]{3,80}$")

Handler = Callable[[Turn, str | None, str], Awaitable[None]]
CaseListener = Callable[[AsyncSession, Case, Reporter], Awaitable[list[Outgoing]]]


# The file name must agree with the type the messenger reports: the type is only what the
# sender's device claimed, so "setup.exe" sent as application/pdf is refused.
_EXTENSIONS: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({"jpg", "jpeg", "jfif"}),
    "image/png": frozenset({"png"}),
    "image/webp": frozenset({"webp"}),
    "image/heic": frozenset({"heic", "heif"}),
    "application/pdf": frozenset({"pdf"}),
    "application/msword": frozenset({"doc"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
    "application/vnd.ms-excel": frozenset({"xls"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({"xlsx"}),
}


def _extension_fits(file_name: str | None, mime: str) -> bool:
    """True when the name has no extension, or one that belongs to `mime` (types an operator
    added to the allowed list without a known extension are taken as they come)."""
    if not file_name or "." not in file_name.strip(". "):
        return True
    extension = file_name.rsplit(".", 1)[1].lower()
    known = _EXTENSIONS.get(mime)
    return known is None or extension in known


class IntakeFlow:
    def __init__(
        self,
        config: CoreConfig,
        faq: FaqStage,
        units: UnitDirectory,
        queue: CaseHooks,
        deadline: DeadlineFn,
        format_time: FormatTimeFn,
    ) -> None:
        self.config = config
        self.faq = faq
        self.units = units
        self.queue = queue
        self.deadline = deadline
        self.format_time = format_time
        self.tz = ZoneInfo(config.timezone)
        # Extra reactions to a new case (e.g. linking it to an open incident and telling the reporter).
        self.case_listeners: list[CaseListener] = []
        # What people type is read by handlers.understand and acted on here.
        self.reader = ReadingReplies(self, self.unit_search)
        self._ask: dict[str, Callable[[Turn], Prompt]] = {
            "consent": self.ask_consent,
            "role": self.ask_role,
            "unit": self.ask_unit,
            "unit_pick": self.ask_unit_pick,
            "unit_remembered": self.ask_unit_remembered,
            "system": self.ask_system,
            "description": self.ask_description,
            "attachments": self.ask_attachments,
            "faq_offer": self.ask_faq_offer,
            "faq_pick": self.ask_faq_pick,
            "dossier": self.ask_dossier,
            "procedure": self.ask_procedure,
            "phone": self.ask_phone,
            "confirm": self.ask_confirm,
            "edit": self.ask_edit,
        }
        self._on: dict[str, Handler] = {
            "consent": self.on_consent,
            "role": self.on_role,
            "unit": self.on_unit,
            "unit_pick": self.on_unit_pick,
            "unit_remembered": self.on_unit_remembered,
            "system": self.on_system,
            "description": self.on_description,
            "attachments": self.on_attachments,
            "faq_offer": self.on_faq_offer,
            "faq_pick": self.on_faq_pick,
            "dossier": self.on_dossier,
            "procedure": self.on_procedure,
            "phone": self.on_phone,
            "confirm": self.on_confirm,
            "edit": self.on_edit,
        }

    # -- plumbing ------------------------------------------------------------------------

    def owns(self, step: str) -> bool:
        return step in self._ask

    def prompt(self, turn: Turn, step: str | None = None) -> Prompt:
        return self._ask[step or turn.step](turn)

    def ask(self, turn: Turn, step: str | None = None, prefix: str | None = None) -> None:
        """Move to `step` (or stay) and ask its question."""
        if step:
            step = self._skip_given(turn, step)
            draft = turn.data.get("draft_description") or ""
            if (
                (
                    step == "description"
                    and "description" in turn.data.get("given", [])
                    and not turn.data.get("description")
                )
                and len(draft) >= self.config.min_description_length
                and not turn.data.get("editing")
            ):
                # Their problem is already written (at the menu, or at another question).
                turn.set(description=draft[: self.config.max_text_length])
                step = "attachments"
            hint = turn.data.get("unit_hint")
            if step == "unit" and hint and not turn.data.get("unit_code"):
                # A unit named in passing with several candidates: offer them now.
                found = self.units.find(hint, limit=3)
                if found:
                    turn.set(unit_hint=None, unit_candidates=[[u.code, u.full_name, u.former] for u in found])
                    step = "unit_pick"
            turn.go(step)
        prompt = self.prompt(turn)
        text = f"{prefix}\n\n{prompt.text}" if prefix else prompt.text
        turn.say(text, prompt.choices, request_contact=prompt.request_contact, columns=prompt.columns)

    async def start(
        self, turn: Turn, draft: str | None = None, attachments: list[dict] | None = None
    ) -> None:
        """Begin a complaint; `draft` is what the person already wrote (offered as the
        description) and `attachments` what they already sent (kept for the case)."""
        keep: dict[str, object] = {}
        if draft:
            keep["draft_description"] = draft
        if attachments:
            keep["attachments"] = attachments[: self.config.max_attachments]
        turn.reset("idle", **keep)
        if turn.reporter.consent is None:
            self.ask(turn, "consent")
        else:
            self.ask(turn, "role")

    async def handle(self, turn: Turn) -> None:
        """Route the person's answer to the current step: buttons here, typed replies through
        handlers.understand (handlers.reading_replies)."""
        event = turn.event
        prompt = self.prompt(turn)
        if event.kind == Kind.TEXT:
            await self.reader.reply(turn, prompt)
            return
        resolution = resolve_choice(event, prompt, turn.language)
        if resolution.stale:
            self.ask(turn, prefix=turn.t.STALE_CHOICE)
            return
        if event.kind == Kind.ATTACHMENT and turn.step not in ("description", "attachments"):
            self._keep_late_attachments(turn)
            return
        if event.kind == Kind.CONTACT and turn.step != "phone":
            self.ask(turn)
            return
        text = clean_text(event.text)
        if resolution.choice is None and not prompt.free_text and event.kind == Kind.CHOICE:
            self.ask(turn, prefix=turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)))
            return
        await self._on[turn.step](turn, resolution.choice, text)

    async def on_step(self, turn: Turn, choice: str | None, text: str) -> None:
        """The current step's handler, for an answer read from typed text."""
        await self._on[turn.step](turn, choice, text)

    def unit_search(self, text: str) -> list[tuple[str, float]]:
        scored = getattr(self.units, "scored", None)
        if scored is not None:
            return [(unit.full_name, score) for unit, score in scored(text)]
        # A directory without scores (tests): the first candidate counts as clear.
        return [(unit.full_name, 100.0 - 10 * i) for i, unit in enumerate(self.units.find(text, limit=3))]

    def next_after(self, turn: Turn, default: str) -> str:
        # While editing from the summary, every answer goes back to the summary.
        return "confirm" if turn.data.get("editing") else default

    def _skip_given(self, turn: Turn, step: str) -> str:
        """A question whose answer the person already typed (a whole story in one message) is
        not asked again: the summary shows it back for confirmation."""
        if turn.data.get("editing"):
            return step
        given = set(turn.data.get("given", []))
        if step == "unit" and "unit" in given and turn.data.get("unit_code"):
            step = "system"
        if step == "system" and turn.data.get("system") and "system" in given:
            step = "description"
        if turn.data.get("finish") and step in ("dossier", "procedure", "phone"):
            return "confirm"
        if step == "dossier" and "dossier" in given:
            step = "procedure"
        if step == "procedure" and "procedure" in given:
            step = "phone" if turn.reporter.consent else "confirm"
        if step == "phone" and ("phone" in given or not turn.reporter.consent):
            step = "confirm"
        return step

    # -- consent -------------------------------------------------------------------------

    def ask_consent(self, turn: Turn) -> Prompt:
        return Prompt(
            turn.t.CONSENT,
            [Choice("consent:yes", turn.t.CONSENT_YES), Choice("consent:no", turn.t.CONSENT_NO)],
        )

    async def on_consent(self, turn: Turn, choice: str | None, text: str) -> None:
        turn.reporter.consent = choice == "consent:yes"
        turn.reporter.consent_at = turn.now
        editing = bool(turn.data.get("editing"))  # asked again from the summary, to leave a phone
        if not turn.reporter.consent:
            # Anonymous: keep no name or phone of this person.
            turn.reporter.display_name = None
            turn.reporter.username = None
            turn.reporter.phone = None
            turn.set(phone=None)
            self.ask(turn, "confirm" if editing else "role", prefix=turn.t.CONSENT_REFUSED)
            return
        self.ask(turn, "phone" if editing else "role")

    # -- who -----------------------------------------------------------------------------

    def ask_role(self, turn: Turn) -> Prompt:
        choices = [
            Choice(f"role:{key}", f"{turn.t.ROLE_ICONS[key]} {label}") for key, label in turn.t.ROLES.items()
        ]
        return Prompt(turn.t.ASK_ROLE, choices)

    async def on_role(self, turn: Turn, choice: str | None, text: str) -> None:
        assert choice is not None
        role = choice.split(":", 1)[1]
        turn.set(role=role)
        turn.reporter.role = role
        if turn.data.get("editing") and turn.data.get("unit_code"):
            self.ask(turn, "confirm")
            return
        remembered = turn.reporter.unit_code if role in T.OFFICER_ROLES else None
        if remembered and self.units.get(remembered):
            self.ask(turn, "unit_remembered")
        else:
            self.ask(turn, "unit")

    # -- where ---------------------------------------------------------------------------

    def ask_unit(self, turn: Turn) -> Prompt:
        officer = turn.data.get("role") in T.OFFICER_ROLES
        choices = [] if turn.data.get("role") == "can_bo_xa" else [Choice("unit:skip", turn.t.UNIT_SKIP)]
        return Prompt(turn.t.ASK_UNIT_OFFICER if officer else turn.t.ASK_UNIT, choices, free_text=True)

    async def on_unit(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "unit:skip":
            turn.set(unit_code=None, unit_name=None)
            self.ask(turn, self.next_after(turn, "system"))
            return
        if turn.event.kind != Kind.TEXT or not text:
            self.ask(turn, prefix=turn.t.EMPTY_MESSAGE)
            return
        found = self.find_units(text[:100])
        if not found:
            # Back to the plain question: the candidates of an earlier search no longer apply.
            turn.set(unit_candidates=None)
            self.ask(turn, "unit", prefix=turn.t.UNIT_NOT_FOUND.format(text=shorten(text, 60)))
            return
        codes = [code for code, _, _ in turn.data.get("unit_candidates") or []]
        if turn.step == "unit_pick" and found[0].code in codes:
            await self._set_unit(turn, found[0].code)  # "phường Hòa Bình ấy": one of the list, named
            return
        turn.set(unit_candidates=[[u.code, u.full_name, u.former] for u in found])
        self.ask(turn, "unit_pick")

    def find_units(self, text: str) -> list[UnitView]:
        """Candidates for what was typed: the clear best alone ("ngo quyen" → Phường Ngô Quyền),
        else the close ones (an old district names several new units)."""
        scored = getattr(self.units, "scored", None)
        if scored is None:
            return self.units.find(text, limit=3)
        found = scored(text, 3)
        if not found:
            return []
        top = found[0][1]
        return [unit for unit, score in found if score >= top - 5]

    def ask_unit_pick(self, turn: Turn) -> Prompt:
        candidates = turn.data.get("unit_candidates", [])
        choices = [
            Choice(
                f"unit:{code}",
                f"📍 {name}"
                + (f" ({former.replace(T.UNIT_FORMER, turn.t.UNIT_FORMER, 1)})" if former else ""),
            )
            for code, name, former in candidates
        ]
        choices.append(Choice("unit:retype", turn.t.UNIT_RETYPE))
        text = (
            turn.t.UNIT_PICK_ONE.format(unit=candidates[0][1]) if len(candidates) == 1 else turn.t.UNIT_PICK
        )
        # Typing another name here is a new search, not a wrong answer.
        return Prompt(text, choices, free_text=True)

    async def on_unit_pick(self, turn: Turn, choice: str | None, text: str) -> None:
        candidates = turn.data.get("unit_candidates", [])
        if choice is None and len(candidates) == 1 and self._is_yes(turn, text):
            choice = f"unit:{candidates[0][0]}"  # "Ý bạn là Xã An Lão?" — "đúng rồi"
        if choice is None:
            await self.on_unit(turn, None, text)
            return
        if choice == "unit:retype":
            self.ask(turn, "unit")
            return
        await self._set_unit(turn, choice.split(":", 1)[1])

    @staticmethod
    def _is_yes(turn: Turn, text: str) -> bool:
        """A plain yes ("đúng rồi", "có", "ok"; "yes" in English) to a yes/no question."""
        folded = fold(text)
        return bool(folded) and folded in answer_words_for("unit:same", english=turn.language == "en")

    async def _set_unit(self, turn: Turn, code: str) -> None:
        unit = self.units.get(code)
        if unit is None:
            self.ask(turn, "unit")
            return
        turn.set(unit_code=unit.code, unit_name=unit.full_name, unit_candidates=None)
        if turn.data.get("role") in T.OFFICER_ROLES:
            turn.reporter.unit_code = unit.code  # remembered for the officer's next report
        self.ask(turn, self.next_after(turn, "system"))

    def ask_unit_remembered(self, turn: Turn) -> Prompt:
        unit = self.units.get(turn.reporter.unit_code or "")
        name = unit.full_name if unit else "?"
        return Prompt(
            turn.t.UNIT_REMEMBERED.format(unit=name),
            [Choice("unit:same", turn.t.UNIT_SAME), Choice("unit:other", turn.t.UNIT_OTHER)],
            columns=2,
        )

    async def on_unit_remembered(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "unit:same" and turn.reporter.unit_code:
            await self._set_unit(turn, turn.reporter.unit_code)
        else:
            self.ask(turn, "unit")

    # -- which system --------------------------------------------------------------------

    def ask_system(self, turn: Turn) -> Prompt:
        return Prompt(
            turn.t.ASK_SYSTEM, [Choice(f"system:{key}", label) for key, label in turn.t.SYSTEMS.items()]
        )

    async def on_system(self, turn: Turn, choice: str | None, text: str) -> None:
        assert choice is not None
        turn.set(system=choice.split(":", 1)[1])
        self.ask(turn, self.next_after(turn, "description"))

    # -- what happened -------------------------------------------------------------------

    def ask_description(self, turn: Turn) -> Prompt:
        ask = turn.t.ASK_DESCRIPTION_IMAGES if images_only(turn.event.channel) else turn.t.ASK_DESCRIPTION
        text = ask.format(max=self.config.max_attachments)
        draft = turn.data.get("draft_description")
        if draft and not turn.data.get("editing"):
            text = turn.t.USE_DRAFT.format(draft=shorten(draft, 300)) + "\n\n" + text
            return Prompt(text, [Choice("description:draft", turn.t.USE_DRAFT_BUTTON)], free_text=True)
        return Prompt(text, free_text=True)

    async def on_description(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "description:draft" and turn.data.get("draft_description"):
            text = turn.data["draft_description"]
        if turn.event.kind == Kind.ATTACHMENT:
            if not self._take_attachments(turn):
                return
            if len(text) < self.config.min_description_length:
                turn.say(turn.t.ATTACHMENT_WAIT_TEXT.format(count=len(turn.data.get("attachments", []))))
                return
        if not text:
            self.ask(turn, prefix=turn.t.EMPTY_MESSAGE)
            return
        if len(text) > self.config.max_text_length:
            turn.say(turn.t.TEXT_TOO_LONG.format(length=len(text), max=self.config.max_text_length))
            return
        if len(text) < self.config.min_description_length or not fold(text):
            turn.say(turn.t.DESCRIPTION_TOO_SHORT.format(min=self.config.min_description_length))
            return
        turn.set(description=text)
        if turn.data.get("editing"):
            self.ask(turn, "confirm")
        elif len(turn.data.get("attachments", [])) >= self.config.max_attachments:
            await self._after_attachments(turn)
        else:
            self.ask(turn, "attachments")

    def ask_attachments(self, turn: Turn) -> Prompt:
        count = len(turn.data.get("attachments", []))
        return Prompt(
            (
                turn.t.ASK_MORE_ATTACHMENTS_IMAGES
                if images_only(turn.event.channel)
                else turn.t.ASK_MORE_ATTACHMENTS
            ).format(count=count, max=self.config.max_attachments),
            [Choice("attach:done", turn.t.CONTINUE)],
            free_text=True,
        )

    async def on_attachments(self, turn: Turn, choice: str | None, text: str) -> None:
        if turn.event.kind == Kind.ATTACHMENT:
            if not self._take_attachments(turn):
                return
            if text and not self.add_to_description(turn, text):
                return
            count = len(turn.data.get("attachments", []))
            if count >= self.config.max_attachments:
                turn.say(turn.t.ATTACHMENT_LIMIT.format(max=self.config.max_attachments))
                await self._after_attachments(turn)
            else:
                turn.say(
                    turn.t.ATTACHMENT_RECEIVED.format(count=count, max=self.config.max_attachments),
                    [Choice("attach:done", turn.t.CONTINUE)],
                )
            return
        if choice == "attach:done" or fold(text) in {"xong", "tiep", "tiep tuc", "ok", "khong", "ko", "k"}:
            await self._after_attachments(turn)
            return
        # More words after the description: keep them, people often write in several messages.
        if text:
            if self.add_to_description(turn, text):
                self.ask(turn, prefix=turn.t.DESCRIPTION_EXTENDED)
            return
        self.ask(turn)

    def add_to_description(self, turn: Turn, text: str) -> bool:
        """Append to the description; False (and the person told) when it would be too long."""
        description = turn.data.get("description", "")
        if len(description) + 1 + len(text) > self.config.max_text_length:
            turn.say(turn.t.DESCRIPTION_FULL.format(max=self.config.max_text_length))
            return False
        turn.set(description=f"{description}\n{text}".strip())
        return True

    def _take_attachments(self, turn: Turn) -> bool:
        """Store accepted attachments by reference; explain and refuse the others."""
        kept = list(turn.data.get("attachments", []))
        for attachment in turn.event.attachments:
            problem = self.attachment_problem(attachment, turn.t)
            if problem:
                turn.say(problem)
                return False
            if len(kept) >= self.config.max_attachments:
                turn.say(turn.t.ATTACHMENT_LIMIT.format(max=self.config.max_attachments))
                break
            kept.append(attachment.to_dict())
        turn.set(attachments=kept)
        return True

    def _keep_late_attachments(self, turn: Turn) -> None:
        """Files sent at another question (a screenshot before describing anything, the
        appointment slip at the dossier question) are kept for the case, with their caption;
        the question on screen still stands, so it is not sent again."""
        if len(turn.data.get("attachments", [])) >= self.config.max_attachments:
            turn.say(turn.t.ATTACHMENTS_FULL.format(max=self.config.max_attachments))
            return
        if not self._take_attachments(turn):
            return  # refused, and told why
        caption = clean_text(turn.event.text)
        if caption and turn.data.get("description"):
            if not self.add_to_description(turn, caption):
                return
        elif caption and not turn.data.get("draft_description"):
            turn.set(draft_description=caption[: self.config.max_text_length])
        count = len(turn.data.get("attachments", []))
        turn.say(turn.t.ATTACHMENT_KEPT.format(count=count, max=self.config.max_attachments))

    def attachment_problem(self, attachment: AttachmentRef, t: ModuleType = T) -> str | None:
        """Why a file is refused (type, size), in words for the person (texts `t`); None when accepted."""
        name = attachment.file_name or (t.FILE_PHOTO if attachment.kind == "photo" else t.FILE_DOCUMENT)
        if attachment.kind != "photo":
            mime = (attachment.mime_type or "").lower()
            if mime not in self.config.allowed_mime_types or not _extension_fits(attachment.file_name, mime):
                return t.ATTACHMENT_BAD_TYPE.format(name=shorten(name, 60), mime=mime or t.FILE_TYPE_UNKNOWN)
        if attachment.size and attachment.size > self.config.max_attachment_mb * 1024 * 1024:
            return t.ATTACHMENT_TOO_BIG.format(name=shorten(name, 60), max=int(self.config.max_attachment_mb))
        return None

    async def _after_attachments(self, turn: Turn) -> None:
        if turn.data.get("editing"):
            self.ask(turn, "confirm")
            return
        description = turn.data.get("description", "")
        suggestion = self.faq.suggest(description)
        await self._remember_faq(turn, suggestion)
        if suggestion.topic is not None:
            turn.set(faq_topic=suggestion.topic.id, faq_score=suggestion.score)
            self.ask(turn, "faq_offer")
        elif suggestion.candidates:
            turn.set(faq_candidates=[t.id for t in suggestion.candidates], faq_score=suggestion.score)
            self.ask(turn, "faq_pick")
        else:
            self.ask(turn, "dossier")

    async def _remember_faq(self, turn: Turn, suggestion: FaqSuggestion) -> None:
        query = await repo.record_faq_query(
            turn.session,
            channel=turn.event.channel,
            user_id=turn.event.user_id,
            text=turn.data.get("description", ""),
            topic=suggestion.topic.id if suggestion.topic else None,
            score=suggestion.score,
            solved=None,
            source="intake",
        )
        turn.set(faq_query_id=query.id)

    # -- FAQ stage -----------------------------------------------------------------------

    def ask_faq_offer(self, turn: Turn) -> Prompt:
        topic = self.faq.topic(turn.data.get("faq_topic") or "")
        if topic is None:
            return self.ask_dossier(turn)
        return Prompt(
            turn.t.FAQ_OFFER.format(title=topic.title, answer=topic.answer),
            [Choice("faq:solved", turn.t.FAQ_SOLVED), Choice("faq:not_solved", turn.t.FAQ_NOT_SOLVED)],
        )

    async def on_faq_offer(self, turn: Turn, choice: str | None, text: str) -> None:
        solved = choice == "faq:solved"
        await self._close_faq_query(turn, solved)
        if solved:
            turn.reset("idle")
            turn.say(turn.t.FAQ_THANKS)
            return
        self.ask(turn, "dossier")

    def ask_faq_pick(self, turn: Turn) -> Prompt:
        choices = []
        for topic_id in turn.data.get("faq_candidates", []):
            topic = self.faq.topic(topic_id)
            if topic:
                choices.append(Choice(f"faqpick:{topic.id}", f"💡 {topic.title}"))
        choices.append(Choice("faqpick:none", turn.t.FAQ_NONE_OF_THESE))
        return Prompt(turn.t.FAQ_PICK, choices)

    async def on_faq_pick(self, turn: Turn, choice: str | None, text: str) -> None:
        assert choice is not None
        picked = choice.split(":", 1)[1]
        if picked == "none":
            await self._close_faq_query(turn, False)
            self.ask(turn, "dossier")
            return
        turn.set(faq_topic=picked)
        self.ask(turn, "faq_offer")

    async def _close_faq_query(self, turn: Turn, solved: bool) -> None:
        await repo.settle_faq_query(
            turn.session, turn.data.get("faq_query_id"), solved=solved, topic=turn.data.get("faq_topic")
        )

    # -- dossier, procedure, phone -------------------------------------------------------

    def ask_dossier(self, turn: Turn) -> Prompt:
        return Prompt(turn.t.ASK_DOSSIER, [Choice("dossier:skip", turn.t.SKIP)], free_text=True)

    async def on_dossier(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "dossier:skip" or fold(text) in {"bo qua", "khong co", "chua co", "ko co", "khong"}:
            turn.set(dossier_code=None)
        elif turn.event.kind == Kind.TEXT and _DOSSIER.match(text) and any(ch.isdigit() for ch in text):
            turn.set(dossier_code=text.strip())
        else:
            self.ask(turn, prefix=turn.t.DOSSIER_INVALID)
            return
        self.ask(turn, self.next_after(turn, "procedure"))

    def ask_procedure(self, turn: Turn) -> Prompt:
        return Prompt(turn.t.ASK_PROCEDURE, [Choice("procedure:skip", turn.t.SKIP)], free_text=True)

    async def on_procedure(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "procedure:skip" or fold(text) in {"bo qua", "khong ro", "khong biet", "ko ro"}:
            turn.set(procedure_name=None)
        elif turn.event.kind == Kind.TEXT and text:
            if len(text) > 300:
                turn.say(turn.t.TEXT_TOO_LONG.format(length=len(text), max=300))
                return
            turn.set(procedure_name=text)
        else:
            self.ask(turn, prefix=turn.t.EMPTY_MESSAGE)
            return
        if turn.data.get("editing"):
            self.ask(turn, "confirm")
        elif turn.reporter.consent:
            self.ask(turn, "phone")
        else:
            self.ask(turn, "confirm")

    def ask_phone(self, turn: Turn) -> Prompt:
        choices = []
        if turn.reporter.phone:
            choices.append(
                Choice("phone:known", turn.t.USE_KNOWN_PHONE.format(phone=format_phone(turn.reporter.phone)))
            )
        choices.append(Choice("phone:skip", turn.t.SKIP))
        text = turn.t.ASK_PHONE if turn.event.channel == "telegram" else turn.t.ASK_PHONE_TEXT_ONLY
        return Prompt(text, choices, request_contact=True, free_text=True)

    async def on_phone(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "phone:known":
            turn.set(phone=turn.reporter.phone)
        elif choice == "phone:skip" or fold(text) in {"bo qua", "khong", "ko"}:
            turn.set(phone=None)
        else:
            raw = turn.event.phone if turn.event.kind == Kind.CONTACT else text
            phone = normalize_phone(raw or "")
            if phone is None:
                self.ask(turn, prefix=turn.t.PHONE_INVALID.format(text=shorten(raw or "", 30)))
                return
            turn.set(phone=phone)
            if turn.event.kind != Kind.CONTACT or turn.event.phone_is_own:
                turn.reporter.phone = phone  # offered again next time
            # Someone else's contact card (a relative, the citizen at the desk): the contact
            # for this case only, never remembered as this person's own number.
        self.ask(turn, "confirm")

    # -- summary -------------------------------------------------------------------------

    def summary(self, turn: Turn) -> str:
        data = turn.data
        t = turn.t
        dash = "—"
        lines = [
            t.SUMMARY_ROLE.format(value=t.ROLES.get(data.get("role") or "", dash)),
            t.SUMMARY_UNIT.format(value=data.get("unit_name") or t.UNIT_UNKNOWN),
            t.SUMMARY_SYSTEM.format(value=t.SYSTEMS.get(data.get("system") or "", dash)),
            t.SUMMARY_DESCRIPTION.format(value=shorten(data.get("description", ""), 500)),
            t.SUMMARY_ATTACHMENTS.format(count=len(data.get("attachments", []))),
            t.SUMMARY_DOSSIER.format(value=data.get("dossier_code") or dash),
            t.SUMMARY_PROCEDURE.format(value=data.get("procedure_name") or dash),
        ]
        if turn.reporter.consent:
            phone = data.get("phone")
            lines.append(t.SUMMARY_PHONE.format(value=format_phone(phone) if phone else dash))
        else:
            lines.append(t.SUMMARY_ANONYMOUS)
        topic = self.faq.topic(data.get("faq_topic") or "")
        if topic:
            lines.append(t.SUMMARY_FAQ.format(title=topic.title))
        return "\n".join(lines)

    def ask_confirm(self, turn: Turn) -> Prompt:
        return Prompt(
            turn.t.SUMMARY.format(body=self.summary(turn)),
            [
                Choice("confirm:submit", turn.t.SUBMIT),
                Choice("confirm:edit", turn.t.EDIT),
                Choice("confirm:cancel", turn.t.CANCEL),
            ],
        )

    async def on_confirm(self, turn: Turn, choice: str | None, text: str) -> None:
        if choice == "confirm:edit":
            self.ask(turn, "edit")
        elif choice == "confirm:cancel":
            turn.reset("idle")
            turn.say(turn.t.CANCELLED)
        else:
            await self.submit(turn)

    def ask_edit(self, turn: Turn) -> Prompt:
        fields = dict(turn.t.EDIT_FIELDS)
        if not turn.reporter.consent:
            # Anonymous so far: leaving a phone number means agreeing to its processing first.
            fields["phone"] = turn.t.EDIT_GIVE_PHONE
        choices = [Choice(f"edit:{key}", label) for key, label in fields.items()]
        choices.append(Choice("edit:back", turn.t.BACK))
        return Prompt(turn.t.ASK_EDIT, choices, columns=2)

    async def on_edit(self, turn: Turn, choice: str | None, text: str) -> None:
        assert choice is not None
        target = choice.split(":", 1)[1]
        if target == "back":
            self.ask(turn, "confirm")
            return
        turn.set(editing=True)
        if target == "phone" and not turn.reporter.consent:
            self.ask(turn, "consent")
            return
        self.ask(turn, target)

    # -- the case ------------------------------------------------------------------------

    async def submit(self, turn: Turn) -> Case:
        data = turn.data
        reporter = turn.reporter
        assert reporter.id is not None
        notes = data.get("notes") or []
        description = data.get("description", "")
        if notes:
            # Messages that fit no question, kept for staff instead of dropped.
            description = f"{description}\n\n{turn.t.SUMMARY_NOTES}\n" + "\n".join(
                f"• {note}" for note in notes
            )
        priority = classify_priority(data.get("role"), data.get("system"), description, data.get("faq_topic"))
        first_due, resolution_due = self.deadline(turn.now, priority)
        case = Case(
            code=await repo.unique_case_code(turn.session, turn.now.astimezone(self.tz)),
            reporter_id=reporter.id,
            channel=turn.event.channel,
            chat_id=turn.event.chat_id,
            priority=priority,
            reporter_role=data.get("role"),
            unit_code=data.get("unit_code"),
            system=data.get("system"),
            description=description,
            faq_topic=data.get("faq_topic"),
            faq_score=data.get("faq_score"),
            dossier_code=data.get("dossier_code"),
            procedure_name=data.get("procedure_name"),
            phone=data.get("phone") if reporter.consent else None,
            anonymous=not reporter.consent,
            created_at=turn.now,
            updated_at=turn.now,
            first_response_due=first_due,
            resolution_due=resolution_due,
        )
        turn.session.add(case)
        await turn.session.flush()
        assert case.id is not None
        for item in data.get("attachments", []):
            turn.session.add(Attachment.of(case.id, turn.event.channel, item))
        await repo.add_event(turn.session, case, "created", actor="reporter", to_status=case.status)
        await turn.session.flush()
        turn.reset("idle")
        turn.say(
            turn.t.CASE_CREATED.format(
                code=case.code, due=turn.t.localize_time(self.format_time(resolution_due))
            )
        )
        turn.send(await self.queue.case_created(turn.session, case, reporter))
        for listener in self.case_listeners:
            turn.send(await listener(turn.session, case, reporter))
        return case
