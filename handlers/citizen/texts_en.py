"""Everything the bot says to reporters, in English, for foreign residents.

The same names as handlers/citizen/texts.py (a test checks that every name there is here, with the
same placeholders). Unit names, system names stored with a case and the FAQ's topics stay in
Vietnamese: the task force works in Vietnamese, and the portals people use are in Vietnamese.
"""

from __future__ import annotations

from handlers.citizen.texts import (
    OFFICER_ROLES,
    ROLE_ICONS,
    STATUS_ICONS,
    folded_answer_words,
    words_for_key,
)
from handlers.schedule.worktime import WEEKDAY_NAMES_VI

__all__ = ["OFFICER_ROLES", "ROLE_ICONS", "STATUS_ICONS", "answer_words", "localize_time"]

LANGUAGE = "en"

ROLES: dict[str, str] = {
    "nguoi_dan": "Resident / citizen",
    "doanh_nghiep": "Business",
    "can_bo_xa": "Commune or ward officer",
    "can_bo_so": "City department officer",
}

SYSTEMS: dict[str, str] = {
    "dvc_quoc_gia": "National Public Service Portal (Cổng DVC quốc gia)",
    "he_thong_tthc_thanh_pho": "City administrative-procedure system",
    "vneid": "VNeID / login",
    "thanh_toan": "Online payment",
    "chu_ky_so": "Digital signature",
    "khac": "Other",
}

STATUS_LABELS: dict[str, str] = {
    "moi": "Received",
    "dang_xu_ly": "In progress",
    "cho_nguoi_phan_anh": "Waiting for your information",
    "da_giai_quyet": "Resolved",
    "da_dong": "Closed",
}

RATINGS: dict[str, str] = {
    "hai_long": "😊 Satisfied",
    "binh_thuong": "😐 Neutral",
    "khong_hai_long": "🙁 Not satisfied",
}

GREETING = (
    "Hello{name}! 👋\n"
    "I'm the assistant of Hải Phòng's task force for administrative procedures "
    "(Department of Science and Technology).\n"
    "I can help you report problems with the National Public Service Portal, the city's "
    "administrative-procedure system and VNeID.\n\n"
    "How can I help you?"
)
MENU_AGAIN = "What else can I help you with?"
MENU_NOT_UNDERSTOOD = "Sorry, I did not quite get that. Please pick one of the options below, or type /help:"
MENU_REPORT = "📝 Report a problem"
MENU_LOOKUP = "🔎 Check a report"
MENU_FAQ = "❓ Common questions"
MENU_HELP = "ℹ️ Help"
OTHER_LANGUAGE = "vi"
MENU_LANGUAGE = "🌐 Tiếng Việt"
LANGUAGE_HINT = "🌐 For English, choose “English” or type “english”."
LANGUAGE_SET = "🌐 Sure, I'll continue in English."

HELP = (
    "ℹ️ How to use this bot\n\n"
    "• Report a problem: I ask a few short questions (who you are, which commune or ward, which "
    "system, what went wrong, screenshots), then pass your report to the task force.\n"
    "• Every report gets a code (e.g. PA-251123-7KQ4). The task force replies to you right here in this chat.\n"
    "• Check a report: type /status and the code.\n"
    "• Add information: just keep writing, or type /add CODE message.\n\n"
    "Commands:\n"
    "/start – start again\n"
    "/cancel – cancel what you are doing\n"
    "/status CODE – check the progress of a report\n"
    "/add CODE message – send more information\n"
    "/help – show this help\n"
    "/vi – Tiếng Việt\n\n"
    "⚠️ Never send your password, OTP or PIN to anyone, including the task force."
)

CONSENT = (
    "🔒 Before you send a report, please read this:\n\n"
    "Under Decree 13/2023/NĐ-CP on personal data protection, the task force keeps your display "
    "name, your phone number and what you send us, only to handle your report and for statistics. "
    "Your data is not shared with anyone outside the task force and is deleted when the retention "
    "period ends.\n\n"
    "If you do not agree, you can still send your report anonymously (without a phone number)."
)
CONSENT_YES = "✅ I agree"
CONSENT_NO = "🙈 No, send anonymously"
CONSENT_REFUSED = "Understood. Your report will be sent anonymously, without a phone number."

