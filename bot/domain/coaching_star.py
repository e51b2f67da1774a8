"""STAR detection: give each sentence of a behavioural answer a role by its cues.

Roles are judged per sentence, so the evidence is quotable, and by grammar more than topic:
a Task is the speaker's own responsibility ("I was the incident commander", "usually me"), an
Action is something the speaker or team actually did (past tense, not "I would ..." and not a
general claim such as "I've mentored lots of people"), a Result is an outcome told after the
story starts (a change, a metric, "since then"), and a quantified result carries a number, a
percentage, a duration or a before/after. A result that is only a feeling ("it went well") counts
as a result but never as a quantified one, and a lesson ("the big lesson for me was...") is not an
outcome at all.
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
    "the goal was", "the task was", "our goal", "we needed to", "we had to", "the objective",
    "one night", "one morning", "in 20", "we ran", "our main", "i was working", "i joined", "when i joined",
    "customers", "users", "outage", "incident", "it was", "the team", "the situation", "context",
    "background", "we used", "we relied", "we migrated", "was down", "went down", "started failing",
    "fed up", "it took", "took ages", "took forever", "was painful", "was slow", "kept breaking",
    "kept failing", "the problem was", "the issue was", "the pain", "struggling", "drowning", "i am a",
    "i was a", "we were spending", "was spending", "were spending", "backing up", "fell over", "blew up",
    "started timing out", "timing out", "paged", "pager", "sev", "migration", "legacy", "manual",
    "by hand", "every release", "every deploy", "the decision", "a decision", "wanted to move",
    "proposed", "was proposing", "our architect", "our cto", "our vp", "leadership wanted",
    "started to fail", "fintech", "startup", "e commerce", "ecommerce", "saas", "bank", "at a ... company",
    "at a ... startup", "at a ... firm", "our ... team", "our ... service", "our ... platform",
    "our ... cluster", "our ... database", "our ... pipeline", "our ... api", "our ... system", "our ... app",
    "on my team",
    "this time", "the one that", "comes to mind", "a couple of years",
    "last march", "last quarter", "who had", "who would",
)  # fmt: skip
TASK = (
    "my role", "my job", "my task", "my responsibility", "my goal", "my aim", "my part", "my remit",
    "i was responsible", "i was asked", "i was tasked", "i was the", "i was on call", "i had to",
    "i needed to", "i took ownership", "i took the", "i took on", "i owned", "i volunteered",
    "i had volunteered", "i stepped in", "i stepped up", "fell to me", "it was on me", "i was assigned",
    "i was leading", "i led", "i was in charge", "i decided to", "i wanted to", "i set out to",
    "i was brought in",
    "i was hired", "i was given", "i acted as", "i became", "i took point", "i ran the", "i coordinated",
    "my objective", "i proposed", "usually me", "on the hook", "as the senior", "as the lead",
    "as the tech lead", "as the on call", "i got paged", "i was paged", "my change", "i pushed",
    "i made a change", "i caused", "i broke", "ended up coordinating", "the one who", "it was my",
    "owned the", "i was the one", "up to me", "i was on the", "i wanted", "i was worried",
    # role statements without an article or with a gap: "I was incident commander that night"
    "i was ... lead", "i was ... commander", "i was ... owner", "i was ... on call", "i was ... in charge",
    "i was ... responsible", "i was ... ic", "i was ... point", "i was ... manager", "i was ... architect",
    "i was ... who own*", "i was ... who led", "i was ... who ran", "i am the one", "i am the lead",
    "i am ... they call", "i was ... they call", "who they call", "they call me", "i ran point",
    "i headed", "i drove", "i spearheaded", "i championed", "i initiated", "i kicked off", "i started the",
    "i took it on", "i picked it up", "i picked this up", "ran the whole thing", "ran the whole show",
    "i am a ... engineer", "i am a ... dev", "i am a ... developer", "i was a ... engineer", "i am a ... sre",
    "i was a ... sre", "i was a ... developer", "i mentored", "i was mentoring", "i was her", "i was his",
    "i was their", "my mentee", "assigned to me", "handed to me", "landed on me", "landed with me",
    "came to me", "asked me to", "tasked me", "gave me", "my manager asked", "my lead asked",
    "my call", "my decision", "on my plate", "mandate", "i was accountable", "accountable for",
    "responsible for", "in charge of", "my team of", "i managed", "i own*", "i was in the hot seat",
)  # fmt: skip
# A role told in the past survives a hypothetical aside ("I led the infra team, so I'd be on the hook").
ROLE_PAST = (
    "i led", "i was the", "i was responsible", "i owned", "i was incident", "i was ... lead", "my role",
    "my job", "i was in charge", "i ran", "i was on call", "i was ... commander",
)  # fmt: skip
# A lesson or a regret is not an outcome ("the big lesson for me was...").
LESSON = (
    "lesson", "i learned", "i learnt", "we learned", "we learnt", "learning for me", "takeaway", "take away",
    "in hindsight", "looking back", "next time", "i should have", "we should have", "i would have",
    "should have", "would have", "if i did it again", "if i had to do it again", "what i took", "taught me",
    "i realised", "i realized", "i know now", "i now know",
)  # fmt: skip
CONDITIONAL = ("if i", "if we", "if you", "suppose", "imagine")
# General claims are not steps taken in the story ("I've mentored lots of juniors over the years").
GENERALITY = (
    "over the years", "throughout my career", "in my career", "lots of", "loads of", "quite a few",
    "all sorts of", "always", "usually", "whenever", "tend to", "typically", "generally", "in general",
    "normally", "many times",
)  # fmt: skip
OUTCOME_STRONG = ("since then", "as a result", "which meant", "led to", "outcome", "in the end", "ended up")
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
    # outcomes told as comparisons or reached states ("the bill was 30% lower", "we hit 99.95%")
    "lower", "higher", "less", "smaller", "cheaper", "quicker", "shorter", "under", "below", "within",
    "reached", "hit", "met", "gained", "got back", "freed", "brought ... down", "brought ... back",
    "went through", "came out", "dropped", "fell", "grew", "gone", "removed", "closed", "caught",
    "no repeat", "not repeat*", "since", "ever since", "to date", "so far", "per cent", "percent",
)  # fmt: skip
FEELINGS = (
    "went well", "went great", "went really well", "was happy", "were happy", "a lot happier",
    "was pleased", "were pleased", "worked out", "was a success", "was great", "was good",
    "turned out well", "turned out fine", "was fine", "everyone was", "felt good", "felt great",
    "felt quieter", "felt better", "people liked", "was well received", "went smoothly", "was nice",
    "it worked", "all good", "happy with", "loved it",
)  # fmt: skip
FREQUENCY = frozenset((
    "hourly", "daily", "weekly", "fortnightly", "monthly", "quarterly", "yearly", "annually", "nightly",
    "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months", "month", "seconds",
    "second", "year", "years",
))  # fmt: skip
NUMBER_WORDS = frozenset((
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "ninety", "hundred", "hundreds", "thousand", "thousands",
    "dozen", "dozens", "half", "halved", "doubled", "tripled", "tenfold", "twice", "zero", "percent",
    "thirteen", "fourteen", "sixteen", "seventeen", "eighteen", "nineteen", "seventy", "eighty", "million",
    "millions", "quadrupled", "thrice", "fivefold", "twofold", "threefold",
))  # fmt: skip
BEFORE_AFTER = (
    "x faster", "times faster", "times fewer", "times more", "times less", "times as", "x cheaper",
    "order of magnitude", "before and after", "an hour", "a day", "a week", "a third", "a quarter of",
    "per cent", "per week", "per day", "per month", "went from", "down to", "up to",
)  # fmt: skip
DURATION_UNITS = frozenset(("minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months",
    "month", "seconds", "second", "years", "year", "ms", "milliseconds", "sprints", "sprint"))  # fmt: skip


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
    if any_phrase(s, GENERALITY):
        return False
    toks = s.tokens
    for i, tok in enumerate(toks):
        if tok not in {"i", "we"}:
            continue
        for j in range(i + 1, min(i + 4, len(toks))):
            word = toks[j]
            if word in HYPOTHETICAL or word in {"not", "never"}:
                break
            if word in NOT_ACTIONS:
                nxt = toks[j + 1] if j + 1 < len(toks) else ""
                if word in {"had", "got"} and nxt == "to":
                    return True  # "we had to roll back" is an action
                if word == "had" and ((nxt.endswith("ed") and len(nxt) > 4) or nxt in IRREGULAR_PAST):
                    return True  # "I'd volunteered": pluperfect, still something done
                if word in {"was", "were"} and nxt.endswith("ing"):
                    return True  # "I was paging people"
                if word in {"just", "kind", "sort"}:
                    continue
                break
            if (word.endswith("ed") and len(word) > 4) or word in IRREGULAR_PAST:
                return True
    return False


def _numeric(tok: str) -> bool:
    return any(c.isdigit() for c in tok) or tok in NUMBER_WORDS


def _figure(words: tuple[str, ...]) -> bool:
    return any(_numeric(w) or w in FREQUENCY for w in words)


def _from_to(toks: tuple[str, ...]) -> bool:
    """ "from weekly to daily", "from 40 minutes to 5": a before/after with a figure or frequency."""
    for i, tok in enumerate(toks):
        if tok != "from":
            continue
        span = toks[i + 1 : i + 9]
        if "to" not in span:
            continue
        j = span.index("to")
        before, after = span[:j], span[j + 1 : j + 4]
        if _figure(before) and _figure(after):
            return True
    return False


def quantified(s: Sentence) -> bool:
    """A measurable figure: a number, %, a written number, a before/after, or "an hour"-style duration."""
    toks = s.tokens
    if "%" in toks or any(_numeric(t) for t in toks):
        return True
    return _from_to(toks) or any_phrase(s, BEFORE_AFTER)


def _result_cue(s: Sentence) -> tuple[bool, bool]:
    """(is an outcome, is a measured outcome) for one sentence of the story's second part."""
    if any_phrase(s, LESSON) and not any_phrase(s, OUTCOME_STRONG):
        return False, False
    feeling = any_phrase(s, FEELINGS)
    outcome = any_phrase(s, RESULT)
    if not (feeling or outcome):
        return False, False
    return True, outcome and quantified(s)


def analyse_star(sents: list[Sentence]) -> StarEvidence:
    """Decide situation/task/action/result/quantified from sentence roles."""
    quotes: dict[str, str] = {}
    n = len(sents)
    for s in sents:
        hypo = hypothetical(s)
        if "situation" not in quotes and s.index <= max(1, n // 2) and not hypo and any_phrase(s, SITUATION):
            quotes["situation"] = s.quote()
        role_past = any_phrase(s, ROLE_PAST) and not any_phrase(s, CONDITIONAL)
        if "task" not in quotes and any_phrase(s, TASK) and (not hypo or role_past):
            quotes["task"] = s.quote()
        if "action" not in quotes and not hypo and (s.index > 0 or n == 1) and _is_past_action(s):
            quotes["action"] = s.quote()
    # Results come after the story has started: skip the opening third of longer answers.
    for s in sents:
        if n > 2 and s.index < max(1, n // 3):
            continue
        if hypothetical(s) and not any_phrase(s, ("since then", "as a result")):
            continue
        is_result, measured = _result_cue(s)
        if not is_result:
            continue
        quotes.setdefault("result", s.quote())
        if measured:
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
