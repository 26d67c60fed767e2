"""Match a free-text message to an FAQ topic, or abstain.

A wrong answer is worse than a hand-over to the task force, so the matcher abstains unless
one topic is clearly ahead. Scoring, on normalised text (see faq.normalize):

1. Lexical coverage: which share of the message's information (syllables and syllable pairs,
   weighted by how specific they are to one topic) the topic's examples, title and keywords
   account for. This is what separates "quên mật khẩu VNeID" from "quên mật khẩu Zalo".
2. tf-idf cosine to the topic's closest example.
3. Fuzzy similarity (rapidfuzz) to the closest examples, computed only for the few best
   lexical candidates; it rewards whole phrasings and tolerates typos.
4. An evidence factor: a message that shares only one generic word with a topic is not a match.

Out-of-scope groups (greetings, roads, banks, spam...) are scored like topics; when one of them
wins the message is out of scope and no alternatives are offered.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from faq.features import (
    capitalised,
    features,
    filler_positions,
    months,
    place_positions,
    procedure_positions,
)
from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.normalize import is_syllable, normalize

OOS_PREFIX = "~"  # label prefix of out-of-scope groups inside the index, never returned


@dataclass(frozen=True)
class MatcherConfig:
    """Calibrated on tests/data/faq-dev.jsonl; see faq/README.md for the figures."""

    lexical_weight: float = 0.4  # share of the final score from lexical coverage
    bigram_share: float = 0.4  # share of lexical coverage from syllable pairs
    unknown_weight: float = 1.5  # weight of a syllable the knowledge base has never seen
    typo_cutoff: float = 85.0  # rapidfuzz ratio for mapping an unknown syllable to a known one
    fuzzy_examples: int = 6  # per label, examples (closest by cosine) that get fuzzy scoring; 0 = all
    candidates: int = 4  # labels that get the (slower) fuzzy scoring
    threshold: float = 55.0  # below: abstain without alternatives
    confident: float = 55.0  # at or above (and clearly ahead): answer
    margin: float = 2.5  # top-1 minus top-2 below this: too close, offer alternatives
    oos_margin: float = 2.0  # an out-of-scope group within this of the best topic wins
    alternatives: int = 3
    # A best score just over the threshold is itself doubtful: at the threshold the lead over the
    # runner-up must be margin + edge, falling to margin at threshold + edge. See match().
    edge: float = 2.5
    fuzzy_scorer: str = "token_set_ratio"  # rapidfuzz.fuzz function name
    cosine_weight: float = 0.2  # share of the final score from the closest example (tf-idf cosine)
    # Matched information needed for full marks, in units of the idf of a word used by a single
    # label: one generic word ("nhiều", "bạn") fully "covered" by a topic is not evidence,
    # a specific word plus some context ("otp ko về") is.
    evidence: float = 1.5
    # Ignore procedure names (faq.features) when at least this many other words remain; 0 = never.
    skip_procedures: int = 8
    # A syllable pair whose syllables meet less often than chance (PMI over the knowledge base
    # at or below this) is not a term: it counts for a label only when two or more of the
    # label's phrasings (or one keyword) contain it. See _gains; None = every pair counts.
    chance_pmi: float | None = -0.5


@dataclass
class MatchResult:
    topic: str | None
    score: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    # Why the matcher abstained: "" when confident, else "out_of_scope", "low_score" or "ambiguous".
    reason: str = ""

    @property
    def confident(self) -> bool:
        return self.topic is not None


def _canonical(text: str) -> str:
    """Normalised text with month numbers generalised: "tháng 4" and "tháng 6" say the same."""
    return " ".join(months(normalize(text).split()))


@dataclass(frozen=True)
class _Index:
    labels: tuple[str, ...]
    postings: dict[str, np.ndarray]  # feature -> indexes of the labels that use it
    gains: dict[str, np.ndarray]  # feature -> its weight for each label of postings[feature]
    idf: dict[str, float]
    vocabulary: tuple[str, ...]  # known unigrams, for typo repair
    examples: tuple[tuple[str, ...], ...]  # normalised example phrasings per label
    # Examples of all labels, numbered label by label: label i owns [bounds[i], bounds[i + 1]).
    # example_postings: feature -> numbers of the examples using it; norms: tf-idf vector norms.
    example_postings: dict[str, np.ndarray]
    norms: np.ndarray
    bounds: np.ndarray


_REPEATED = 2  # phrasings of a label that make a chance pair that label's vocabulary


@dataclass(frozen=True)
class _Counts:
    """Occurrences in the knowledge base's phrasings, for telling terms from chance pairs."""

    phrasings: int
    unigrams: Counter[str]  # feature -> phrasings containing it (all labels)
    pairs: Counter[str]
    support: Counter[tuple[str, int]]  # (pair, label) -> phrasings of that label containing it

    def pmi(self, pair: str) -> float:
        first, second = pair.split()
        expected = self.unigrams[first] * self.unigrams[second] / self.phrasings
        return math.log(self.pairs[pair] / expected)


