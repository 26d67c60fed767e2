"""Match a free-text message to an FAQ topic, offer a few candidates, or abstain.

A wrong answer is worse than a hand-over to the task force, so the matcher answers only when
one topic is clearly ahead (faq.scoring computes the scores). When it is not sure but the
ranking holds plausible topics, it offers them ("Có phải bạn gặp một trong các lỗi sau?") and
the person picks one or hands over: a pick list costs one tap, a wrong answer costs trust.

Before scoring: normalisation (faq.normalize: diacritics, abbreviations, letters read aloud),
typo repair of syllables that are not Vietnamese, sound-alike repair of dictated syllables
(faq.spoken), and place names and politeness set aside (faq.features). A long message is
scored whole and sentence by sentence (faq.segments), so the error in the middle of a story
wins over the context around it. English messages (faq.language) are matched against the
topics' English phrasings; ``MatchResult.language`` tells the caller to use ``answer_en``.

Out-of-scope groups (greetings, roads, banks, spam...) are scored like topics; when one of them
wins the message is out of scope and no alternatives are offered.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from faq.audience import build_audience
from faq.index import OOS_PREFIX, Index, build_index
from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.language import introduction, is_english
from faq.readings import Readings
from faq.scoring import MatcherConfig, Scorer, decide
from faq.segments import split_segments, split_sentences
from faq.subjects import Subjects
from faq.tokens import Tokenizer

__all__ = ["OOS_PREFIX", "MatchResult", "Matcher", "MatcherConfig", "decide", "default_matcher", "match"]


@dataclass
class MatchResult:
    """What the matcher says about one message.

    ``topic``: the confident answer, or None. ``alternatives``: with a topic, the runners-up
    (for logs); without one, the topics to offer as a pick list, best first (empty: hand over).
    ``language``: "en" when the message is English (answer with the topic's ``answer_en``).
    """

    topic: str | None
    score: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    # Why the matcher abstained: "" when confident, else "out_of_scope", "low_score" or "ambiguous".
    reason: str = ""
    language: str = "vi"

    @property
    def confident(self) -> bool:
        return self.topic is not None


class Matcher(Readings):
    """Thread-safe: ``reload`` builds a new index and swaps it in one assignment."""

    def __init__(self, kb: KnowledgeBase, config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self._kb = kb
        self._scorer = Scorer(build_index(kb, self.config.chance_pmi), self.config)
        self._audience = build_audience(kb, self._scorer.index)
        self._subjects = Subjects(kb, self._scorer.index, self.config.subject_tokens)
        self._tokenizer = Tokenizer(self._scorer.index, self.config)

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self._kb

    @property
    def index(self) -> Index:
        return self._scorer.index

    def reload(self, kb: KnowledgeBase | None = None) -> None:
        """Re-read the knowledge base (from its source folder unless one is given).

        A broken file raises KnowledgeBaseError and leaves the current index in service.
        """
        new_kb = kb if kb is not None else load_knowledge_base(self._kb.source)
        scorer = Scorer(build_index(new_kb, self.config.chance_pmi), self.config)
        tokenizer = Tokenizer(scorer.index, self.config)
        audience = build_audience(new_kb, scorer.index)
        subjects = Subjects(new_kb, scorer.index, self.config.subject_tokens)
        self._kb, self._scorer, self._tokenizer, self._audience = new_kb, scorer, tokenizer, audience
        self._subjects = subjects

    def forget_messages(self) -> None:
        """Forget the tokens of the messages seen; a benchmark then measures the work of each."""
        self._tokenizer.forget()

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Candidate labels of the whole message with their final score, best first (OOS included)."""
        return self._score(text, is_english(text))[0]

    def match(self, text: str) -> MatchResult:
        """Answer, offer or abstain; a message of several sentences is also read sentence by sentence.

        The whole message decides first. Then its sentences, each on its own:
        * whole confident, but another sentence answers confidently a topic the whole also
          rates close (within ``rival_gap``): two problems in one message, offer both;
        * whole not sure, and the sentences that answer confidently all answer the topic the
          whole ranks first (at or above the threshold): the story and the sentence agree,
          the whole was only short of lead, answer it;
        * otherwise offer the whole message's candidates plus each topic a sentence answers.
        Out-of-scope groups are judged on the whole message only: a context sentence ("em làm
        khai sinh cho con") looks like a which-papers question on its own and would silence
        the error next to it.
        """
        cfg = self.config
        english = is_english(text)
        language = "en" if english else "vi"
        if english:
            text = self._without_introduction(text)
        # English needs its reading as written too (see _overruled); Vietnamese goes through
        # scores(), which tests override to pin the decision rule.
        ranked, written = self._score(text, english) if english else (self.scores(text), [])
        topics, best_oos = self._split(ranked)
        topic, score, offered, reason = decide(topics, best_oos, cfg)
        rival = self._overruled(topic, score, written, ranked) if english and topic is not None else None
        named = self._named_only(text, english, topic) if topic is not None and rival is None else None
        # A near miss names another subject (faq.subjects): offered, not answered.
        clear = topic is not None and rival is None and named is None
        foreign = self._foreign(text, english, topic) if clear and topic is not None else None
        # An English answer that rests on the translation alone is offered (Readings._supported).
        unsupported = english and topic is not None and not self._supported(topic, score, written)
        contradicted = (
            rival is not None
            or named is not None
            or foreign is not None
            or (topic is not None and self._one_word(text, english))
        )
        vetoed = topic is not None and (unsupported or contradicted)
        if vetoed:
            topic, score, offered, reason = decide(topics, best_oos, cfg, sure=False)
            other = rival or named  # the other reading's choice is offered too
            if other is not None and other[0].startswith(OOS_PREFIX):
                offered, reason = [], "out_of_scope"  # without the office's name: out of scope
            elif other is not None and other[0] not in dict(offered):
                offered = [*offered[: cfg.alternatives - 1], (other[0], dict(topics).get(other[0], other[1]))]
            reason = "ambiguous" if len(offered) > 1 else reason
        # A message whose best topic is under the floor is about something else, and a sentence
        # of it may still look like a topic ("karaoke ... gọi ai để xử lý" → old dossiers).
        readable = reason != "out_of_scope" and score >= cfg.floor
        # A long story ties with an out-of-scope group because its context (work, family, a
        # procedure) reads like one; its topics are offered, never answered.
        tied = reason == "out_of_scope" and not offered and topics and best_oos - score <= cfg.oos_margin
        if tied and score >= cfg.floor and len(split_segments(text)) >= _STORY:
            offered = [(t, v) for t, v in topics if v >= cfg.floor and score - v <= cfg.spread][
                : cfg.alternatives
            ]
        if topic is not None and (len(topics) < 2 or topics[1][1] < score - cfg.rival_gap):
            readable = False  # no topic rates close enough to be a rival: nothing to read again
        segments = split_segments(text) if readable else []
        if len(segments) < 2:
            return MatchResult(topic, score, offered, reason, language)
        answers, merged = self._sentences(segments, english, topics)
        whole = dict(topics)
        if topic is not None:
            rivals = [t for t in answers if t != topic and whole.get(t, 0.0) >= score - cfg.rival_gap]
            if english and topic in answers:
                # English clauses read through the translation are noisy ("is there a fee?"
                # beside an account question): a rival must be surer than the answer's own.
                rivals = [t for t in rivals if answers[t] > answers[topic]]
            if not rivals:
                return MatchResult(topic, score, offered, reason, language)
            # "hồ sơ bị trả về bổ sung, bổ sung xong up file lại báo lỗi định dạng": both.
            picked = [topic, *dict.fromkeys(rivals)]  # a list: equal scores keep this order
            ranked = sorted(((t, whole[t]) for t in picked), key=lambda item: item[1], reverse=True)
            return MatchResult(None, score, ranked[: cfg.alternatives], "ambiguous", language)
        # A sentence may settle the lead, not the level: the whole message must itself reach the
        # threshold ("xem trước bản in bị lệch, mất phần chữ ký của lãnh đạo" is about printing
        # at 49 on the whole, and its second clause alone looks like a certificate question).
        # A vetoed answer stays offered: its sentence would only repeat the contradicted reading.
        leader = topics[0][0] if score >= cfg.threshold and not vetoed else None
        # An English story's answer resting on the translation (unsupported) may be supported
        # once its context is left out: "I'm David, a retired Australian living in Đồ Sơn ..."
        # dilutes the English reading of "the application page still says the charge is
        # outstanding" under the floor; _without_context asks the support of the core.
        if leader is None and english and not contradicted and len(answers) == 1 and topics[0][0] in answers:
            leader = self._without_context(segments, topics[0][0])
        if len(answers) == 1 and leader in answers:
            runners = [(t, v) for t, v in topics[1:] if v >= cfg.threshold]
            return MatchResult(leader, answers[leader], runners[: cfg.alternatives - 1], "", language)
        # Ordered (offered first, then the sentences' answers): a set ordered equal scores by the
        # process's hash seed, so the same message could get its pick list in another order.
        picked = list(dict.fromkeys([*(t for t, _ in offered), *answers]))
        scored = {**dict(offered), **merged}  # an offered rival of another reading may be unranked here
        ranked = sorted(((t, scored[t]) for t in picked), key=lambda item: item[1], reverse=True)
        offered = ranked[: cfg.alternatives]
        return MatchResult(None, score, offered, "ambiguous" if len(offered) > 1 else "low_score", language)

    @staticmethod
    def _without_introduction(text: str) -> str:
        """An English message without the sentences that only say who writes (faq.language.
        introduction), when another sentence remains: "I'm a Singaporean manager at a
        logistics company" had matched the organisation-account topic at 82 inside a
        question about filing outside one's ward."""
        sentences = split_sentences(text)
        kept = [s for s in sentences if not introduction(s)]
        return ". ".join(kept) if kept and len(kept) < len(sentences) else text

    def match_many(self, texts: Iterable[str]) -> list[MatchResult]:
        return [self.match(t) for t in texts]


_STORY = 4  # sentences that make a message a story (see match)


_default_lock = threading.Lock()
_default: Matcher | None = None


def default_matcher() -> Matcher:
    """The matcher over the shipped knowledge base, built once per process."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Matcher(load_knowledge_base())
    return _default


def match(text: str) -> MatchResult:
    return default_matcher().match(text)
