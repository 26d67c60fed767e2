"""The citizen texts in other languages: gettext catalogs (Babel), Vietnamese the source language.

Every string of handlers.citizen.texts is a msgid; its msgctxt is the constant's name ("NAME.key"
for a value of a dict, "NAME" for each item of a tuple). The files are laid out as GNU gettext and
aiogram's i18n lay them out, inside the package so an installed bot finds them (pyproject's
package-data ships them):

    handlers/citizen/locales/messages.pot                    the template, from the texts
    handlers/citizen/locales/<lang>/LC_MESSAGES/messages.po  one language

A language's .po is compiled in memory the first time someone reads it (no .mo files, no compile
step). A text without a translation (absent, empty or fuzzy), or whose translation has other
{placeholders}, is said in Vietnamese and logged once as a WARNING. Commands (docs/i18n.md):

    python -m handlers.citizen.catalog extract      # the texts → locales/messages.pot
    python -m handlers.citizen.catalog update       # the template merged into every .po
    python -m handlers.citizen.catalog init LANG    # a new language's .po, from the template
    python -m handlers.citizen.catalog check        # missing, fuzzy, stale, placeholders: exit 1
"""

from __future__ import annotations

import ast
import gettext
import logging
import string
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from handlers.citizen import texts

logger = logging.getLogger(__name__)

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
SOURCE_LANGUAGE = texts.LANGUAGE
_ROOT = Path(texts.__file__).resolve().parents[3]  # where "handlers/" is: locations are relative to it
_HEADER = (
    "# The citizen texts of the Hải Phòng complaint bot{language}.\n"
    "# Vietnamese is the source (handlers/citizen/texts); msgctxt is the name of the constant.\n"
    "# How to translate and add a language: docs/i18n.md.\n#"
)

Key = tuple[str, str]  # (msgctxt, msgid)


@dataclass(frozen=True)
class Message:
    """One Vietnamese text as the catalogs know it."""

    context: str  # the constant's name ("CASE_CREATED"; "ROLES.nguoi_dan" for a dict's value)
    text: str  # the Vietnamese: the msgid
    path: str  # where it is written, relative to the project ("handlers/citizen/texts/menu.py")
    comments: tuple[str, ...] = ()  # the source's comment above the constant, for translators


@dataclass
class Problems:
    """What is wrong with a language's catalog, as contexts (constant names)."""

    missing: list[str] = field(default_factory=list)  # not translated: absent, empty or fuzzy
    stale: list[str] = field(default_factory=list)  # translated, but no such text any more
    mismatched: list[str] = field(default_factory=list)  # {placeholders} differ from the Vietnamese

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.mismatched)


def placeholders(text: str) -> set[str]:
    """The {names} a text is formatted with."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def entries(name: str, value: object) -> Iterator[Key]:
    """The (msgctxt, msgid) pairs of one constant: a string, a dict's values, a tuple's items."""
    if name in texts.NOT_TRANSLATED:
        return
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        yield from ((f"{name}.{key}", item) for key, item in value.items() if isinstance(item, str))
    elif isinstance(value, tuple | list):
        yield from ((name, item) for item in value if isinstance(item, str))


def _comments(lines: list[str], lineno: int) -> tuple[str, ...]:
    """The comment lines right above line `lineno` (1-based) of a source file."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        found.insert(0, lines[index].strip().lstrip("#").strip())
        index -= 1
    return (" ".join(found),) if found else ()


def source_messages() -> list[Message]:
    """Every text of handlers.citizen.texts, in the order of its modules' source."""
    messages: list[Message] = []
    for module in (*texts.PARTS, texts):
        path = Path(str(module.__file__)).resolve()
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            for target in targets:
                if not (isinstance(target, ast.Name) and target.id.isupper()):
                    continue
                for context, text in entries(target.id, getattr(texts, target.id)):
                    messages.append(Message(context, text, _shown(path), _comments(lines, node.lineno)))
    return messages


def template() -> Catalog:
    """The template (.pot) of the texts as they are now."""
    catalog = Catalog(
        header_comment=_HEADER.format(language=""), project="haiphong-complaint-bot", version="1", fuzzy=False
    )
    for message in source_messages():
        catalog.add(
            message.text,
            locations=[(message.path, 0)],
            flags=("python-brace-format",) if placeholders(message.text) else (),
            auto_comments=message.comments,
            context=message.context,
        )
    return catalog


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    """The languages with a catalog."""
    return sorted(path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, domain=DOMAIN)


def write(catalog: Catalog, path: Path) -> None:
    """A catalog to its file: no line numbers (they would change the file on every edit of the
    texts; the msgctxt names the constant), no obsolete entries (stale translations go)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, include_lineno=False, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def check(language: str, source: list[Message] | None = None) -> Problems:
    """What a language's catalog lacks or has too many of, compared with the texts."""
    wanted = {(m.context, m.text) for m in (source if source is not None else source_messages())}
    catalog = read(language)
    problems = Problems()
    found: set[Key] = set()
    for message in catalog:
        if not message.id:
            continue  # the header
        key = (message.context or "", str(message.id))
        found.add(key)
        if key not in wanted:
            problems.stale.append(key[0])
        elif not message.string or message.fuzzy:
            problems.missing.append(key[0])
        elif placeholders(str(message.string)) != placeholders(key[1]):
            problems.mismatched.append(key[0])
    problems.stale += [message.context or str(message.id) for message in catalog.obsolete.values()]
    problems.missing += [context for context, text in sorted(wanted - found)]
    return problems


