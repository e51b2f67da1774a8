"""The coach: a deterministic, explainable analysis of one answer against its question's pointers.

Pure and fast (no I/O, no models): members only follow coaching they can check, so every verdict
quotes the sentence behind it and the advice for a missed pointer is authored in the pack.
Matching semantics (signals, negation, disowning) live in coaching_match, STAR in coaching_star.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.coaching_match import (
    Hit,
    any_affirmed,
    best_window,
    disowned,
    fallback_signals,
    hits,
    rejecting,
    substantial,
    unrealised,
    vague,
)
from bot.domain.coaching_star import StarEvidence, analyse_star, hypothetical, told_action
from bot.domain.coaching_types import POINTER_OUTPUT, CoachingReport, FlagResult, PointerResult, StarResult
from bot.domain.flag_model import answer_grams
from bot.domain.model import Pack, Pointer, Question, RedFlag, Signals
from bot.domain.pointer_model import pointer_cues, pointer_id, strongest
from bot.domain.star_model import read_story
from bot.domain.text import BOUNDARY, Sentence, sentences

POINTER_WEIGHT = 70
POINTER_WINDOW = 3  # sentences: concepts of a pointer must meet this close together
PASSING_WORDS = 3  # a sentence this short ("SLOs too.") is an aside, not a practice described
FLAG_WINDOW = 1  # a red flag pattern, by default, in one sentence
STAR_WEIGHT = 20
CLEAN_BONUS = 10
FLAG_PENALTY = 15
PRACTICE_BASE = 50
LEARNED_HONOURS_VETO = True  # a flag's own `negative` (the answer shows the opposite) also stops the model


def _pointer_hits(pointer: Pointer, sents: list[Sentence]) -> list[Hit]:
    """The sentences that match the pointer's concepts. A concept told as a step the speaker took
    ("I ran a benchmark", "we pulled the numbers") is more than a keyword dropped in passing ("we
    have runbooks"): it carries its own substance."""
    signals = pointer.signals if pointer.signals.concepts else fallback_signals(pointer.text)
    return [replace(h, specific=True) if _told_step(h) else h for h in hits(signals, sents)]


def _pointer_result(pointer: Pointer, sents: list[Sentence], found: list[Hit] | None = None) -> PointerResult:
    """Covered when `require` concepts meet within a few consecutive sentences (one thought).

    `found`: the pointer's hits in `sents`, when the caller has them already.
    """
    signals = pointer.signals if pointer.signals.concepts else fallback_signals(pointer.text)
    found = _pointer_hits(pointer, sents) if found is None else found
    best = substantial(found, signals.window or POINTER_WINDOW, signals.require)
    covered = best is not None
    evidence = best.sentence.quote() if best is not None else None
    advice = pointer.advice or pointer.text
    return PointerResult(text=pointer.text, covered=covered, evidence=evidence, advice=advice)


def _measured_result(pointer: Pointer, story: StarEvidence) -> PointerResult:
    """A "quantify the before/after" pointer is covered by the story's measured outcome, quoted."""
    evidence = story.quotes.get("quantified_result") if story.result.quantified_result else None
    return PointerResult(
        text=pointer.text,
        covered=evidence is not None,
        evidence=evidence,
        advice=pointer.advice or pointer.text,
    )


def story_pointer_cues(
    question: Question, sents: list[Sentence], rules_star: StarResult
) -> list[tuple[PointerResult, frozenset[str], Sentence | None]]:
    """Per do-pointer of a behavioural question: the rules' verdict, the cues the pointer reader
    weighs (bot/domain/pointer_model.py) and the sentence it would quote. Used by the coach and,
    on the labelled answers, by `content train`."""
    told = [s for s in sents if not hypothetical(s)]
    out = []
    for index, pointer in enumerate(question.pointers):
        told_hits, all_hits = _pointer_hits(pointer, told), _pointer_hits(pointer, sents)
        result = _pointer_result(pointer, told, told_hits)
        name = pointer_id(question.id, index)
        cues = pointer_cues(name, result.covered, told_hits, all_hits, sents, len(told), rules_star)
        out.append((result, cues, strongest(told_hits)))
    return out


def _story_pointers(
    question: Question, pack: Pack, sents: list[Sentence], told: list[Sentence], rules_star: StarResult
) -> list[PointerResult]:
    """The do-pointers of a story: the rules' verdicts, weighed by the pack's pointer reader if any.

    The reader may take a pointer away, or grant one where a sentence matched its concepts (quoted).
    """
    model = pack.pointer_model
    if model is None:
        return [_pointer_result(p, told) for p in question.pointers]
    out = []
    for result, cues, quote in story_pointer_cues(question, sents, rules_star):
        covered = model.raises(POINTER_OUTPUT, set(cues)) and (result.covered or quote is not None)
        if covered and not result.covered and quote is not None:
            result = replace(result, covered=True, evidence=quote.quote())
        elif not covered:
            result = replace(result, covered=False, evidence=None)
        out.append(result)
    return out


def _needs_parts(pointer: Pointer, story: StarEvidence, found: PointerResult) -> PointerResult:
    """A STAR-shaped pointer is not covered by a story that lacks the parts it is about."""
    if not found.covered or all(getattr(story.result, part) for part in pointer.star_parts):
        return found
    return replace(found, covered=False, evidence=None)


def _told_step(hit: Hit) -> bool:
    """A hit with substance-bearing phrases in a sentence that tells a step the speaker took."""
    return hit.strength > 0 and told_action(hit.sentence)


def _applies(signals: Signals, question: Question) -> bool:
    """A pattern restricted with `applies_to` only fires on those question categories or ids."""
    if not signals.applies_to:
        return True
    return question.id in signals.applies_to or question.category.casefold() in signals.applies_to


def _considered(sents: list[Sentence]) -> list[Sentence]:
    """Sentences that can show the opposite of a flag: not a mention in passing ("runbooks, blameless,
    all of that", "canaries are nice in theory"), nor handed to someone else ("tuning the noise is
    their side"), nor a wish never carried out ("we keep meaning to automate it"), nor a bare aside of
    a word or two ("SLOs too.")."""
    return [
        s
        for s in sents
        if not vague(s)
        and not disowned(s)
        and not unrealised(s)
        and sum(t != BOUNDARY for t in s.tokens) > PASSING_WORDS
    ]


def _pattern_evidence(
    pattern: Signals, usable: list[Sentence], sents: list[Sentence], own_stance: bool = False
) -> Sentence | None:
    """The sentence that shows the pattern: `require` concepts within `window` sentences (default 1).

    The pattern's own `negative` phrases veto it when found anywhere in the answer (`sents`),
    `negative_after` phrases only what they follow; evidence is only taken from `usable` sentences
    (those that do not reject what they name).
    """
    if pattern.negative and any_affirmed(_considered(sents), pattern.negative) is not None:
        return None
    found = hits(pattern, usable, veto_sentences=False, honour_disowning=False)
    if pattern.negative_near:
        cleared = {s.index for s in sents if any_affirmed([s], pattern.negative_near) is not None}
        found = [h for h in found if h.sentence.index not in cleared]
    if pattern.negative_after:
        remedy = any_affirmed(list(reversed(_considered(sents))), pattern.negative_after)
        if remedy is not None:  # the last follow-up told withdraws everything it follows
            found = [h for h in found if h.sentence.index > remedy.index]
    best = best_window(found, pattern.window or FLAG_WINDOW, _names_speaker if own_stance else None)
    return best[1].sentence if best is not None and best[0] >= pattern.require else None


def _flag_result(flag: RedFlag, sents: list[Sentence], question: Question) -> FlagResult | None:
    """A flag fires when one of its patterns shows in the answer, unless the answer shows the opposite.

    Flags accuse, so they are strict: by default a pattern's concepts must meet in one sentence;
    any un-negated `negative` phrase anywhere in the answer (a reason, a systemic fix) withdraws
    the flag; and a sentence that rejects what it names ("we moved away from hero culture",
    "I don't just list tools") is no evidence for it.
    """
    signals = flag.signals
    patterns = ((signals,) if signals.concepts else ()) + signals.patterns
    if not patterns or not _applies(signals, question):
        return None
    if signals.negative and any_affirmed(_considered(sents), signals.negative) is not None:
        return None
    usable = [s for s in sents if not rejecting(s)]
    # In a story, a pack-wide flag is the speaker's own stance: its evidence must name the speaker.
    own_stance = question.is_behavioural and flag.scope == "global"
    found: list[Sentence] = []
    for pattern in patterns:
        if pattern is not signals and not _applies(pattern, question):
            continue
        sentence = _pattern_evidence(pattern, usable, sents, own_stance)
        if sentence is not None:
            found.append(sentence)
    if not found:
        return None
    first = min(found, key=lambda s: s.index)  # quote where the answer first shows it
    return FlagResult(id=flag.id, text=flag.text, scope=flag.scope, evidence=first.quote())


SPEAKER = frozenset(("i", "we", "my", "our", "me", "us", "myself", "ourselves", "mine"))


def _names_speaker(group: list[Hit]) -> bool:
    """Does a flag's evidence window say the speaker's own part ("we", "I", "my team")?

    "By month five she was handling the pages on her own" or "the plan that came down was to skip
    backups" tell what others did or proposed, not that the candidate disowns on-call or ignores
    failure modes. A question's own avoid-flags describe story shapes ("nobody else knows the
    script exists") and may be told through their consequences, so they are not limited.
    """
    return any(not SPEAKER.isdisjoint(hit.sentence.tokens) for hit in group)


def _with_learned_flags(
    flags: tuple[FlagResult, ...], pack: Pack, question: Question, sents: list[Sentence]
) -> tuple[FlagResult, ...]:
    """Add the pack-wide flags the learned reader raises and the authored patterns missed.

    The model never withdraws a flag; its evidence is the sentence carrying most of the flag's
    weight, and a sentence that rejects what it names ("we moved away from hero culture") is never
    evidence, as for the patterns. The flag's own `negative` (the answer shows the opposite: "I was
    on call and led the incident") stops the model as it stops the patterns, a follow-up told
    after the evidence (`negative_after`: "the week after we automated it") remedies it as it
    remedies the patterns, and `applies_to` keeps the flag to its questions.
    """
    model = pack.flag_model
    assert model is not None
    found = {f.id for f in flags}
    usable = [s for s in sents if not rejecting(s)]
    considered = _considered(sents)
    grams = answer_grams(sents)
    added: dict[str, FlagResult] = {}
    for flag in pack.red_flags:
        if flag.id in found or not _applies(flag.signals, question) or not model.raises(flag.id, grams):
            continue
        if LEARNED_HONOURS_VETO and flag.signals.negative and any_affirmed(considered, flag.signals.negative):
            continue  # the answer shows the opposite ("I was on call and led the incident")
        sentence = model.evidence(flag.id, _after_last_remedy(flag, usable, considered))
        if sentence is not None:
            added[flag.id] = FlagResult(
                id=flag.id, text=flag.text, scope=flag.scope, evidence=sentence.quote()
            )
    if not added:
        return flags
    by_id = {f.id: f for f in flags} | added
    order = [f.id for f in flags if f.scope != "global"] + [f.id for f in pack.red_flags]
    return tuple(by_id[i] for i in order if i in by_id)


def _after_last_remedy(flag: RedFlag, usable: list[Sentence], considered: list[Sentence]) -> list[Sentence]:
    """The sentences a follow-up has not remedied: those after the last `negative_after` phrase told."""
    remedies = tuple(phrase for pattern in flag.signals.patterns for phrase in pattern.negative_after)
    if not remedies:
        return usable
    remedy = any_affirmed(list(reversed(considered)), remedies)
    return usable if remedy is None else [s for s in usable if s.index > remedy.index]


def _score(
    pointers: tuple[PointerResult, ...], flags: tuple[FlagResult, ...], star: StarResult | None
) -> int:
    base = POINTER_WEIGHT * sum(p.covered for p in pointers) / len(pointers) if pointers else PRACTICE_BASE
    if star is not None:
        parts = (star.situation, star.task, star.action, star.result, star.quantified_result)
        base += STAR_WEIGHT * sum(parts) / len(parts)
    else:
        base += STAR_WEIGHT * (sum(p.covered for p in pointers) / len(pointers) if pointers else 0.5)
    if not flags:
        base += CLEAN_BONUS
    base -= FLAG_PENALTY * len(flags)
    return max(0, min(100, round(base)))


def _clip(text: str, limit: int = 70) -> str:
    text = text.rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _summary(
    pointers: tuple[PointerResult, ...], flags: tuple[FlagResult, ...], star: StarResult | None
) -> str:
    """One actionable line: what is good, then the most important gaps."""
    parts: list[str] = []
    if star is not None:
        missing = star.missing
        if not missing:
            parts.append(
                "Clear STAR structure" + ("" if star.quantified_result else ", but quantify the result")
            )
        else:
            parts.append("STAR is missing " + " and ".join(missing))
    missed = [p for p in pointers if not p.covered]
    if pointers and not missed:
        parts.append("covers every pointer")
    elif missed:
        first = _clip(missed[0].advice or missed[0].text)
        more = f" (+{len(missed) - 1} more)" if len(missed) > 1 else ""
        parts.append(f"next: {first[0].lower()}{first[1:]}{more}")
    if flags:
        parts.append(f"watch out: {_clip(flags[0].text, 60).lower()}")
    if not parts:
        parts.append("No red flags found; add concrete detail and trade-offs")
    line = "; ".join(parts)
    return line[0].upper() + line[1:]


def coach(question: Question, pack: Pack, answer: str) -> CoachingReport:
    """Analyse one answer: pointer coverage with evidence, red flags, STAR, score and a summary."""
    if not answer or not answer.strip():
        raise ValueError("answer is empty")
    sents = sentences(answer)
    if not sents:
        raise ValueError("answer has no words")
    # A behavioural answer is about what happened: "I would update stakeholders" covers nothing.
    told = [s for s in sents if not hypothetical(s)] if question.is_behavioural else sents
    rules_story = analyse_star(sents) if question.is_behavioural else None
    story = rules_story
    if story is not None and pack.star_model is not None:
        story = read_story(pack.star_model, sents, story)
    if story is not None and rules_story is not None:
        read = _story_pointers(question, pack, sents, told, rules_story.result)
        pointers = tuple(
            _needs_parts(p, story, _measured_result(p, story) if p.measured_result else result)
            for p, result in zip(question.pointers, read, strict=True)
        )
    else:
        pointers = tuple(_pointer_result(p, told) for p in question.pointers)
    flags = tuple(
        found
        for flag in (*question.avoid, *pack.red_flags)
        if (found := _flag_result(flag, sents, question)) is not None
    )
    if pack.flag_model is not None:
        flags = _with_learned_flags(flags, pack, question, sents)
    star = story.result if story is not None else None
    return CoachingReport(
        question_id=question.id,
        question_text=question.text,
        category=question.category,
        pointers=pointers,
        red_flags=flags,
        star=star,
        score=_score(pointers, flags, star),
        summary=_summary(pointers, flags, star),
    )