ASK_ROLE = "You are:"
ASK_UNIT = (
    "📍 Which commune, ward or special zone is your problem about?\n"
    "Please type its name, e.g. Lê Chân, An Lão, Cát Hải (accents are optional)."
)
ASK_UNIT_OFFICER = (
    "📍 Which commune, ward or special zone do you work at?\nPlease type its name, e.g. Lê Chân, An Lão."
)
UNIT_SKIP = "⏭️ Not sure / skip"
UNIT_NOT_FOUND = (
    "I couldn't find “{text}” among Hải Phòng's 114 communes, wards and special zones.\n"
    "Please type the name again (e.g. Lê Chân, An Lão, Cát Hải). "
    "Old names such as “quận Lê Chân” or “huyện Vĩnh Bảo” work too."
)
UNIT_PICK = "Which of these do you mean?"
UNIT_FORMER = "formerly part of"
UNIT_PICK_ONE = "Do you mean {unit}?"
UNIT_RETYPE = "🔁 No, let me type it again"
UNIT_REMEMBERED = "📍 Last time you reported from {unit}. Is it the same unit this time?"
UNIT_SAME = "✅ Yes, the same"
UNIT_OTHER = "✏️ Another unit"

ASK_SYSTEM = "🖥️ Which system is the problem with?"

ASK_DESCRIPTION = (
    "📝 Please describe the problem briefly: which procedure you were doing, how far you got, "
    "and what error the system showed. Writing in English is fine.\n"
    "📎 Screenshots are welcome too (up to {max} images or files)."
)
ASK_DESCRIPTION_IMAGES = (
    "📝 Please describe the problem briefly: which procedure you were doing, how far you got, "
    "and what error the system showed. Writing in English is fine.\n"
    "📎 Screenshots are welcome too (up to {max} images)."
)
USE_DRAFT = "Earlier you wrote: “{draft}”"
USE_DRAFT_BUTTON = "✅ Use what I wrote"
DESCRIPTION_TOO_SHORT = "Could you add a little more detail, please (at least {min} characters)?"
TEXT_TOO_LONG = (
    "That message is too long ({length} characters, the limit is {max}). "
    "Please shorten it or split it into a few messages."
)
DESCRIPTION_EXTENDED = "👍 Added to the description."
DESCRIPTION_FULL = (
    "The description is close to its maximum length ({max} characters), so I couldn't add that last part.\n"
    "You can share anything important later, when the task force contacts you. Choose “Continue” to go on."
)
ATTACHMENT_WAIT_TEXT = "📎 Got {count} file(s). Please also type a few lines describing the problem."
ASK_MORE_ATTACHMENTS = (
    "👍 Description saved.\n"
    "📎 You can send more screenshots or files ({count}/{max} so far). "
    "When you're done, choose “Continue”."
)
ASK_MORE_ATTACHMENTS_IMAGES = (
    "👍 Description saved.\n"
    "📎 You can send more screenshots ({count}/{max} so far). "
    "When you're done, choose “Continue”."
)
ATTACHMENT_RECEIVED = "📎 File received ({count}/{max}). Send another or choose “Continue”."
CONTINUE = "➡️ Continue"
ATTACHMENT_LIMIT = "You've sent the maximum of {max} files. Let's move on to the next step."
ATTACHMENT_BAD_TYPE = (
    "I can't accept “{name}” (file type {mime}).\n"
    "Please send images (JPG, PNG) or PDF, Word or Excel files."
)
ATTACHMENT_TOO_BIG = "“{name}” is larger than {max} MB. Please send a screenshot or a smaller file."
ATTACHMENT_KEPT = (
    "📎 File received ({count}/{max}), I'll attach it to your report.\n"
    "Please go on with the question above."
)
ATTACHMENTS_FULL = (
    "Your report already has {max} files, so I can't take more.\n"
    "Please go on with the question above."
)
FILE_PHOTO = "image"
FILE_DOCUMENT = "file"
FILE_TYPE_UNKNOWN = "unknown"
UNSUPPORTED = (
    "I can't read this kind of message yet (stickers, voice messages, locations or unsupported files).\n"
    "Please type your message or send a screenshot."
)