class Texts(ModuleType):
    """The texts in one language: the names of handlers.citizen.texts, the values translated.
    A module object, as handlers.citizen.texts itself is, so code reads both alike (`t.NAME`)."""


class _Untranslated(gettext.NullTranslations):
    """The last fallback of a catalog: notes what it had no translation for."""

    def __init__(self) -> None:
        super().__init__()
        self.contexts: list[str] = []

    def pgettext(self, context: str, message: str) -> str:
        self.contexts.append(context)
        return message


def compiled(language: str) -> gettext.GNUTranslations:
    """A language's .po compiled in memory (fuzzy and empty translations left out)."""
    buffer = BytesIO()
    write_mo(buffer, read(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translated_texts(language: str, extra: Mapping[str, object] | None = None) -> Texts:
    """handlers.citizen.texts in `language`; `extra` sets names that are not translations (the
    language switch, the vocabulary of typed answers)."""
    translations = compiled(language)
    untranslated = _Untranslated()
    translations.add_fallback(untranslated)
    mismatched: list[str] = []

    def translate(context: str, text: str) -> str:
        result = translations.pgettext(context, text)
        if placeholders(result) != placeholders(text):
            mismatched.append(context)  # it would fail to format, or lose a value: say the Vietnamese
            return text
        return result

    out = Texts(f"{texts.__name__}[{language}]", texts.__doc__)
    for name, value in vars(texts).items():
        if not name.startswith("_"):
            setattr(out, name, _translated(name, value, translate))
    out.__dict__.update(
        LANGUAGE=language,
        localize_time=_time_localizer(dict(zip(texts.WEEKDAY_NAMES, out.WEEKDAY_NAMES, strict=True))),
    )
    for name, value in (extra or {}).items():
        setattr(out, name, value)
    if untranslated.contexts or mismatched:
        logger.warning(
            "Catalog %s: %d text(s) untranslated and %d with other {placeholders}, said in Vietnamese: %s",
            language,
            len(untranslated.contexts),
            len(mismatched),
            ", ".join(untranslated.contexts + mismatched),
        )
    return out


def _translated(name: str, value: object, translate: Callable[[str, str], str]) -> object:
    if name in texts.NOT_TRANSLATED or not name.isupper():
        return value
    if isinstance(value, str):
        return translate(name, value)
    if isinstance(value, dict):
        return {
            key: translate(f"{name}.{key}", item) if isinstance(item, str) else item
            for key, item in value.items()
        }
    if isinstance(value, tuple | list):
        return type(value)(translate(name, item) if isinstance(item, str) else item for item in value)
    return value


def _time_localizer(weekdays: dict[str, str]) -> Callable[[str], str]:
    """A time as handlers format it ("16:00 thứ Hai, 24/11/2025") with the weekday translated."""
    ordered = sorted(weekdays.items(), key=lambda item: -len(item[0]))  # "thứ Hai" never inside another

    def localize_time(text: str) -> str:
        for vietnamese, translated in ordered:
            text = text.replace(vietnamese, translated)
        return text

    return localize_time


def main(argv: list[str]) -> int:
    command, *args = argv or ["help"]
    if command == "extract":
        catalog = template()
        write(catalog, TEMPLATE)
        print(f"{_shown(TEMPLATE)}: {len(catalog)} texts")
    elif command == "update":
        pot = template()
        for language in args or languages():
            catalog = read(language)
            catalog.update(pot)
            write(catalog, po_path(language))
            print(f"{language}: {_summary(check(language))}")
    elif command == "init" and len(args) == 1:
        if po_path(args[0]).exists():
            print(f"{_shown(po_path(args[0]))} exists: use update", file=sys.stderr)
            return 1
        catalog = template()
        catalog.locale = args[0]  # type: ignore[assignment]  # Babel parses the code
        catalog.header_comment = _HEADER.format(language=f": {args[0]}")
        write(catalog, po_path(args[0]))
        print(f"{_shown(po_path(args[0]))}: {len(catalog)} texts to translate")
    elif command == "check":
        source = source_messages()
        bad = 0
        for language in args or languages():
            problems = check(language, source)
            bad += bool(problems)
            print(f"{language}: {_summary(problems)}")
        return 1 if bad else 0
    else:
        print(__doc__)
        return 0 if command == "help" else 2
    return 0


def _shown(path: Path) -> str:
    """A path relative to the project where it is inside it ("handlers/citizen/texts/menu.py")."""
    return path.relative_to(_ROOT).as_posix() if path.is_relative_to(_ROOT) else str(path)


def _summary(problems: Problems) -> str:
    if not problems:
        return "complete"
    parts = [
        f"{label}: {', '.join(contexts)}"
        for label, contexts in (
            ("missing or fuzzy", problems.missing),
            ("stale", problems.stale),
            ("other placeholders", problems.mismatched),
        )
        if contexts
    ]
    return "; ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