def _count(docs: Sequence[Sequence[str]], keywords: Sequence[Sequence[str]]) -> _Counts:
    """Count features over every label's phrasings (docs) and keywords, index by index."""
    unigrams: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    support: Counter[tuple[str, int]] = Counter()
    for index, (phrasings, words) in enumerate(zip(docs, keywords, strict=True)):
        for text in phrasings:
            singles, doubles = features(text.split())
            unigrams.update(singles)
            pairs.update(doubles)
            support.update((pair, index) for pair in doubles)
        for text in words:
            singles, doubles = features(text.split())
            unigrams.update(singles)
            pairs.update(doubles)
            support.update({(pair, index): _REPEATED for pair in doubles})  # a keyword is deliberate
    total = sum(len(d) for d in docs) + sum(len(k) for k in keywords)
    return _Counts(total, unigrams, pairs, support)


def _gains(
    postings: dict[str, np.ndarray], idf: dict[str, float], counts: _Counts, chance_pmi: float
) -> dict[str, np.ndarray]:
    """Each feature's weight for each label that uses it: its idf, or 0 for a chance pair.

    Few labels use a pair of common syllables that merely sit side by side ("hồ sơ | xong",
    "xong | không" in "nộp hồ sơ xong mở ra không thấy tệp"), so its idf is as high as that of
    a real term ("trạng thái", "đính kèm"), and a message with the same sentence frame but
    another subject was "covered" by that topic. Such a pair is vocabulary of a label only if
    the label uses it repeatedly; a pair whose syllables belong together (PMI above
    ``chance_pmi``: "sổ đỏ", "mật khẩu") keeps its weight wherever it appears.
    """
    gains: dict[str, np.ndarray] = {}
    for feature, labels in postings.items():
        weight = np.full(len(labels), idf[feature])
        if " " in feature and counts.pmi(feature) <= chance_pmi:
            support = [counts.support[(feature, i)] for i in labels.tolist()]
            weight[np.asarray(support) < _REPEATED] = 0.0
        gains[feature] = weight
    return gains


def _build_index(kb: KnowledgeBase, chance_pmi: float | None = None) -> _Index:
    labels: list[str] = []
    docs: list[list[str]] = []
    keywords: list[list[str]] = []
    examples: list[tuple[str, ...]] = []
    for topic in kb.topics.values():
        phrasings = [_canonical(t) for t in (*topic.examples, topic.title)]
        labels.append(topic.id)
        docs.append(phrasings)
        keywords.append([_canonical(k) for k in topic.keywords])
        examples.append(tuple(p for p in phrasings if p))
    for group, texts in kb.out_of_scope.items():
        phrasings = [_canonical(t) for t in texts]
        labels.append(OOS_PREFIX + group)
        docs.append(phrasings)
        keywords.append([])
        examples.append(tuple(p for p in phrasings if p))
    postings: dict[str, set[int]] = defaultdict(set)
    for index, (phrasings, words) in enumerate(zip(docs, keywords, strict=True)):
        for text in (*phrasings, *words):
            unigrams, bigrams = features(text.split())
            for feature in unigrams | bigrams:
                postings[feature].add(index)
    n = len(labels)
    # Smoothed inverse document frequency over labels: a syllable used by one topic is strong
    # evidence, one used by every topic ("khong", "duoc") is almost none.
    idf = {f: math.log(1 + n / len(ix)) for f, ix in postings.items()}
    vocabulary = tuple(sorted(f for f in postings if " " not in f and len(f) >= 3))
    arrays = {f: np.fromiter(sorted(ix), dtype=np.intp, count=len(ix)) for f, ix in postings.items()}
    if chance_pmi is None:
        gains = {f: np.full(len(ix), idf[f]) for f, ix in arrays.items()}
    else:
        gains = _gains(arrays, idf, _count(docs, keywords), chance_pmi)
    example_sets: dict[str, list[int]] = defaultdict(list)
    norms: list[float] = []
    bounds = [0]
    for label_examples in examples:
        for text in label_examples:
            unigrams, bigrams = features(text.split())
            feats = unigrams | bigrams
            for feature in feats:
                example_sets[feature].append(len(norms))
            norms.append(math.sqrt(sum(idf[f] ** 2 for f in feats)) or 1.0)
        bounds.append(len(norms))
    example_postings = {f: np.asarray(ix, dtype=np.intp) for f, ix in example_sets.items()}
    return _Index(
        labels=tuple(labels),
        postings=arrays,
        gains=gains,
        idf=idf,
        vocabulary=vocabulary,
        examples=tuple(examples),
        example_postings=example_postings,
        norms=np.asarray(norms, dtype=float),
        bounds=np.asarray(bounds, dtype=np.intp),
    )