UNSUPPORTED_IMAGES_ONLY = (
    "Here I can only receive text and pictures (no PDF or Word files, stickers or voice messages).\n"
    "For a document, please take a screenshot and send the picture."
)
FAQ_OFFER = (
    "💡 Is this your problem?\n\n📌 {title}\n\nHere is the guidance (in Vietnamese):\n{answer}\n\n"
    "Did these steps solve your problem?"
)
FAQ_SOLVED = "✅ Yes, it's solved"
FAQ_NOT_SOLVED = "📨 No, send to the task force"
FAQ_PICK = "💡 Is your problem like one of these? (topics in Vietnamese)"
FAQ_NONE_OF_THESE = "📨 None of these, send to the task force"
FAQ_ANSWER = "📌 {title}\n\nHere is the guidance (in Vietnamese):\n\n{answer}"
FAQ_OFFER_OWN = "💡 Is this your problem?\n\n📌 {title}\n\n{answer}\n\nDid these steps solve your problem?"
FAQ_ANSWER_OWN = "📌 {title}\n\n{answer}"
FAQ_THANKS = "🎉 Glad I could help! Message me any time if you need anything else."

ASK_DOSSIER = (
    "🗂️ If you have already submitted an application, please send its dossier code "
    "(e.g. H26.22-251120-0001).\nIf you don't have one, choose “Skip”."
)
DOSSIER_INVALID = (
    "A dossier code usually has letters and digits (e.g. H26.22-251120-0001). "
    "Please check it, or choose “Skip”."
)
ASK_PROCEDURE = (
    "📄 Which procedure were you doing? (e.g. birth registration, criminal record certificate)\n"
    "If you're not sure, choose “Skip”."
)
SKIP = "⏭️ Skip"
ASK_PHONE = (
    "📞 So that the task force can contact you if needed, may I have your phone number?\n"
    "Tap “Share phone number” or type it (e.g. 0912 345 678)."
)
ASK_PHONE_TEXT_ONLY = (
    "📞 So that the task force can contact you if needed, may I have your phone number?\n"
    "Please type it (e.g. 0912 345 678)."
)
SHARE_CONTACT = "📱 Share phone number"
USE_KNOWN_PHONE = "📞 Use {phone}"
PHONE_INVALID = (
    "“{text}” doesn't look like a Vietnamese phone number.\n"
    "Please type it again (10 digits, e.g. 0912 345 678), or choose “Skip”."
)

SUMMARY = "📋 Please check your report:\n\n{body}\n\nIs everything correct?"
SUMMARY_ROLE = "👤 You are: {value}"
SUMMARY_UNIT = "📍 Unit: {value}"
SUMMARY_SYSTEM = "🖥️ System: {value}"
SUMMARY_DESCRIPTION = "📝 Description: {value}"
SUMMARY_ATTACHMENTS = "📎 Attachments: {count}"
SUMMARY_DOSSIER = "🗂️ Dossier code: {value}"
SUMMARY_PROCEDURE = "📄 Procedure: {value}"
SUMMARY_PHONE = "📞 Phone: {value}"
SUMMARY_ANONYMOUS = "🙈 Sent anonymously"
SUMMARY_FAQ = "💡 Suggestion viewed: {title}"
SUMMARY_NOTES = "📝 More from the reporter:"
UNIT_UNKNOWN = "Not specified"
SUBMIT = "✅ Send report"
EDIT = "✏️ Edit"
CANCEL = "❌ Cancel"
ASK_EDIT = "What would you like to change?"
BACK = "↩️ Back"
EDIT_GIVE_PHONE = "📞 Leave a phone number"
EDIT_FIELDS: dict[str, str] = {
    "role": "You are",
    "unit": "Unit",
    "system": "System",
    "description": "Description",
    "dossier": "Dossier code",
    "procedure": "Procedure",
    "phone": "Phone number",
}

CASE_CREATED = (
    "✅ Your report has been received!\n\n"
    "🔖 Report code: {code}\n"
    "⏰ Expected result by: {due}\n\n"
    "The task force will reply to you right here. Feel free to send more information at any time, "
    "or type /status {code} to check progress."
)

