"""Negative evidence: a message about the subject of an out-of-scope group is not answered.

Why: the scores measure what a message shares with a topic; a word the topic never uses only
dilutes them a little, and the fuzzy part (token_set_ratio) ignores it. A near miss — a topic's
words about something else: "quên mật khẩu facebook", "ngân hàng gửi otp … chuyển khoản",
"đóng tiền điện bị trừ tiền 2 lần", "mật khẩu wifi ở trung tâm phục vụ hành chính công" —
shares the topic's frame so well that it was answered at 70–80, while the one word that says
what the message is about (facebook, chuyển khoản, tiền điện, wifi) belongs to an
out-of-scope group. Each group may list such subject words (``keywords`` in
out_of_scope.yaml). When the message names one that the answered topic's own phrasings,
title and keywords never use, the answer rests on shared generic words (mật khẩu, OTP, trừ
tiền): it is offered, not given.

Only in a short message (at most ``longest`` words once places and politeness are set
aside): a long story names its circumstances ("hồ sơ vay vốn ở ngân hàng … sổ đỏ ghi xã cũ",
"con tôi đi làm xa … xin việc") around the question it asks, and there the topic's own
vocabulary carries the answer. A topic that speaks of the subject itself (a VNeID error
"dù wifi vẫn dùng được") is not contradicted by it: the check is against its phrasings.

Some subjects exist only next to the name of a procedure: "thu bao nhiêu" alone may ask what
filing online costs (the online-fees topic), but "lệ phí đăng ký kết hôn có yếu tố nước ngoài
thu bao nhiêu" asks the amount of one procedure's fee, a policy question outside every topic's
scope (the fees topic says how online payment and its discounts work, not what a procedure
costs). Such a keyword is written "thu bao nhiêu + tên thủ tục": it is a subject only when the
message also names a procedure (faq.features.PROCEDURE_PHRASES), and a topic contradicts it only
if none of its own phrasings names a procedure together with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from faq.features import NOT_NAMES, procedure_positions
from faq.index import OOS_PREFIX, Index, canonical
from faq.knowledge import KnowledgeBase
from faq.language import EN_MARK
from faq.normalize import normalize

Reading = tuple[Sequence[str], set[int]]  # normalised tokens and the positions left out

# Words that name the system a message is about: "app X", "ứng dụng X", "tài khoản X",
# "mật khẩu X", "phần mềm X". See Subjects._other_system.
_SYSTEM_HEADS = (("app",), ("ung", "dung"), ("tai", "khoan"), ("mat", "khau"), ("phan", "mem"))
# X must be a content word: three letters or more (not "e", "a") and rare in the knowledge
# base (idf ≥ 2.0, used by fewer than a fifth of the labels: not "bạn", "cũ", "bị") or unknown.
_NAME_IDF = 2.0
# Nor a word that ends a phrase or links it: "nó khóa tk luôn" (luôn = at once) had made "luôn"
# another system, rare as it is in the knowledge base. The words that end a place name
# (faq.features.NOT_NAMES: cũ, mới, của, rồi, được...) plus sentence-final particles.
_NOT_SYSTEM_NAMES = NOT_NAMES | {
    "luon",
    "nua",
    "het",
    "lai",
    "dau",
    "nhe",
    "nha",
    "ha",
    "ak",
    "ah",
    "nay",
    "thi",
}
# English words after a brand ("my Vietcombank app"), as English tokens carry them. See Subjects._brand.
_ENGLISH_HEADS = frozenset(EN_MARK + w for w in ("app", "account", "password", "login", "wallet"))
# Suffix of a keyword that is a subject only next to a procedure's name (see the module's doc).
WITH_PROCEDURE = "+ tên thủ tục"


def _forms(phrase: str) -> set[tuple[str, ...]]:
    """A subject word as a Vietnamese message and as an English one normalise it."""
    forms = {tuple(canonical(phrase).split())}
    if phrase.isascii():
        english = tuple(canonical(phrase, english=True).split())
        # Marked as an English word ("parcel"), or unmarked as a capitalised name, unstemmed
        # ("Facebook", "Shopee").
        forms |= {english, tuple(w.removeprefix(EN_MARK) for w in english)}
        forms.add(tuple(normalize(phrase, english=True).split()))
    return {form for form in forms if form}


class Subjects:
    """Subject words of the out-of-scope groups, and which topics use them themselves."""

    def __init__(self, kb: KnowledgeBase, index: Index, longest: int) -> None:
        self.index, self.longest = index, longest
        label = {name: i for i, name in enumerate(index.labels)}
        self._groups: dict[tuple[str, ...], set[int]] = defaultdict(set)
        # Subject words that count only when the message names a procedure too.
        self._paired: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for group, words in kb.out_of_scope_keywords.items():
            if OOS_PREFIX + group in label:
                for word in words:
                    paired = word.strip().endswith(WITH_PROCEDURE)
                    table = self._paired if paired else self._groups
                    for form in _forms(word.strip().removesuffix(WITH_PROCEDURE).strip()):
                        table[form].add(label[OOS_PREFIX + group])
        self._by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for form in self._groups:
            self._by_first[form[0]].append(form)
        self._paired_by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for form in self._paired:
            self._paired_by_first[form[0]].append(form)
        # The topics' terms (keywords): a subject word inside a longer one is part of that term,
        # not a subject: "số dư" (a bank balance) in "cơ sở dữ liệu", folded without marks.
        self._terms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for topic in kb.topics.values():
            for keyword in topic.keywords:
                term = tuple(canonical(keyword).split())
                if len(term) > 1:
                    self._terms[term[0]].append(term)
        # Per topic: the subject words its own phrasings, title or keywords use.
        self._used: dict[int, set[tuple[str, ...]]] = {}
        for tid, topic in kb.topics.items():
            texts = [text.split() for text in index.examples[label[tid]]]
            texts += [canonical(k).split() for k in topic.keywords]
            self._used[label[tid]] = {p for tokens in texts for p in self._named(tokens)}
            # Paired words a phrasing of the topic itself uses next to a procedure's name.
            self._used[label[tid]] |= {
                p
                for tokens in texts
                if procedure_positions(tokens)
                for p in self._named(tokens, self._paired_by_first)
            }

    def foreign(
        self, readings: Sequence[Reading], topic: str, english: bool = False
    ) -> tuple[str, str] | None:
        """(group, subject) when a short reading names a group's subject, or ("", name) when it
        names another system, that ``topic`` never speaks of; else None.

        ``english``: the first reading is English as written, where a brand comes before the
        word it names ("my Vietcombank app"); the others are its word-by-word translation, a
        bag of Vietnamese words where "mật khẩu" may be followed by any word ("The normal
        password I know" → "mật khẩu biết"): no system is read from them."""
        if not (self._groups or self._paired) or topic not in self.index.labels:
            return None
        t = self.index.labels.index(topic)
        for number, (tokens, skip) in enumerate(readings):
            if len(tokens) - len(skip) > self.longest:
                continue  # a long story names its circumstances (a loan, a job): context
            for phrase in self._named(tokens):
                if phrase not in self._used.get(t, ()):  # else the topic speaks of it ("wifi")
                    group = self.index.labels[min(self._groups[phrase])]
                    return group.removeprefix(OOS_PREFIX), " ".join(phrase)
            if procedure_positions(tokens):  # "lệ phí kết hôn … thu bao nhiêu": one procedure's fee
                for phrase in self._named(tokens, self._paired_by_first):
                    if phrase not in self._used.get(t, ()):
                        group = self.index.labels[min(self._paired[phrase])]
                        return group.removeprefix(OOS_PREFIX), " ".join(phrase)
            if not english:
                other = self._other_system(tokens, t)
            else:
                other = self._brand(tokens, skip, t) if number == 0 else None
            if other is not None:
                return "", other
        return None

    def _brand(self, tokens: Sequence[str], skip: set[int], t: int) -> str | None:
        """In English, a brand before "app", "account", "password" or "login" that the topic
        never speaks of: "My Vietcombank app won't let me log in after I changed phones" was
        answered with the VNeID new-phone topic. Only a word that is not English (names carry
        no English mark: faq.index.canonical), three letters or more, rare in the knowledge
        base or unknown; "my tax account", "this account" stay English words."""
        for i in range(1, len(tokens)):
            if tokens[i] not in _ENGLISH_HEADS or i - 1 in skip:
                continue
            name = tokens[i - 1]
            if not name.startswith(EN_MARK) and self._unknown_to(name, t):
                return name
        return None

    def _other_system(self, tokens: Sequence[str], t: int) -> str | None:
        """A system the message names ("app ngân hàng", "mật khẩu app vietjet", "tài khoản
        game") that the topic never speaks of. No list can name every bank, shop or game, but
        the words around the name say it is one: "app ngân hàng báo đăng nhập trên thiết bị
        mới phải xác thực" was answered with the VNeID new-phone topic at 61."""
        # Vietnamese order only: English puts the name first ("my tax account"), and the word
        # before "account" was as often "now", "this" or "organization" (the phrasings spell
        # "organisation"): 6 in-scope English answers lost.
        names = []
        for i in range(len(tokens)):
            for head in _SYSTEM_HEADS:
                # "tài khoản của mình": after "của" comes a person, not a system.
                if tuple(tokens[i : i + len(head)]) == head and i + len(head) < len(tokens):
                    names.append(tokens[i + len(head)])
        for name in names:
            if name not in _NOT_SYSTEM_NAMES and self._unknown_to(name, t):
                return name
        return None

    def _unknown_to(self, name: str, t: int) -> bool:
        """Whether ``name`` can name another system that topic ``t`` never speaks of: a word
        of three letters or more, rare in the knowledge base (``_NAME_IDF``) or unknown to it,
        and absent from the topic's own phrasings."""
        if len(name) < 3 or not name.isalpha() or self.index.idf.get(name, _NAME_IDF) < _NAME_IDF:
            return False
        labels = self.index.postings.get(name)
        return labels is None or t not in labels.tolist()

    def _named(
        self, tokens: Sequence[str], by_first: dict[str, list[tuple[str, ...]]] | None = None
    ) -> list[tuple[str, ...]]:
        """The subject words in ``tokens`` (of ``by_first``, by default the plain ones), in
        order, except inside a longer term of a topic."""
        by_first = self._by_first if by_first is None else by_first
        terms = [
            (i, i + len(term))
            for i, token in enumerate(tokens)
            for term in self._terms.get(token, ())
            if tuple(tokens[i : i + len(term)]) == term
        ]
        return [
            phrase
            for i, token in enumerate(tokens)
            for phrase in by_first.get(token, ())
            if tuple(tokens[i : i + len(phrase)]) == phrase
            and not any(s <= i and i + len(phrase) <= e and e - s > len(phrase) for s, e in terms)
        ]
