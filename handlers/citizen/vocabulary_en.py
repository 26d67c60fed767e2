"""English words people type instead of pressing a button, and short sentences that ask for a
menu item: vocabulary to MATCH what foreign residents write, not a translation of anything (the
texts the bot says in English are in handlers/citizen/locales/en/LC_MESSAGES/messages.po).
handlers.choices consults these words together with the Vietnamese ones (handlers.citizen.vocabulary)
for people who chose English; the English texts carry `MENU_INTENTS` (handlers.citizen.language).
"""

from __future__ import annotations

from handlers.citizen.vocabulary import folded_answer_words, words_for_key

# fmt: off
# Short sentences that ask for a menu item (handlers.citizen.engine), in English.
MENU_INTENTS: dict[str, tuple[str, ...]] = {
    "menu:report": ("report a problem", "file a complaint", "make a report", "new report", "report an error"),
    "menu:lookup": ("check my report", "check status", "check the status", "track my report", "look up"),
}


# Everyday English answers (see handlers.citizen.vocabulary.ANSWER_WORDS).
ANSWER_WORDS: dict[str, tuple[str, ...]] = {
    "consent:yes": ("yes", "y", "yeah", "yep", "ok", "okay", "agree", "i agree", "sure", "accept", "i accept"),
    "consent:no": (
        "no", "n", "nope", "disagree", "i disagree", "don't agree", "do not agree", "i don't agree",
        "anonymous", "anonymously", "send anonymously", "refuse", "decline",
    ),
    "role:nguoi_dan": ("citizen", "resident", "individual", "person", "foreigner", "foreign resident", "expat"),
    "role:doanh_nghiep": ("business", "company", "enterprise", "firm", "employer"),
    "role:can_bo_xa": ("commune officer", "ward officer", "commune official", "ward official", "commune staff"),
    "role:can_bo_so": ("department officer", "department official", "city department", "department staff"),
    "system:dvc_quoc_gia": ("national portal", "public service portal", "national public service portal", "portal"),
    "system:he_thong_tthc_thanh_pho": ("city system", "city portal", "city procedure system", "one stop", "one-stop"),
    "system:vneid": ("login", "log in", "sign in", "digital id", "eid", "e id", "identity"),
    "system:thanh_toan": ("payment", "pay", "paying", "fee", "fees", "online payment"),
    "system:chu_ky_so": ("digital signature", "e signature", "signature", "signing", "usb token"),
    "system:khac": ("other", "something else", "another system"),
    "unit:skip": ("skip", "not sure", "don't know", "i don't know", "unknown"),
    "unit:same": ("yes", "same", "the same", "same one", "same unit", "correct", "right", "ok"),
    "unit:other": ("other", "another", "another unit", "different", "no"),
    "unit:retype": ("no", "none", "wrong", "type again", "retype", "none of these"),
    "faq:solved": ("yes", "solved", "it's solved", "it worked", "worked", "fixed", "done", "thanks", "thank you", "ok"),
    "faq:not_solved": (
        "no", "not yet", "not solved", "didn't work", "did not work", "doesn't work", "still not working",
        "still broken", "still an error", "not my problem", "send to the task force",
    ),
    "faqpick:none": ("none", "none of these", "no", "neither", "not these", "send to the task force"),
    "confirm:submit": (
        "yes", "send", "send it", "submit", "ok", "okay", "correct", "confirm", "right", "looks good",
        "that's right", "all good",
    ),
    "confirm:edit": ("edit", "change", "fix", "wrong", "not correct", "incorrect", "correct it"),
    "confirm:cancel": ("cancel", "stop", "don't send", "do not send", "never mind", "discard"),
    "resume:continue": ("continue", "go on", "resume", "carry on", "yes"),
    "resume:restart": ("start over", "restart", "start again", "from the beginning", "new"),
    "rate:hai_long": ("satisfied", "happy", "good", "great", "very good", "excellent", "thanks"),
    "rate:binh_thuong": ("neutral", "average", "so so", "fair", "not bad"),
    "rate:khong_hai_long": (
        "not satisfied", "unsatisfied", "dissatisfied", "unhappy", "not happy", "not good", "bad", "poor",
        "still not working", "not solved",
    ),
    "comment:skip": ("skip", "no", "nothing", "no thanks", "none"),
    "followup:new": ("new", "new report", "new problem", "another problem", "different problem"),
    "attach:done": ("done", "continue", "next", "no", "no more", "that's all", "finished"),
    "dossier:skip": ("skip", "no", "none", "not yet", "don't have", "i don't have one"),
    "procedure:skip": ("skip", "not sure", "don't know", "i don't know"),
    "phone:skip": ("skip", "no", "no thanks"),
    "menu:report": ("report", "report a problem", "send a report", "new report", "problem"),
    "menu:lookup": ("look up", "lookup", "check", "check a report", "status", "track"),
    "menu:faq": ("faq", "questions", "common questions", "q a"),
    "menu:help": ("help", "guide", "how to"),
}
# fmt: on

_FOLDED_ANSWER_WORDS = folded_answer_words(ANSWER_WORDS)


def answer_words(key: str) -> tuple[str, ...]:
    return words_for_key(_FOLDED_ANSWER_WORDS, key)