class Matcher:
    """Thread-safe: ``reload`` builds a new index and swaps it in one assignment."""

    def __init__(self, kb: KnowledgeBase, config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self._kb = kb
        self._index = _build_index(kb, self.config.chance_pmi)
        self._repair = lru_cache(maxsize=4096)(self._repair_uncached)

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self._kb

    def reload(self, kb: KnowledgeBase | None = None) -> None:
        """Re-read the knowledge base (from its source folder unless one is given).

        A broken file raises KnowledgeBaseError and leaves the current index in service.
        """
        new_kb = kb if kb is not None else load_knowledge_base(self._kb.source)
        index = _build_index(new_kb, self.config.chance_pmi)
        repair = lru_cache(maxsize=4096)(self._repair_uncached)
        self._kb, self._index, self._repair = new_kb, index, repair

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
            token, self._index.vocabulary, scorer=fuzz.ratio, score_cutoff=self.config.typo_cutoff
        )
        return found[0] if found else None

    def _tokens(self, text: str) -> tuple[list[str], set[int]]:
        """Normalised tokens (typos repaired) and the positions that hold a place name."""
        index = self._index
        out: list[str] = []
        for token in _canonical(text).split():
            if token not in index.idf:
                token = self._repair(token) or token
            out.append(token)
        skip = place_positions(out, capitalised(text)) | filler_positions(out)
        procedures = procedure_positions(out)
        # In a long message the procedure is context; in a short one it may be the whole question
        # ("thủ tục cấp sổ hồng"), which must stay recognisable as out of scope.
        keep = self.config.skip_procedures
        if procedures and keep and len(out) - len(skip | procedures) >= keep:
            skip |= procedures
        return out, skip

    def scores(self, text: str) -> list[tuple[str, float]]:
        """All candidate labels with their final score, best first (includes OOS labels)."""
        cfg, index = self.config, self._index
        tokens, places = self._tokens(text)
        unigrams, bigrams = features(tokens, places)
        uni_total = sum(index.idf.get(u, cfg.unknown_weight) for u in unigrams)
        if uni_total <= 0:
            return []
        bi_total = sum(index.idf.get(b, 0.0) for b in bigrams)
        size = len(index.labels)
        uni_hit, bi_hit = np.zeros(size), np.zeros(size)
        # Each label appears once per posting list, so fancy-index += is a correct scatter-add.
        for feature in unigrams:
            if feature in index.idf:
                uni_hit[index.postings[feature]] += index.gains[feature]
        for feature in bigrams:
            if feature in index.idf:
                bi_hit[index.postings[feature]] += index.gains[feature]
        if not uni_hit.any():
            return []
        uni_cov = uni_hit / uni_total
        bi_cov = bi_hit / bi_total if bi_total else uni_cov
        lexical = (1 - cfg.bigram_share) * uni_cov + cfg.bigram_share * bi_cov
        k = min(cfg.candidates, size)
        ranked = np.argpartition(-lexical, k - 1)[:k] if k < size else np.arange(size)
        query = " ".join(tokens)
        cosines = self._cosines(unigrams | bigrams) if cfg.cosine_weight > 0 else None
        fuzzy_weight = 1 - cfg.lexical_weight - cfg.cosine_weight
        evidence = cfg.evidence * math.log(1 + size)
        results = []
        for label in ranked.tolist():
            if lexical[label] <= 0:
                continue
            examples = index.examples[label]
            cosine = 0.0
            if cosines is not None:
                start, end = index.bounds[label], index.bounds[label + 1]
                if end > start:
                    label_cosines = cosines[start:end]
                    cosine = float(label_cosines.max())
                    if cfg.fuzzy_examples and end - start > cfg.fuzzy_examples:
                        # Phrasing similarity only for the examples closest in vocabulary:
                        # the same answer at a fraction of the cost on large groups.
                        nearest = np.argpartition(-label_cosines, cfg.fuzzy_examples - 1)[
                            : cfg.fuzzy_examples
                        ]
                        examples = tuple(examples[i] for i in nearest.tolist())
            fuzzy = self._fuzzy(query, examples) if fuzzy_weight > 0 else 0.0
            final = (
                100 * (cfg.lexical_weight * float(lexical[label]) + cfg.cosine_weight * cosine)
                + fuzzy_weight * fuzzy
            )
            final *= min(1.0, float(uni_hit[label]) / evidence) if evidence > 0 else 1.0
            results.append((index.labels[label], round(final, 1)))
        results.sort(key=lambda item: item[1], reverse=True)
        return results

    def _fuzzy(self, query: str, examples: Sequence[str]) -> float:
        scorer = getattr(fuzz, self.config.fuzzy_scorer)
        found = process.extractOne(query, examples, scorer=scorer, processor=None)
        return float(found[1]) if found else 0.0

    def _cosines(self, features: set[str]) -> np.ndarray:
        """Cosine between the query's tf-idf vector and every example, by scatter-add."""
        index = self._index
        dots = np.zeros(len(index.norms))
        qsquare = 0.0
        for feature in features:
            weight = index.idf.get(feature)
            if weight is not None:
                qsquare += weight * weight
                postings = index.example_postings.get(feature)  # keyword-only features have none
                if postings is not None:
                    dots[postings] += weight * weight
        return dots / (index.norms * (math.sqrt(qsquare) or 1.0))

    def match(self, text: str) -> MatchResult:
        cfg = self.config
        ranked = self.scores(text)
        topics = [(label, score) for label, score in ranked if not label.startswith(OOS_PREFIX)]
        best_oos = max((s for label, s in ranked if label.startswith(OOS_PREFIX)), default=0.0)
        if not topics:
            return MatchResult(None, 0.0, [], "out_of_scope" if best_oos else "low_score")
        best_id, best = topics[0]
        if best_oos >= best - cfg.oos_margin:
            return MatchResult(None, best, [], "out_of_scope")
        if best < cfg.threshold:
            return MatchResult(None, best, [], "low_score")
        runners = [(tid, s) for tid, s in topics[1:] if s >= cfg.threshold]
        # The lead is measured to the real runner-up, also when it is under the threshold. A long
        # message dilutes every topic's coverage: the runners-up slip under the threshold while
        # the best stays just on it, and a lead over "nothing" (second = 0) let a topic that
        # shared only the sentence frame answer at 55.0 ("phần mềm một cửa ... không tìm thấy
        # mẫu phiếu để in cho dân" → USB token), while the shorter message, whose runner-up
        # stayed over the threshold, abstained at 62.6. A score on the threshold also needs
        # more lead than one well above it.
        second = topics[1][1] if len(topics) > 1 else 0.0
        lead = cfg.margin + max(0.0, cfg.edge - (best - cfg.threshold))
        if best < cfg.confident or best - second < lead:
            close = [(tid, s) for tid, s in topics if s >= cfg.threshold and best - s < 2 * cfg.margin]
            if len(close) < 2:
                if best >= cfg.confident:
                    # No rival worth offering: a marginal score, not a choice between topics.
                    return MatchResult(None, best, [], "low_score")
                close = topics[:1]
            return MatchResult(None, best, close[: cfg.alternatives], "ambiguous")
        return MatchResult(best_id, best, runners[: cfg.alternatives - 1], "")

    def match_many(self, texts: Iterable[str]) -> list[MatchResult]:
        return [self.match(t) for t in texts]


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