CANCELLED = "Cancelled. What you had entered has been deleted."
NOTHING_TO_CANCEL = "There is nothing in progress to cancel."
RESUME = "👋 Welcome back! You were in the middle of a report (step: {step}).\nWould you like to continue or start over?"
RESUME_CONTINUE = "▶️ Continue"
RESUME_RESTART = "🔄 Start over"

NOT_UNDERSTOOD_CHOICE = (
    "Sorry, I didn't understand “{text}”. Please choose one of the options below "
    "(or reply with its number)."
)
STALE_CHOICE = "That button belongs to an earlier step. My current question is:"
DRAFT_KEPT = (
    "📝 I've saved what you just wrote and will use it as the description of the problem.\n"
    "First, please answer this question:"
)
UNKNOWN_COMMAND = (
    "I don't know the command /{command}.\n"
    "You can use: /start (start again), /cancel (cancel), /status CODE (check a report), /help (help)."
)
INTERNAL_ERROR = (
    "Sorry, something went wrong while handling this message 🙏.\n"
    "Please try again in a few minutes, or type /start to begin again."
)
STAFF_COMMAND_IN_PRIVATE = (
    "The command /{command} is only for task force staff, in the task force's group.\n"
    "To report a problem, type /start; to check a report, type /status CODE."
)
EMPTY_MESSAGE = "I didn't receive any content. Could you send your message again?"
FLOOD = "You're sending messages faster than I can keep up 😅. Please wait about a minute, then carry on."

ASK_LOOKUP = "🔎 Please type the code of the report you want to check (e.g. PA-251123-7KQ4)."
ASK_LOOKUP_WITH_LIST = "🔎 Your recent reports are below. Choose one to see it, or type a report code."
LOOKUP_GIVE_UP = "You can find the code in the message you received when you sent the report, or choose something else below."
LOOKUP_NOT_FOUND = "I couldn't find report “{code}” among the reports you have sent. Please check the code."
LOOKUP_SENT_AT = "📅 Sent: {when}"
LOOKUP_NO_UNIT = "Unit not specified"
LOOKUP_DUE = "⏰ Expected result by: {due}"
LOOKUP_ESCALATED = "📤 Forwarded to the competent city authority"
LOOKUP_HISTORY = "History:"
LOOKUP_STAFF_REPLY = "Task force replied: {text}"
LOOKUP_REPORTER_COMMENT = "Your comment: {text}"
LOOKUP_REPORTER_FILES = "You sent more images/files"
LOOKUP_REPORTER_ADDED = "You added: {text}"
LOOKUP_RESULT = "Result: {result}"
EVENT_LABELS: dict[str, str] = {
    "created": "Report received",
    "assigned": "An officer was assigned",
    "escalated": "Forwarded to the competent authority (beyond the task force's authority)",
    "rated": "You rated the result",
    "incident": "Linked to a known general problem",
}

FOLLOWUP_FORWARDED = "📨 I've passed your additional information to the task force (report {code})."
FOLLOWUP_WHICH = "You have several reports in progress. Which one is this information for?"
FOLLOWUP_IF_NEW = "If this is a different problem, choose “This is a new report” to send it separately."
FOLLOWUP_NEW = "📝 This is a new report"
BOSUNG_USAGE = "Please type: /add CODE message (e.g. /add PA-251123-7KQ4 I tried again and it still fails)."

STAFF_REPLY = "💬 Reply from the task force (report {code}):\n\n{text}"
STAFF_REPLY_FILES = "(attachment)"
CASE_RESOLVED = (
    "✅ Report {code} has been resolved.\n\n"
    "Result: {resolution}\n\n"
    "Please tell the task force how satisfied you are:"
)
ASK_RATING_COMMENT = "Thank you! Would you like to add a comment? Type it, or choose “Skip”."
RATING_THANKS = "🙏 Thank you for your feedback. Good luck with your application!"
RATING_COMMENT_THANKS_UNHAPPY = (
    "🙏 Thank you for your comment. I've passed it to the task force; an officer will review it and contact you soon."
)
RATING_UNHAPPY_NOTED = "👌 Noted. The task force will look at it again and contact you soon."
RATING_REASK = (
    "📨 I've passed your message to the task force (report {code}).\n"
    "If the problem is still not solved, choose “🙁 Not satisfied” so the task force keeps working on it."
)
RATING_REOPENED = (
    "🙏 Thank you for letting us know. Report {code} has been reopened; the task force will look into it "
    "again and contact you."
)
RATING_ASK = "⭐ How satisfied are you with the result of report {code}?"
CASE_REOPENED = "🔄 Report {code} has been reopened for further handling."
CASE_WAITING = "⏳ The task force needs more information about report {code}. Please reply right here."
CASE_CLOSED_AUTO = "📁 Report {code} has been closed. Thank you for using this service!"
CASE_ESCALATED = (
    "📤 Report {code} is beyond the task force's authority and has been forwarded to the competent "
    "city authority. The task force will let you know the result."
)

