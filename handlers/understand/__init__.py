"""Understanding what people type: one interpretation of every typed reply, at every question.

Pure: text + what is on screen (+ a unit search) → a `Reading`. No database, no messenger.
`python -m handlers.understand eval` scores it on tests/data/typed-replies.jsonl.
"""

from handlers.understand.interpret import interpret, looks_english
from handlers.understand.on_screen import typed_number
from handlers.understand.reading import Outcome, Reading, Screen

__all__ = ["Outcome", "Reading", "Screen", "interpret", "looks_english", "typed_number"]
