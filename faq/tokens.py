"""A message's normalised tokens for the matcher: repairs, and the positions to leave out.

Split from faq.matcher, which reads a message several times per match (whole, without system
names, the near-miss check, the one-word check): the tokens are computed once per text and
cached with the index they were repaired against (a reload builds a new Tokenizer).
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from faq.features import (
    capitalised,
    english_name_positions,
    filler_positions,
    place_positions,
    procedure_positions,
)
from faq.index import Index, canonical
from faq.language import EN_MARK, stem, stop_positions, vietnamese_words
from faq.normalize import is_syllable
from faq.scoring import MatcherConfig
from faq.spoken import rejoin_split_words, repair_sound_alikes, split_run_together


class Tokenizer:
    """Tokens of messages against one index (rebuilt with it on reload)."""

    def __init__(self, index: Index, config: MatcherConfig) -> None:
        self.index, self.config = index, config
        self._repair = lru_cache(maxsize=4096)(self._repair_uncached)
        self._cached = lru_cache(maxsize=1024)(self._tokens_uncached)

    def tokens(self, text: str, english: bool = False) -> tuple[list[str], set[int]]:
        """Normalised tokens (typos repaired) and the positions to leave out (places, politeness).
        Copies of the cached ones: callers may extend them."""
        tokens, skip = self._cached(text, english)
        return list(tokens), set(skip)

    def forget(self) -> None:
        """Forget the messages seen (the typo repairs of single syllables stay cached)."""
        self._cached.cache_clear()

    def _repair_uncached(self, token: str) -> str | None:
        # Only syllables the knowledge base has never seen are repaired; short ones are left
        # alone because one wrong letter in "vang" is a different word, not a typo.
        if len(token) < 4 or token.isdigit():
            return None
        # A well-formed syllable is a word the knowledge base lacks, not a typo: "phieu" (phiếu)
        # was read as "hieu" (hiểu), "khung" as "hung", "suot" as "sot".
        if is_syllable(token):
            return None
        found = process.extractOne(
            token, self.index.vocabulary, scorer=fuzz.ratio, score_cutoff=self.config.typo_cutoff
        )
        return found[0] if found else None

    def _english_word(self, token: str) -> str | None:
        """An English word inside a Vietnamese message (a pasted "Lỗi: Token not found"), as
        the English phrasings index it. Not translated: "failed" → "không thành công" only
        added common syllables to "Upload failed: unsupported file type" and lost its topic.
        Well-formed Vietnamese syllables are left to the repairs."""
        if is_syllable(token) or len(token) < 3:
            return None  # "tt" (thủ tục) had become the "t" of "don't"
        marked = EN_MARK + stem(token)
        return marked if marked in self.index.idf else None

    def _tokens_uncached(self, text: str, english: bool) -> tuple[tuple[str, ...], frozenset[int]]:
        known = self.index.idf
        out = canonical(text, english).split()
        if not english:  # the repairs know Vietnamese syllables, not English words
            out = split_run_together(out, known)
            out = [t if t in known else self._english_word(t) or self._repair(t) or t for t in out]
            out = repair_sound_alikes(rejoin_split_words(out, known), known, self.config.sound_alike_idf)
        skip = place_positions(out, capitalised(text)) | filler_positions(out)
        if english:
            accented = frozenset(vietnamese_words(text))
            skip |= stop_positions(out) | english_name_positions(out, capitalised(text), accented)
        procedures = procedure_positions(out)
        # In a long message the procedure is context; in a short one it may be the whole question
        # ("thủ tục cấp sổ hồng"), which must stay recognisable as out of scope.
        keep = self.config.skip_procedures
        if procedures and keep and len(out) - len(skip | procedures) >= keep:
            skip |= procedures
        return tuple(out), frozenset(skip)
