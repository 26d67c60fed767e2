"""The citizen texts' translations are gettext catalogs (handlers/citizen/locales): English is
complete, and a missing, fuzzy, stale or wrongly-placeholdered translation fails here, by name.
A language added from the template speaks Vietnamese where it is not translated yet, with one
warning, and the catalogs ship with the package."""

from __future__ import annotations

import fnmatch
import logging
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handlers.citizen import catalog, language, texts
from handlers.events import Choice, Incoming, Kind

ROOT = Path(__file__).resolve().parent.parent


def _keys(messages: object) -> set[tuple[str, str]]:
    return {(m.context or "", str(m.id)) for m in messages if m.id}  # type: ignore[attr-defined]


def test_english_is_complete_and_up_to_date() -> None:
    problems = catalog.check("en")
    assert not problems.missing, f"untranslated or fuzzy in en/messages.po: {problems.missing}"
    assert not problems.stale, f"in en/messages.po but no longer in handlers/citizen/texts: {problems.stale}"
    assert not problems.mismatched, f"other {{placeholders}} than the Vietnamese: {problems.mismatched}"


def test_the_template_is_what_extract_writes() -> None:
    with catalog.TEMPLATE.open("rb") as file:
        committed = _keys(read_po(file))
    fresh = {(m.context, m.text) for m in catalog.source_messages()}
    assert committed == fresh, "run: python -m handlers.citizen.catalog extract"