INCIDENT_SUBJECT_SYSTEM = "{system}"
INCIDENT_SUBJECT_TOPIC = "«{title}»"
INCIDENT_SUSPECTED = (
    "📢 Many people are reporting the same problem with {subject}. The task force knows about it and is checking.\n"
    "Your report {code} is recorded together with theirs. We will tell you as soon as it is fixed."
)
INCIDENT_OPEN_FAQ = "📢 The task force is dealing with a general problem with {subject}: {notice}"
INCIDENT_KNOWN = (
    "📢 The task force is aware of a general problem with {subject}.\n{notice}\n\n"
    "Your report {code} has been linked to it. The task force will let you know as soon as it is fixed."
)
INCIDENT_FIXED = (
    "✅ The general problem with {subject} has been fixed.\nResult: {result}\n\n"
    "Your report {code} has been resolved. If you still have the problem, choose “Not satisfied” so "
    "the task force can look at it again.\nPlease tell the task force how satisfied you are:"
)
INCIDENT_FIXED_INFO = (
    "✅ The general problem with {subject} (related to your report {code}) has been fixed.\nResult: {result}"
)

FAQ_BROWSE = "❓ Common questions (some answers are only in Vietnamese)\nChoose a system, or type your question:"
FAQ_BROWSE_TOPICS = "Choose a question, or type your own:"
FAQ_NO_MATCH = (
    "I don't have a ready answer to this question yet.\n"
    "You can send a report and the task force will help you directly."
)
FAQ_HELPFUL = "👍 That's clear, thanks"
FAQ_REPORT = "📝 Report a problem"
FAQ_MORE = "❓ Another question"
FAQ_SYSTEM_GENERAL = "General (new boundaries, where to apply, support)"

STEP_NAMES: dict[str, str] = {
    "consent": "consent to data processing",
    "role": "who you are",
    "unit": "choosing the unit",
    "unit_pick": "choosing the unit",
    "unit_remembered": "choosing the unit",
    "system": "choosing the system",
    "description": "describing the problem",
    "attachments": "sending images or files",
    "faq_offer": "reading a suggestion",
    "faq_pick": "reading a suggestion",
    "dossier": "dossier code",
    "procedure": "procedure name",
    "phone": "phone number",
    "confirm": "confirmation",
    "edit": "editing",
}


# Short sentences that ask for a menu item (handlers.citizen.engine), in English.
MENU_INTENTS: dict[str, tuple[str, ...]] = {
    "menu:report": ("report a problem", "file a complaint", "make a report", "new report", "report an error"),
    "menu:lookup": ("check my report", "check status", "check the status", "track my report", "look up"),
}


# Everyday English answers (see handlers.citizen.texts.ANSWER_WORDS). handlers.choices consults them,
# together with the Vietnamese ones, for people who chose English.
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
_FOLDED_ANSWER_WORDS = folded_answer_words(ANSWER_WORDS)


def answer_words(key: str) -> tuple[str, ...]:
    return words_for_key(_FOLDED_ANSWER_WORDS, key)


_WEEKDAYS = dict(
    zip(WEEKDAY_NAMES_VI, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)


def localize_time(text: str) -> str:
    """A time as handlers format it ("16:00 thứ Hai, 24/11/2025") with the weekday in English."""
    for vietnamese, english in sorted(_WEEKDAYS.items(), key=lambda item: -len(item[0])):
        text = text.replace(vietnamese, english)
    return text
