"""The readings of one message that the matcher weighs against each other (faq.matcher decides).

Split from faq.matcher so that the decision (Matcher.match) and the ways of reading a message
stay small enough to read: the whole message scored (English both as written and translated),
English as written overruling the translation, the message without the names of systems, the
subject words of out-of-scope groups (faq.subjects), the message sentence by sentence, and an
English story without its introduction.
"""

from __future__ import annotations

from faq.audience import Audience
from faq.features import features, filler_positions, system_positions
from faq.index import OOS_PREFIX
from faq.language import EN_MARK, STOP_WORDS, translate, unmarked_vietnamese, vietnamese_words
from faq.scoring import MatcherConfig, Scorer, decide
from faq.subjects import Subjects
from faq.tokens import Tokenizer


class Readings:
    """Base of Matcher: the readings; Matcher builds the parts below and decides."""

    config: MatcherConfig
    _scorer: Scorer
    _audience: Audience
    _subjects: Subjects
    _tokenizer: Tokenizer

    def _tokens(self, text: str, english: bool = False) -> tuple[list[str], set[int]]:
        """Normalised tokens (typos repaired) and the positions to leave out (faq.tokens)."""
        return self._tokenizer.tokens(text, english)

    def _score(self, text: str, english: bool) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Scores of one text, and those of its English reading as written (the same for
        Vietnamese). English is scored twice: as written, against the English phrasings,
        and translated word by word (faq.language.translate), against all phrasings; a
        label keeps the better of the two."""
        tokens, skip = self._tokens(text, english)
        vietnamese = self._unmarked(text, tokens, skip) if english else set()
        # Vietnamese typed without marks is read as Vietnamese (against the Vietnamese
        # phrasings), the English around it as English: "portal show yeu cau thanh toan".
        mixed = [t.removeprefix(EN_MARK) if i in vietnamese else t for i, t in enumerate(tokens)]
        ranked = self._scorer.score(mixed, skip - vietnamese)
        if not english:
            audience = self._audience
            if audience.concerns(ranked) and audience.is_officer(text, set().union(*features(tokens, skip))):
                ranked = self._audience.adjust(ranked)
            return ranked, ranked
        # Stop words too ("log in", "in person" are glossary phrases); Vietnamese words the
        # person wrote ("phường", "căn cước") are kept like loanwords.
        loanwords = self._scorer.index.loanwords | set(vietnamese_words(text))
        words = translate(tokens, loanwords, vietnamese)
        if not words:
            ranked = self._audience.resident(ranked)
            return ranked, ranked
        # The translation is word by word and its bag of Vietnamese words can fit a short
        # phrasing of the wrong topic perfectly ("cannot log in to VNeID" → a new-phone
        # phrasing), so alone it counts ``translated_discount`` less; where both readings
        # agree their mean can beat either.
        written = dict(ranked)
        translated = dict(self._scorer.score(words, filler_positions(words)))
        combined = {
            label: max(
                written.get(label, 0.0),
                (written.get(label, 0.0) + translated.get(label, 0.0)) / 2,
                translated.get(label, 0.0) - self.config.translated_discount,
            )
            # In a fixed order (written first): ties keep it after the sort, whatever the hash seed.
            for label in [*written, *(k for k in translated if k not in written)]
        }
        merged = sorted(
            ((k, round(v, 1)) for k, v in combined.items()), key=lambda item: item[1], reverse=True
        )
        return self._audience.resident(merged), self._audience.resident(ranked)

    @staticmethod
    def _names(tokens: list[str], skip: set[int]) -> set[int]:
        """The left-out positions of an English message that are names (places, people), not
        stop words. Left out as English stop words, "so" and "do" may still be Vietnamese
        ("ho so", "muc do"). Names stay in the translation: "phường Máy Tơ" there is what the
        unit-lookup topic's phrasings speak of."""
        return {i for i in skip if tokens[i].removeprefix(EN_MARK) not in STOP_WORDS}

    def _unmarked(self, text: str, tokens: list[str], skip: set[int]) -> set[int]:
        """Positions of Vietnamese typed without marks in an English message (faq.language)."""
        idf, marked = self._scorer.index.idf, set(vietnamese_words(text))
        exclude = self._names(tokens, skip) | {i for i, token in enumerate(tokens) if token in marked}
        return unmarked_vietnamese(tokens, lambda pair: pair in idf, exclude)

    def _overruled(
        self, topic: str, score: float, written: list[tuple[str, float]], merged: list[tuple[str, float]]
    ) -> tuple[str, float] | None:
        """The topic the English reading as written prefers, when it clearly contradicts ``topic``.

        Every topic has English phrasings, and a match in the person's own words is the more
        precise reading; the word-by-word translation fits bags of Vietnamese words ("my
        company log in to the portal" → the VNeID login topic, "does not know how to use a
        smartphone" → status lookup). When the written reading's best topic is a fit (at
        least ``floor``), rates the answer ``english_veto`` lower and is itself within ``spread``
        of the answer's score, the translation alone does not answer: both are offered.
        """
        cfg = self.config
        # Out of scope as written, by the veto: the answer rests on translated words alone
        # ("where do I pay my electricity bill" → "thanh toán tiền điện" → online payment; as
        # written it is the utilities group's, 21 points ahead). Returned like a topic: the
        # caller then stays silent. No spread here: the translation's height is the problem.
        first = written[0] if written else ("", 0.0)
        oos_lead = first[1] - dict(written).get(topic, 0.0)
        if first[0].startswith(OOS_PREFIX) and first[1] >= cfg.floor and oos_lead > cfg.oos_veto:
            return first
        ranked = [(label, s) for label, s in written if not label.startswith(OOS_PREFIX)]
        if not ranked or ranked[0][0] == topic or ranked[0][1] < cfg.floor:
            return None
        if ranked[0][1] - dict(ranked).get(topic, 0.0) <= cfg.english_veto:
            return None
        # A rival far under the answer would not even make the pick list: the translation's
        # answer stands ("My payment went through but the portal says the fee is unpaid" reads
        # as written closer to level 2 through "the portal says", 17 points under the answer).
        # The rival's height is its score on both readings (``merged``), as the pick list
        # would show it: "My wife cannot get into the online public service site with her
        # VNeID" reads as written as the login topic at 53, and both readings together at 66.5,
        # 3.5 under the translation's where-to-file answer.
        height = max(ranked[0][1], dict(merged).get(ranked[0][0], 0.0))
        return ranked[0] if score - height <= cfg.spread else None

    def _named_only(self, text: str, english: bool, topic: str) -> tuple[str, float] | None:
        """What the message says without the names of systems, when that is not ``topic``.

        A topic whose phrasing names the same system ("hệ thống TTHC thành phố bị sập") can
        win on the name alone; read without it, the rest of the message ("hồ sơ của xã chuyển
        lên sở mà không thấy") points elsewhere. Then the answer is offered with that reading's
        choice. Returns None when the answer survives (or nothing else is plausible: the floor).
        """
        if english:
            return None  # English names systems in words the glossary maps; see _overruled
        tokens, skip = self._tokens(text)
        names = system_positions(tokens) - skip
        if not names:
            return None
        ranked = self._scorer.score(tokens, skip | names)
        cfg = self.config
        # An out-of-scope group may be what is left ("đường ... bị ngập, ai xử lý"): it is
        # returned like a topic and makes the caller offer, never answer.
        topics = ranked
        if not topics or topics[0][0] == topic or topics[0][1] < cfg.floor:
            return None
        # Only a clear lead (the answering margin) overrules: some topics are about one system
        # ("đăng nhập dịch vụ công ... sai mật khẩu" is the portal login, a point behind the
        # password topic once "dịch vụ công" is set aside).
        return topics[0] if topics[0][1] - dict(topics).get(topic, 0.0) > cfg.margin else None

    def _foreign(self, text: str, english: bool, topic: str) -> tuple[str, str] | None:
        """The out-of-scope subject the message names and ``topic`` never uses (faq.subjects);
        English is checked as written and as translated ("electricity bill" → "tiền điện")."""
        tokens, skip = self._tokens(text, english)
        readings = [(tokens, skip)]
        if english:
            loanwords = self._scorer.index.loanwords | set(vietnamese_words(text))
            words = translate(tokens, loanwords, self._unmarked(text, tokens, skip))
            readings.append((words, filler_positions(words)))
        return self._subjects.foreign(readings, topic, english=english)

    def _one_word(self, text: str, english: bool) -> bool:
        """One word is not a question: "no" typed under a list matched a login phrasing's "nó"
        (a syllable one topic uses has the highest idf and alone passes the evidence factor);
        "vneid" or "otp" alone is better offered than answered."""
        tokens, skip = self._tokens(text, english)
        return len(tokens) - len(skip) < 2

    def _split(self, ranked: list[tuple[str, float]]) -> tuple[list[tuple[str, float]], float]:
        topics = [(label, score) for label, score in ranked if not label.startswith(OOS_PREFIX)]
        best_oos = max((s for label, s in ranked if label.startswith(OOS_PREFIX)), default=0.0)
        return topics, best_oos

    def _sentences(
        self, segments: list[str], english: bool, whole: list[tuple[str, float]]
    ) -> tuple[dict[str, float], dict[str, float]]:
        """Topics that single sentences answer confidently, and the whole ranking merged with
        the sentences' (a topic takes the better of its whole score and its best sentence's
        score less ``sentence_penalty``)."""
        cfg = self.config
        merged = dict(whole)
        answers: dict[str, float] = {}
        for segment in segments:
            tokens, skip = self._tokens(segment, english)
            if len(tokens) - len(skip) < cfg.sentence_tokens:
                continue
            topics, best_oos = self._split(self._score(segment, english)[0])
            topic, score, _, _ = decide(topics, best_oos, cfg)
            if topic is not None:
                answers[topic] = max(score, answers.get(topic, 0.0))
            for label, value in topics:
                value = round(value - cfg.sentence_penalty, 1)
                if value > merged.get(label, 0.0):
                    merged[label] = value
        return answers, merged

    def _supported(self, topic: str, score: float, written: list[tuple[str, float]]) -> bool:
        """Whether an English answer rests on more than the word-by-word translation.

        "Can I pay my electricity bill online?" reaches the online-payment topic at 69 through
        translated words alone, while "My payment went through but the portal says the fee is
        unpaid" reaches its topic at 75: an answer the English phrasings do not fit (under
        ``floor``) needs ``translated_bar``, unless the person's own words rank that topic
        first at ``written_support`` or more (a long message dilutes them under the floor)."""
        cfg = self.config
        own = [(t, v) for t, v in written if not t.startswith(OOS_PREFIX)]
        first = bool(own) and own[0][0] == topic and own[0][1] >= cfg.written_support
        return dict(written).get(topic, 0.0) >= cfg.floor or first or score >= cfg.translated_bar

    def _without_context(self, segments: list[str], first: str) -> str | None:
        """``first`` when the English message read without its context sentences answers it.

        An English story opens with who the person is ("Hello, I am Korean living in Hai
        Phong.") in words the English phrasings never use: they dilute the whole message
        under the threshold (54.4) while its problem sentence alone answers the login topic
        at 64.9. A sentence that rates that topic under the floor says nothing of it: context
        ("living in Hai Phong for two years", "I am an engineer from Japan"). The rest, read
        as one message, must answer the topic the whole ranks first (and a sentence must have
        answered it: see the caller). Vietnamese stories are not affected: their context words
        are Vietnamese words the phrasings know, and the whole-message reading is calibrated
        on them."""
        cfg = self.config
        core = [s for s in segments if dict(self._score(s, True)[0]).get(first, 0.0) >= cfg.floor]
        if not core or len(core) == len(segments):
            return None  # no context to leave out: the whole message has spoken
        merged, written = self._score(". ".join(core), True)
        topics, best_oos = self._split(merged)
        topic, score, _, _ = decide(topics, best_oos, cfg)
        if topic != first:
            return None
        # The core, too, must be supported by the English as written (see _supported), and
        # not be about another subject ("post office ... to send a parcel to Korea").
        if not self._supported(first, score, written) or self._foreign(". ".join(core), True, first):
            return None
        return topic
