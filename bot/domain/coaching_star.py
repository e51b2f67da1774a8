"""STAR detection: give each sentence of a behavioural answer a role by its cues.

Roles are judged per sentence, so the evidence is quotable, and by grammar more than topic:
a Task is the speaker's own responsibility ("I was the incident commander", "usually me"), an
Action is something the speaker or team actually did (past tense, not "I would ..." and not a
general claim such as "I've mentored lots of people"), a Result is an outcome told after the
story starts (a change, a metric, "since then"), and a quantified result carries a number, a
percentage, a duration or a before/after. A result that is only a feeling ("it went well") is
not counted as a result.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.coaching_match import any_phrase
from bot.domain.coaching_types import StarResult
from bot.domain.text import Sentence

HYPOTHETICAL = frozenset(("would", "could", "should", "might", "will", "shall", "may"))
HYPOTHETICAL_PHRASES = (
    "going to", "plan to", "planning to", "ideally", "if i were", "if we were", "if i was", "i tend to",
    "you should", "you would", "you want to", "you need to", "the way to", "my approach is", "i usually",
    "we usually", "i always", "i typically", "generally", "in general",
)  # fmt: skip
# Verbs after "I"/"we" that describe a state or a stance, not something done in the story.
NOT_ACTIONS = frozenset((
    "had", "was", "were", "been", "felt", "thought", "knew", "wanted", "needed", "seemed", "liked", "loved",
    "hated", "hoped", "wished", "believed", "guess", "realised", "realized", "noticed", "saw", "heard",
    "remember", "remembered", "used", "did", "got", "have", "has", "watched", "observed", "waited",
    "listened", "wondered", "learned", "learnt", "enjoy", "enjoyed", "try", "tried", "am", "are", "is",
    "do", "think", "say", "said", "mean", "meant", "suppose", "guessed", "kind", "sort", "just",
))  # fmt: skip
IRREGULAR_PAST = frozenset((
    "built", "wrote", "ran", "led", "set", "made", "took", "brought", "sent", "spoke", "met", "began",
    "drove", "found", "gave", "kept", "held", "told", "paid", "put", "chose", "shut", "split", "spun",
    "went", "rewrote", "undertook", "oversaw", "fought", "stood", "sought", "taught", "caught", "bought",
    "cut", "fed", "hit", "dealt", "rebuilt", "broke", "spent", "won", "lost", "left", "sold", "stuck",
    "threw", "woke", "reran", "redid", "withdrew", "froze", "drew", "shadowed", "sat", "pulled",
))  # fmt: skip
SITUATION = (
    "at my last", "at my previous", "at my current", "at a previous", "in my last", "in my previous",
    "last year", "years ago", "a year ago", "months ago", "a few years", "back in", "when i was",
    "when we were", "there was", "there were", "we had", "we were", "our team", "our platform",
    "our service", "our company", "the company", "at the time", "during", "one day", "one friday",
    "one night", "one morning", "in 20", "we ran", "our main", "i was working", "i joined", "when i joined",
    "customers", "users", "outage", "incident", "it was", "the team", "the situation", "context",
    "background", "we used", "we relied", "we migrated", "was down", "went down", "started failing",
    "started to fail", "fintech", "startup", "e commerce", "ecommerce", "saas", "bank", "at a", "our",
    "on my team", "there is", "this time", "the one that", "comes to mind", "a couple of years",
    "last march", "last quarter", "who had", "who would",
)  # fmt: skip
TASK = (
    "my role", "my job", "my task", "my responsibility", "my goal", "my aim", "my part", "my remit",
    "i was responsible", "i was asked", "i was tasked", "i was the", "i was on call", "i had to",
    "i needed to", "i took ownership", "i took the", "i took on", "i owned", "i volunteered",
    "i had volunteered", "i stepped in", "i stepped up", "fell to me", "it was on me", "i was assigned",
    "i was leading", "i led", "i was in charge", "i decided to", "the goal was", "the task was", "our goal",
    "we needed to", "we had to", "the objective", "i wanted to", "i set out to", "i was brought in",
    "i was hired", "i was given", "i acted as", "i became", "i took point", "i ran the", "i coordinated",
    "my objective", "i proposed", "usually me", "on the hook", "as the senior", "as the lead",
    "as the tech lead", "as the on call", "i got paged", "i was paged", "my change", "i pushed",
    "i made a change", "i caused", "i broke", "ended up coordinating", "the one who", "it was my",
    "owned the", "i was the one", "up to me", "i was on the", "i wanted", "i was worried",
)  # fmt: skip
RESULT = (
    "as a result", "result", "in the end", "ended up", "afterwards", "afterward", "since then",
    "since that", "now", "reduc*", "cut", "dropp*", "improv*", "increas*", "decreas*", "sav*", "eliminat*",
    "halv*", "doubl*", "went from", "fell", "rose", "shrank", "went down", "went up", "no longer",
    "never recurr*", "not recurred", "did not recur", "has not happened", "have not had", "has not been",
    "outcome", "mttr", "recover*", "restored", "resolv*", "fixed", "shipped", "adopted", "adoption",
    "promoted", "led to", "which meant", "meaning", "achiev*", "down to", "from ... to", "zero", "faster",
    "fewer", "finally", "eventually", "the retro produced", "since", "stopped", "prevent*", "became",
    "went live", "completed", "finished", "delivered", "success*", "went on to", "gone on to", "again",
    "back up", "back to normal", "lasted", "later", "decommission*", "we kept", "stayed", "on the night",
    "the cutover", "went for that", "compromise", "handling her", "handling his", "is mentoring",
    "now uses", "copied",
)  # fmt: skip
FEELINGS = (
    "went well", "went great", "went really well", "was happy", "were happy", "a lot happier",
    "was pleased", "were pleased", "worked out", "was a success", "was great", "was good",
    "turned out well", "turned out fine", "was fine", "everyone was", "felt good", "felt great",
    "felt quieter", "felt better", "people liked", "was well received", "went smoothly", "was nice",
    "it worked", "all good", "happy with", "loved it",
)  # fmt: skip
NUMBER_WORDS = frozenset((
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "ninety", "hundred", "hundreds", "thousand", "thousands",
    "dozen", "dozens", "half", "halved", "doubled", "tripled", "tenfold", "twice", "zero", "percent",
))  # fmt: skip
BEFORE_AFTER = (
    "from ... to", "went from", "x faster", "times faster", "times fewer", "times more",
    "order of magnitude", "before and after", "down to", "a day to", "an hour to", "instead of",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StarEvidence:
    """The STAR verdict plus the sentence behind each part (for the text report)."""

    result: StarResult
    quotes: dict[str, str]


def hypothetical(s: Sentence) -> bool:
    """Does the sentence talk about what one would do rather than what happened?"""
    toks = s.tokens
    for i, tok in enumerate(toks):
        if tok in HYPOTHETICAL and i > 0 and toks[i - 1] in {"i", "we", "you", "one"}:
            return True
    return any_phrase(s, HYPOTHETICAL_PHRASES)


def _is_past_action(s: Sentence) -> bool:
    """ "I/we <past verb>" within three words, skipping states ("we had an outage") and generalities."""
    toks = s.tokens
    for i, tok in enumerate(toks):
        if tok not in {"i", "we", "they", "she", "he"}:
            continue
        for j in range(i + 1, min(i + 4, len(toks))):
            word = toks[j]
            if word in HYPOTHETICAL or word in {"not", "never"}:
                break
            if word in NOT_ACTIONS:
                nxt = toks[j + 1] if j + 1 < len(toks) else ""
                if word in {"had", "got"} and nxt == "to":
                    return True  # "we had to roll back" is an action
                if word in {"was", "were"} and nxt.endswith("ing"):
                    return True  # "I was paging people"
                if word in {"just", "kind", "sort"}:
                    continue
                break
            if (word.endswith("ed") and len(word) > 4) or word in IRREGULAR_PAST:
                return True
    return False


def quantified(s: Sentence) -> bool:
    toks = s.tokens
    if "%" in toks or any(any(c.isdigit() for c in t) for t in toks):
        return True
    return any(t in NUMBER_WORDS for t in toks) or any_phrase(s, BEFORE_AFTER)


def analyse_star(sents: list[Sentence]) -> StarEvidence:
    """Decide situation/task/action/result/quantified from sentence roles."""
    quotes: dict[str, str] = {}
    n = len(sents)
    for s in sents:
        hypo = hypothetical(s)
        if "situation" not in quotes and s.index <= max(1, n // 2) and not hypo and any_phrase(s, SITUATION):
            quotes["situation"] = s.quote()
        if "task" not in quotes and not hypo and any_phrase(s, TASK):
            quotes["task"] = s.quote()
        if "action" not in quotes and not hypo and (s.index > 0 or n == 1) and _is_past_action(s):
            quotes["action"] = s.quote()
    # Results come after the story has started: skip the opening third of longer answers.
    for s in sents:
        if n > 2 and s.index < max(1, n // 3):
            continue
        if hypothetical(s) and not any_phrase(s, ("since then", "as a result")):
            continue
        feeling_only = any_phrase(s, FEELINGS) and not quantified(s)
        if feeling_only or not any_phrase(s, RESULT):
            continue
        quotes.setdefault("result", s.quote())
        if quantified(s):
            quotes["quantified_result"] = quotes["result"] = s.quote()
            break
    star = StarResult(
        situation="situation" in quotes,
        task="task" in quotes,
        action="action" in quotes,
        result="result" in quotes,
        quantified_result="quantified_result" in quotes,
    )
    return StarEvidence(result=star, quotes=quotes)
