"""The matcher's index over the knowledge base: postings, idf, chance pairs, example vectors.

Built once per (re)load; faq.matcher scores messages against it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from faq.features import capitalised, features, months
from faq.knowledge import KnowledgeBase
from faq.language import EN_MARK, FUNCTION_WORDS, is_english, shared_words, stem, vietnamese_words
from faq.normalize import is_syllable, normalize

OOS_PREFIX = "~"  # label prefix of out-of-scope groups inside the index, never returned


def canonical(text: str, english: bool = False) -> str:
    """Normalised text with month numbers generalised: "tháng 4" and "tháng 6" say the same.

    English text is also stemmed ("mailed" → "mail"), on both sides: the query and the
    knowledge base's English phrasings, and its words are marked with ``EN_MARK`` so they
    live apart from Vietnamese syllables: "may" (the month) is not "mấy", "to" not "tờ",
    "do" not "đó". Unmarked, the English phrasings gave Vietnamese messages postings and
    shifted the idf of common syllables ("giờ bỏ cấp huyện ... làm ở đâu" went to the
    pre-July topic through "in May"). Numbers, acronyms (VNeID, OTP, DVC) and capitalised
    names (Hai Phong, Cat Ba) are the same in both languages and stay unmarked. English words
    the Vietnamese phrasings use ("token", "plugin") meet them through the translated reading
    (faq.language.translate keeps ``Index.loanwords``): in English "file" is also a verb.
    """
    tokens = months(normalize(text, english=english).split())
    if not english:
        return " ".join(tokens)
    # Vietnamese words inside English ("my phường", "on dịch vụ công") stay Vietnamese syllables.
    names = (capitalised(text) - FUNCTION_WORDS) | set(vietnamese_words(text))
    shared = shared_words()
    stems = [(t, stem(t)) for t in tokens]  # "three" → "3": a number, the same in both languages
    return " ".join(
        s if s.isdigit() or s == "#" else t if t in shared or t in names else EN_MARK + s for t, s in stems
    )


@dataclass(frozen=True)
class Index:
    labels: tuple[str, ...]
    postings: dict[str, np.ndarray]  # feature -> indexes of the labels that use it
    gains: dict[str, np.ndarray]  # feature -> its weight for each label of postings[feature]
    idf: dict[str, float]
    vocabulary: tuple[str, ...]  # known unigrams, for typo repair
    loanwords: frozenset[str]  # English words of the Vietnamese phrasings; see canonical()
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
        # A pair only English phrasings use is not counted (pairs[feature] == 0): keep it.
        if " " in feature and counts.pairs[feature] and counts.pmi(feature) <= chance_pmi:
            support = [counts.support[(feature, i)] for i in labels.tolist()]
            weight[np.asarray(support) < _REPEATED] = 0.0
        gains[feature] = weight
    return gains


def _loanwords(kb: KnowledgeBase) -> frozenset[str]:
    """Words of the Vietnamese phrasings that are not Vietnamese syllables ("token", "file")."""
    texts = [t for topic in kb.topics.values() for t in (*topic.examples, *topic.keywords)]
    texts += [t for group in kb.out_of_scope.values() for t in group if not is_english(t)]
    words = {w for t in texts for w in canonical(t).split()}
    return frozenset(w for w in words if w.isalpha() and not is_syllable(w))


def build_index(kb: KnowledgeBase, chance_pmi: float | None = None) -> Index:
    labels: list[str] = []
    docs: list[list[str]] = []
    keywords: list[list[str]] = []
    examples: list[tuple[str, ...]] = []
    # Vietnamese phrasings only, for the chance-pair statistics: English phrasings share no
    # syllable pair with them and would only inflate the count of phrasings (and every PMI).
    vietnamese: list[list[str]] = []
    loanwords = _loanwords(kb)
    for topic in kb.topics.values():
        native = [canonical(t) for t in (*topic.examples, topic.title)]
        phrasings = native + [canonical(t, english=True) for t in topic.examples_en]
        labels.append(topic.id)
        docs.append(phrasings)
        vietnamese.append(native)
        keywords.append([canonical(k) for k in topic.keywords])
        examples.append(tuple(p for p in phrasings if p))
    for group, texts in kb.out_of_scope.items():
        phrasings = [canonical(t, is_english(t)) for t in texts]
        labels.append(OOS_PREFIX + group)
        docs.append(phrasings)
        vietnamese.append([canonical(t) for t in texts if not is_english(t)])
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
    # English words (marked) are not repair targets for Vietnamese typos.
    vocabulary = tuple(sorted(f for f in postings if " " not in f and len(f) >= 3 and f[0] != EN_MARK))
    arrays = {f: np.fromiter(sorted(ix), dtype=np.intp, count=len(ix)) for f, ix in postings.items()}
    if chance_pmi is None:
        gains = {f: np.full(len(ix), idf[f]) for f, ix in arrays.items()}
    else:
        gains = _gains(arrays, idf, _count(vietnamese, keywords), chance_pmi)
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
    return Index(
        labels=tuple(labels),
        postings=arrays,
        gains=gains,
        idf=idf,
        vocabulary=vocabulary,
        loanwords=loanwords,
        examples=tuple(examples),
        example_postings=example_postings,
        norms=np.asarray(norms, dtype=float),
        bounds=np.asarray(bounds, dtype=np.intp),
    )