def test_every_text_is_in_the_catalog_or_declared_data() -> None:
    """A new constant in handlers/citizen/texts is either a text (str, dict of str, tuple of str)
    or named in NOT_TRANSLATED: nothing is left in Vietnamese without anyone deciding it."""
    extracted = {m.context.split(".")[0] for m in catalog.source_messages()}
    names = {name for name in vars(texts) if name.isupper() and not name.startswith("_")}
    assert names - extracted - texts.NOT_TRANSLATED == set()
    contexts = [(m.context, m.text) for m in catalog.source_messages()]
    assert len(contexts) == len(set(contexts))
    # Two equal Vietnamese strings, two entries: each may be translated its own way.
    assert ("FAQ_OFFER", texts.FAQ_OFFER) in contexts and ("FAQ_OFFER_OWN", texts.FAQ_OFFER) in contexts
    english = language.texts_for("en")
    assert english.FAQ_OFFER != english.FAQ_OFFER_OWN
    assert english.MENU_REPORT == "📝 Report a problem" and english.FAQ_REPORT == "📝 Report a problem"


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the locales the catalog reads, to break and to add languages to."""
    copy = tmp_path / "locales"
    shutil.copytree(catalog.LOCALES, copy)
    monkeypatch.setattr(catalog, "LOCALES", copy)
    monkeypatch.setattr(catalog, "TEMPLATE", copy / "messages.pot")
    yield copy
    language._translated.cache_clear()  # texts made from the copy must not outlive it


def _edit_po(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_fuzzy_stale_or_misplaced_translation_is_named(
    locales: Path, caplog: pytest.LogCaptureFixture
) -> None:
    po = locales / "en" / "LC_MESSAGES" / "messages.po"
    _edit_po(po, 'msgstr "📝 Report a problem"', 'msgstr ""')  # MENU_REPORT: empty
    _edit_po(po, 'msgctxt "CANCEL"', '#, fuzzy\nmsgctxt "CANCEL"')
    _edit_po(po, "Report code: {code}", "Report code: {cod}")  # CASE_CREATED: a typo in a blank
    _edit_po(po, 'msgctxt "SKIP"', 'msgctxt "SKIP_OLD"')  # renamed in the texts: stale + missing
    po.write_text(
        po.read_text(encoding="utf-8") + '\n#~ msgctxt "GONE"\n#~ msgid "Đã bỏ"\n#~ msgstr "Gone"\n',
        encoding="utf-8",
    )

    problems = catalog.check("en")
    assert sorted(problems.missing) == ["CANCEL", "MENU_REPORT", "SKIP"]
    assert sorted(problems.stale) == ["GONE", "SKIP_OLD"]
    assert problems.mismatched == ["CASE_CREATED"]
    assert catalog.main(["check", "en"]) == 1

    with caplog.at_level(logging.WARNING, logger=catalog.__name__):
        english = catalog.translated_texts("en")
    # Said in Vietnamese rather than not at all, or with a blank that would fail to format.
    assert (
        english.MENU_REPORT == texts.MENU_REPORT
        and english.CANCEL == texts.CANCEL
        and english.SKIP == texts.SKIP
    )
    assert english.CASE_CREATED.format(code="PA-1", due="mai") == texts.CASE_CREATED.format(
        code="PA-1", due="mai"
    )
    assert english.MENU_LOOKUP == "🔎 Check a report"
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert all(name in warning.getMessage() for name in ("MENU_REPORT", "CANCEL", "SKIP", "CASE_CREATED"))


def test_a_new_language_from_the_template(
    locales: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/i18n.md's steps for Korean: init, translate, add the code to the language selection."""
    assert catalog.main(["init", "ko"]) == 0
    po = locales / "ko" / "LC_MESSAGES" / "messages.po"
    assert catalog.main(["init", "ko"]) == 1  # never overwrites a translator's work
    assert len(catalog.check("ko").missing) == len(catalog.source_messages())
    assert language.texts_for("ko") is texts  # not chosen yet: Vietnamese
    assert language.requested_language(Incoming("console", "u", "c", Kind.CHOICE, choice="lang:ko")) is None

    _edit_po(
        po,
        'msgctxt "MENU_REPORT"\nmsgid "📝 Gửi phản ánh"\nmsgstr ""',
        'msgctxt "MENU_REPORT"\nmsgid "📝 Gửi phản ánh"\nmsgstr "📝 신고하기"',
    )
    _edit_po(
        po,
        'msgctxt "WEEKDAY_NAMES"\nmsgid "thứ Hai"\nmsgstr ""',
        'msgctxt "WEEKDAY_NAMES"\nmsgid "thứ Hai"\nmsgstr "월요일"',
    )
    monkeypatch.setitem(language.LANGUAGES, "ko", "한국어")
    assert language.requested_language(Incoming("console", "u", "c", Kind.CHOICE, choice="lang:ko")) == "ko"
    with caplog.at_level(logging.WARNING, logger=catalog.__name__):
        korean = language.texts_for("ko")
        assert language.texts_for("ko") is korean  # compiled once
    assert korean.MENU_REPORT == "📝 신고하기" and korean.MENU_LOOKUP == texts.MENU_LOOKUP
    assert (
        korean.LANGUAGE == "ko" and korean.OTHER_LANGUAGE == "vi" and korean.MENU_LANGUAGE == "🌐 Tiếng Việt"
    )
    assert korean.localize_time("08:00 thứ Hai, 01/12/2025") == "08:00 월요일, 01/12/2025"
    assert korean.MENU_INTENTS == texts.MENU_INTENTS  # no Korean words yet: understood in Vietnamese
    assert (
        language.rating_choices_in(korean, [Choice("rate:1:hai_long", "x")])[0].label
        == texts.RATINGS["hai_long"]
    )
    # One warning naming what is untranslated: not one per text, nor one per turn.
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1

    assert catalog.main(["update"]) == 0  # merging the template keeps the translations
    assert "📝 신고하기" in po.read_text(encoding="utf-8")
    assert catalog.check("en").missing == []


def test_no_parallel_python_table_comes_back() -> None:
    """A handlers/citizen/texts.py would be shadowed by the texts package (its names silently
    unused), and a texts_en.py would be a second English beside the catalog."""
    citizen = ROOT / "handlers" / "citizen"
    assert [name for name in ("texts.py", "texts_en.py") if (citizen / name).exists()] == []


def test_the_catalogs_ship_with_the_package() -> None:
    """pyproject's package-data takes every catalog file, so an installed bot finds them beside
    handlers/citizen/catalog.py (the .po are compiled when read: nothing else to ship)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    patterns = package_data.get("handlers.citizen", []) + package_data.get("*", [])
    package = ROOT / "handlers" / "citizen"
    files = [p.relative_to(package).as_posix() for p in (package / "locales").rglob("*") if p.is_file()]
    assert "locales/en/LC_MESSAGES/messages.po" in files and "locales/messages.pot" in files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)] == []
    assert any(dependency.lower().startswith("babel") for dependency in config["project"]["dependencies"])
