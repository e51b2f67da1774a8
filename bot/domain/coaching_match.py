"""Signal matching: which sentences of an answer support a pointer or a red flag.

A concept matches a sentence when one of its phrases occurs there and is neither negated
("we never needed a rollback") nor disowned ("that's the security team's problem"). Negation is
judged on the clause before the phrase (and a copula + "not" right after it), with double
negation cancelling ("we never deploy without a rollback plan" still counts).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.domain.model import Signals
from bot.domain.text import BOUNDARY, Phrase, Sentence, compile_phrase, find, stem

NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "without",
        "nobody",
        "none",
        "nothing",
        "neither",
        "nor",
        "hardly",
        "barely",
        "skip",
        "skipped",
        "instead",
        "lack",
        "lacked",
        "lacking",
    }
)
# Words that end the reach of a negator ("we did not page anyone, but we rolled back").
CLAUSE_BREAKS = frozenset(
    {
        BOUNDARY,
        "but",
        "so",
        "because",
        "which",
        "although",
        "though",
        "while",
        "then",
        "and",
        "until",
        "once",
        "when",
        "after",
        "before",
        "since",
    }
)
NEG_WINDOW = 5
COPULA = frozenset({"is", "was", "were", "are", "be", "been", "being", "got", "get", "gets"})

# Generic disowning: a sentence that hands the subject to someone else supports no pointer.
DISOWNING = (
    "not my job",
    "not my problem",
    "not our job",
    "not our problem",
    "not my responsibility",
    "not our responsibility",
    "not my concern",
    "not our concern",
    "not really my",
    "someone else problem",
    "somebody else problem",
    "someone else job",
    "someone else responsibility",
    "somebody else job",
    "their problem",
    "their job",
    "the ... team problem",
    "the ... team job",
    "the ... team responsibility",
    "the ... team concern",
    "the ... team area",
    "the ... team call",
    "the ... team decision",
    "the ... team thing",
    "their call",
    "their decision",
    "their side",
    "let them decide",
    "more of a security thing",
    "more of a finance thing",
    "more of an ops thing",
    "i would leave",
    "i will leave",
    "left it to",
    "leave it to",
    "leave that to",
    "left that to",
    "above my pay grade",
    "outside my remit",
    "over the wall",
    "keep out of",
    "kept out of",
    "stay out of",
    "stayed out of",
)

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "as",
        "at",
        "is",
        "are",
        "be",
        "your",
        "you",
        "how",
        "what",
        "why",
        "this",
        "that",
        "it",
        "its",
        "not",
        "just",
        "rather",
        "than",
        "more",
        "less",
        "whether",
        "both",
        "each",
        "any",
        "into",
        "about",
        "e",
        "g",
        "eg",
        "i",
        "e",
        "show",
        "describe",
        "discuss",
        "mention",
        "explain",
        "cover",
        "address",
        "name",
        "start",
        "lead",
        "focus",
        "use",
        "using",
        "should",
        "would",
        "their",
        "them",
        "they",
        "we",
        "our",
        "own",
        "either",
        "way",
    ]
)


# A sentence that names a red flag only to reject it ("we moved away from hero culture", "I don't
# just list tools", "the trap is fixing it yourself") is no evidence for that flag.
REJECTION = (
    "moved away from", "move away from", "moving away from", "used to", "no longer", "not anymore",
    "not any more", "stopped doing", "stop doing", "avoid doing", "avoid being", "avoid that", "avoid this",
    "try to avoid", "trying to avoid", "want to avoid", "wanted to avoid",
    "anti pattern*", "antipattern*", "the trap", "a trap", "temptation", "tempting", "mistake", "bad habit",
    "not just", "rather than just",
    "instead of just", "not about", "the opposite of", "early in my career", "earlier in my career",
    "when i was junior", "when i was more junior", "back when i was", "what not to do", "red flag",
    "does not scale", "did not scale", "not sustainable", "unsustainable", "hero culture", "heroics",
    "not the answer", "not the fix", "wrong lesson",
    # told as a past mistake that hurt: "we started with one big state and it bit us"
    "bit us", "bite us", "bitten", "burned us", "burnt us", "got burned", "got burnt", "hard way",
    "never again",
    # told as the reason for a change, or as a bounded stopgap: "which is exactly why I wanted the whole
    # thing gone", "I took extra shifts myself for two weeks, but only as a stopgap"
    "why i wanted", "why we wanted", "why i decided", "why we decided", "which is why i", "which is why we",
    "stopgap", "stop gap", "only temporarily", "as a temporary", "short term only",
    # disagreeing with the attitude it names: "a security review at the end is too late"
    "i disagree", "i do not agree", "i do not buy", "is too late", "was too late", "is a myth",
    "the usual excuse", "the classic excuse", "is the wrong", "that is wrong",
    # refusing to hand a subject off: "rotation isn't something I'd leave to the security team"
    "not something i would leave", "not something we would leave", "not something i would toss",
    "not something i would throw", "not something i would hand", "not something i would pass",
    "not something you can leave", "not something to leave", "would not just leave", "would never leave",
    "would not leave it", "can not just leave", "not just hand it", "not just throw it", "not just toss it",
)  # fmt: skip
# Dismissal: a sentence that waves a practice away ("understanding legacy code is a rabbit hole",
# "we stopped assigning owners") names the concept only to set it aside (labelling rule 2).
DISMISSING = (
    "is a rabbit hole", "a bit of a rabbit hole", "such a rabbit hole", "just a rabbit hole",
    "waste of time", "not worth it", "not worth the", "never been worth", "pointless",
    "overkill", "no point in", "do not bother", "would not bother", "will not bother", "gave up on",
    "give up on", "stopped doing", "stopped assign*", "stopped track*", "stopped writ*", "stopped runn*",
    "stopped hold*", "stopped follow*", "abandon*",
)  # fmt: skip
# Unrealised: an intention, wish or regret that was never carried out ("we keep meaning to automate
# it", "a runbook is on the backlog", "we talked about canaries", "should have had a way back").
# Such a sentence names the remedy without doing it, so it cannot show the opposite of a red flag.
UNREALISED = (
    "should have", "should of", "meant to", "meaning to", "would like to", "would love to", "hope to",
    "hoping to", "someday", "at some point", "on the backlog", "in the backlog", "on the list",
    "on my list", "on our list", "on the roadmap", "never got round", "never got around", "not got round",
    "not got around", "never get round", "never get around", "no time for", "not had time",
    "never had time", "did not have time", "do not have time", "never had the time",
    "did not have the time", "keep saying", "kept saying", "in an ideal world", "ideally", "nice to have",
    "if we had time", "if i had time", "if we had more time", "when we get time", "when i get time",
    "when we have time", "when i have time", "will eventually", "would eventually", "we have talked about",
    "we keep talking about", "been talking about",
)  # fmt: skip
# Vague mentions: a concept named in passing ("things like canaries", "you can always roll back",
# "I know about error budgets in theory") is not the substance a pointer asks for (labelling rule 1).
VAGUE = (
    "and so on", "etc", "i know about",
    "heard of", "heard about", "in theory", "you can always", "you could always", "we can always",
    "we could always", "i guess", "buzzword*", "some kind of", "some sort of", "that kind of thing",
    "all that", "the usual", "and all that", "kind of thing", "i suppose", "and stuff", "all of that",
    "all of those", "sort of thing", "the lot", "the whole lot",
)  # fmt: skip
# Negators that, followed by one of these words, mean the opposite ("I don't mind", "never hesitate").
# "not worth an outage" and "careful not to touch the replicas" keep the outage and the replicas in
# view: what follows is what is being protected, not something absent.
NEGATION_CANCEL = frozenset(
    {"mind", "hesitate", "afraid", "hesitated", "minded", "worth", "touch", "touching"}
)
# "Blameless isn't the same as no accountability": the subject is qualified, not denied.
QUALIFIERS = frozenset({"same", "just", "only", "about", "equal", "identical", "equivalent"})


@dataclass(frozen=True, slots=True)
class Hit:
    """Concepts of one signal set found in one sentence (`strength`: how many phrases matched)."""

    sentence: Sentence
    concepts: frozenset[int]
    strength: int
    specific: bool = False  # a phrase of two or more words matched (more than a keyword)


@dataclass(frozen=True, slots=True)
class PhraseGroup:
    """Compiled phrases indexed by one word each must contain, so a sentence only tries the few
    phrases whose key word it holds (lexicon expansion makes groups of thousands of phrases)."""

    by_key: dict[str, tuple[Phrase, ...]]
    always: tuple[Phrase, ...]  # phrases made only of prefixes: no key word, always tried
    keys: frozenset[str] = frozenset()

    def candidates(self, sentence: Sentence) -> list[Phrase]:
        vocabulary = sentence.vocabulary or frozenset(sentence.stems)
        if not self.always and self.keys.isdisjoint(vocabulary):
            return []
        out = list(self.always)
        if len(vocabulary) < len(self.by_key):
            for word in vocabulary:
                out.extend(self.by_key.get(word, ()))
        else:
            for word, phrases in self.by_key.items():
                if word in vocabulary:
                    out.extend(phrases)
        return out


@lru_cache(maxsize=4096)
def _compiled(phrases: tuple[str, ...]) -> PhraseGroup:
    by_key: dict[str, list[Phrase]] = {}
    always: list[Phrase] = []
    for source in phrases:
        phrase = compile_phrase(source)
        if not phrase.needed:
            always.append(phrase)
            continue
        # The longest required word is usually the rarest: the best key.
        key = max(sorted(phrase.needed), key=len)
        by_key.setdefault(key, []).append(phrase)
    return PhraseGroup({k: tuple(v) for k, v in by_key.items()}, tuple(always), frozenset(by_key))


def negated(sentence: Sentence, start: int, end: int) -> bool:
    """Is the phrase at tokens[start:end] negated within its clause?"""
    count = 0
    pos = start - 1
    while pos >= 0 and start - pos <= NEG_WINDOW:
        tok = sentence.tokens[pos]
        if tok in CLAUSE_BREAKS:
            break
        if tok in NEGATORS and not (pos + 1 < start and sentence.tokens[pos + 1] in NEGATION_CANCEL):
            count += 1
        pos -= 1
    after = sentence.tokens[end : end + 3]
    copula_not = bool(after) and after[0] in COPULA and any(t in {"not", "never"} for t in after[1:])
    if copula_not and not QUALIFIERS.isdisjoint(sentence.tokens[end + 2 : end + 5]):
        copula_not = False
    if copula_not or (bool(after) and after[0] in {"never", "not"}):
        count += 1
    return count % 2 == 1


def phrase_in(sentence: Sentence, phrase: Phrase) -> bool:
    """True when the phrase occurs in the sentence at least once without being negated.

    A phrase that itself starts with a negator ("not my job", "never tested") is taken literally.
    """
    pos = 0
    while True:
        span = find(phrase, sentence, pos)
        if span is None:
            return False
        if phrase.parts[0][0] in NEGATORS or not negated(sentence, *span):
            return True
        pos = span[0] + 1


def any_phrase(sentence: Sentence, phrases: tuple[str, ...]) -> bool:
    """Any of the phrases present, negation ignored (for cue lists such as disowning or STAR cues)."""
    return any(find(p, sentence) is not None for p in _compiled(phrases).candidates(sentence))


def any_affirmed(sentences: list[Sentence], phrases: tuple[str, ...]) -> Sentence | None:
    """The first sentence holding one of the phrases un-negated (answer-level vetoes of red flags)."""
    compiled = _compiled(phrases)
    for sentence in sentences:
        if any(phrase_in(sentence, p) for p in compiled.candidates(sentence)):
            return sentence
    return None


def disowned(sentence: Sentence) -> bool:
    """Does the sentence hand the subject to someone else, or wave it away as not worth doing?"""
    return any_phrase(sentence, DISOWNING) or any_phrase(sentence, DISMISSING)


def vague(sentence: Sentence) -> bool:
    """Does the sentence name things only in passing ("and so on", "all that", "in theory")?"""
    return any_phrase(sentence, VAGUE)


def unrealised(sentence: Sentence) -> bool:
    """Does the sentence wish, plan or regret something rather than tell it as done or decided?"""
    return any_phrase(sentence, UNREALISED)


def rejecting(sentence: Sentence) -> bool:
    """Does the sentence distance itself from what it describes (so it cannot evidence a flag)?"""
    return any_phrase(sentence, REJECTION)


def hits(
    signals: Signals, sents: list[Sentence], veto_sentences: bool = True, honour_disowning: bool = True
) -> list[Hit]:
    """Per sentence, the concepts of `signals` it supports (sentences with none are left out).

    With `veto_sentences`, a sentence holding a `negative` phrase supports nothing (pointers);
    red flags apply `negative` to the whole answer instead (see coaching._flag_result).
    """
    out: list[Hit] = []
    groups = [_compiled(group) for group in signals.concepts]
    negative = _compiled(signals.negative)
    for sentence in sents:
        if (
            veto_sentences
            and signals.negative
            and any(phrase_in(sentence, p) for p in negative.candidates(sentence))
        ):
            continue
        if honour_disowning and disowned(sentence):
            continue
        vague = honour_disowning and any_phrase(sentence, VAGUE)
        strength = 0
        specific = False
        found: set[int] = set()
        for i, group in enumerate(groups):
            matched = [p for p in group.candidates(sentence) if phrase_in(sentence, p)]
            if matched:
                found.add(i)
                strength += len(matched)
                specific = specific or any(len(p.parts) > 1 for p in matched)
        if found:
            # A vague mention still places the concept, but lends the window no substance.
            out.append(Hit(sentence, frozenset(found), 0 if vague else strength, specific and not vague))
    return out


def substantial(found: list[Hit], window: int, require: int) -> Hit | None:
    """The evidence sentence when `require` concepts meet within `window` sentences with substance.

    Substance (labelling rule 1: a keyword with nothing behind it covers nothing): the window must
    hold more matched phrases than `require`, or at least one phrase of two or more words.
    """
    best: tuple[int, int, Hit] | None = None
    for hit in found:
        group = [h for h in found if hit.sentence.index <= h.sentence.index < hit.sentence.index + window]
        concepts = len(frozenset().union(*(h.concepts for h in group)))
        strength = sum(h.strength for h in group)
        if concepts < require or not (strength > require or any(h.specific for h in group)):
            continue
        top = max(group, key=lambda h: (len(h.concepts), h.strength, -h.sentence.index))
        key = (len(top.concepts), top.strength, top)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best is not None else None


def best_window(
    found: list[Hit], window: int, accept: Callable[[list[Hit]], bool] | None = None
) -> tuple[int, Hit] | None:
    """Most concepts within `window` consecutive sentences, and the strongest sentence there
    (only windows whose hits `accept` allows, when given)."""
    best: tuple[int, int, int, Hit] | None = None
    for hit in found:
        group = [h for h in found if hit.sentence.index <= h.sentence.index < hit.sentence.index + window]
        if accept is not None and not accept(group):
            continue
        concepts = len(frozenset().union(*(h.concepts for h in group)))
        top = max(group, key=lambda h: (len(h.concepts), h.strength, -h.sentence.index))
        key = (concepts, len(top.concepts), top.strength, top)
        if best is None or key[:3] > best[:3]:
            best = key
    return (best[0], best[3]) if best is not None else None


def fallback_signals(text: str) -> Signals:
    """Signals derived from a pointer's own words, for packs that have not authored any."""
    words: list[str] = []
    for word in re.findall(r"[a-z]+", text.casefold()):
        if word not in _STOP and len(word) > 3 and stem(word) not in {stem(w) for w in words}:
            words.append(word)
    concepts = tuple((w,) for w in words)
    return Signals(concepts=concepts, require=max(1, min(len(concepts), round(len(concepts) * 0.35))))
