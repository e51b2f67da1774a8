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

import re
from dataclasses import dataclass

from bot.domain.coaching_match import any_phrase
from bot.domain.coaching_types import StarResult
from bot.domain.text import BOUNDARY, Sentence

HYPOTHETICAL = frozenset(("would", "could", "should", "might", "will", "shall", "may"))
HYPOTHETICAL_PHRASES = (
    "am going to", "are going to", "is going to",
    "plan to", "planning to", "ideally", "if i were", "if we were", "if i was", "i tend to",
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
    "failed", "failing",
    "proposed", "was proposing", "our architect", "our cto", "our vp", "leadership wanted",
    "started to fail", "fintech", "startup", "e commerce", "ecommerce", "saas", "bank", "at a ... company",
    "at a ... startup", "at a ... firm", "our ... team", "our ... service", "our ... platform",
    "our ... cluster", "our ... database", "our ... pipeline", "our ... api", "our ... system", "our ... app",
    "on my team",
    # something broke or had to change: the problem that sets the scene
    "broke", "broken", "crashed", "expired", "stopped working", "lost quorum", "went wrong", "was failing",
    "were failing", "kept crashing", "we moved", "we were moving", "had to move", "wanted to move",
    "this time", "the one that", "comes to mind", "a couple of years",
    "last march", "last quarter", "who had", "who would",
    "joined", "came in as", "our move to", "the move to", "mid way through", "midway through",
    "in the middle of",
)  # fmt: skip
TASK = (
    "my role", "my job", "my task", "my responsibility", "my goal", "my aim", "my part", "my remit",
    "i was responsible", "i was asked", "i was tasked", "i was the", "i was on call", "i had to",
    "i needed to", "i took ownership", "i took the", "i took on", "i owned", "i volunteered",
    "i had volunteered", "i stepped in", "i stepped up", "fell to me", "it was on me", "i was assigned",
    "i was leading", "i led", "i was in charge", "i decided to", "i wanted to", "i set out to",
    "i was brought in", "i was hired", "i was given", "i acted as", "i became", "i took point", "i ran the",
    "i coordinated", "my objective", "i proposed", "usually me", "on the hook", "as the senior",
    "as the lead", "as the tech lead", "as the on call", "i got paged", "i was paged", "my change",
    "i pushed", "i made a change", "i caused", "i broke", "ended up coordinating", "i ... the one who",
    "it was my", "i owned the", "i was the one", "up to me", "i was on the", "i wanted", "i was worried",
    # role statements without an article or with a gap: "I was incident commander that night"
    "i was ... lead", "i was ... commander", "i was ... owner", "i was ... on call", "i was ... in charge",
    "i was ... responsible", "i was ... ic", "i was ... point", "i was ... manager", "i was ... architect",
    "i was ... who own*", "i was ... who led", "i was ... who ran", "i am the one", "i am the lead",
    "i am ... they call", "i was ... they call", "who they call", "they call me", "i ran point", "i headed",
    "i drove", "i spearheaded", "i championed", "i initiated", "i kicked off", "i started the",
    "i took it on", "i picked it up", "i picked this up", "ran the whole thing", "ran the whole show",
    "i am a ... engineer", "i am a ... dev", "i am a ... developer", "i was a ... engineer",
    "i am a ... sre", "i was a ... sre", "i was a ... developer", "i mentored", "i was mentoring",
    "i was her", "i was his", "i was their", "my mentee", "assigned to me", "handed to me", "landed on me",
    "landed with me", "came to me", "asked me to", "tasked me", "gave me", "my manager asked",
    "my lead asked", "my call", "my decision", "on my plate", "my mandate", "mandate ... me",
    "i was accountable", "i ... accountable for", "i ... responsible for", "i ... in charge of",
    "me ... in charge", "my team of", "i managed", "i own*", "i was in the hot seat", "i just took it",
    "i took charge", "i took over", "i took it over", "i grabbed it", "i picked up the",
    # a standing role said in other words: "as lead for my squad", "I'm a mentor to most of the
    # juniors", "keeping it running was on me", "the recommendation was mine to make"
    "as lead", "as team lead", "as tech lead", "as the ... lead", "as one of the senior",
    "as one of the lead", "as one of the seniors", "as head of", "as the owner", "as the ... manager",
    "as the ... owner", "i am ... mentor", "i was ... mentor", "i am the go to", "i was the go to",
    "the person coordinating", "the one coordinating", "was on me", "is on me", "mine to make",
    "mine to run", "mine to own", "mine to decide", "mine to fix", "i was ... the person",
    "i am ... the person", "go to person", "part of who i am", "i am always around for",
)  # fmt: skip
# The speaker taking the work on, said as the story opens ("I wrote a Python script that...", "So I
# built a little wrapper", "I wrote an Ansible playbook to rotate the logs and..."): the initiative
# is the speaker's own part. Later in the story the same words are only a step.
INITIATIVE = (
    "i wrote a", "i wrote an", "i wrote the", "i built a", "i built an", "i built the", "i created a",
    "i created an", "i set up a", "i set up an", "i put together a", "i introduced",
    "i pushed a", "i pushed the",
)  # fmt: skip
INITIATIVE_SENTENCES = 2
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
    "i realised", "i realized", "i know now", "i now know", "took away", "stuck with me", "thing i learned",
    "thing i learnt",
)  # fmt: skip
CONDITIONAL = ("if i", "if we", "if you", "suppose", "imagine")
# The story closing on what the speaker learned (stricter than LESSON: "would have" is often an aside).
LESSON_CLOSE = (
    "lesson", "i learned", "i learnt", "we learned", "we learnt", "learning for me", "takeaway", "take away",
    "took away", "in hindsight", "looking back", "next time", "if i did it again", "what i took", "taught me",
    "stuck with me", "thing i learned", "thing i learnt",
)  # fmt: skip
# The speaker does not know how it ended: "I'm not sure what they ended up doing", "I moved teams".
NO_OUTCOME = (
    "not sure what", "not sure how it", "not sure if", "no idea what", "no idea how", "never found out",
    "could not tell you", "do not know what happened", "do not know how it", "moved to a different team",
    "moved teams", "left before", "left the company before", "before it finished",
)  # fmt: skip
# A story that never says which one: "there was this one time, a pretty big incident" sets no scene.
VAGUE_EPISODE = (
    "this one time", "there was this one", "some incident", "a pretty big incident", "a big incident",
    "i forget", "i do not remember", "can not remember", "do not really remember", "a while back",
    "something like that",
)  # fmt: skip
# Help that names no step: "I helped out wherever I could, looking at things".
VAGUE_STEP = (
    "wherever i could", "helped out", "chipped in", "pitched in", "looking at things", "a bunch of",
    "stuff like that", "things like that", "and stuff", "all hands on deck", "moved on", "when i joined",
    "since i joined",
)  # fmt: skip
# How it felt or how it ended is not the scene: "It was quite stressful for everyone involved".
NOT_SCENE = ("stressful", "happier", "afterwards", "in the end", "since then", "was fine", "went well")
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
    "now uses", "copied", "went fine", "settled down", "it settled", "said thanks", "thanked me",
    "thanked us", "total was", "start to end", "start to finish", "was all fine", "all fine",
    "nobody noticed", "nobody really noticed", "mostly okay", "mostly fine",
    # outcomes told as comparisons or reached states ("the bill was 30% lower", "we hit 99.95%")
    "lower", "higher", "less", "smaller", "cheaper", "quicker", "shorter", "under", "below", "within",
    "reached", "hit", "met", "gained", "got back", "freed", "brought ... down", "brought ... back",
    "went through", "came out", "dropped", "fell", "grew", "gone", "removed", "closed", "caught",
    "no repeat", "not repeat*", "since", "ever since", "to date", "so far", "per cent", "percent",
    # how long it took all told
    "end to end", "in total", "all told",
)  # fmt: skip
# A routine or a general claim ("when it breaks I just fix it", "it's usually faster if I take the
# ticket") is how things go, not how the story ended.
HABITUAL = (
    "usually", "whenever", "every time", "each time", "when it breaks", "if it breaks",
    "when something breaks", "if something breaks", "tend to", "typically", "normally", "generally",
    "in general",
)  # fmt: skip
FEELINGS = (
    "went well", "went great", "went really well", "was happy", "were happy", "a lot happier",
    "was pleased", "were pleased", "worked out", "was a success", "was great", "was good",
    "turned out well", "turned out fine", "was fine", "everyone was", "felt good", "felt great",
    "felt quieter", "felt better", "people liked", "was well received", "went smoothly", "was nice",
    "it worked", "all good", "happy with", "loved it", "got sorted", "got fixed", "got there",
    "got it sorted", "got resolved", "got through it", "been fine",
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
    "order of magnitude", "an hour", "a day", "a week", "a month", "a third", "a quarter of", "a fifth",
    "a tenth", "per cent", "an order of", "by half", "in half",
)  # fmt: skip
# A number right after one of these is a label, not a measurement ("sev 1", "phase 2", "python 3").
LABEL_BEFORE = frozenset((
    "sev", "severity", "priority", "p", "phase", "step", "stage", "wave", "round", "part", "number", "no",
    "tier", "level", "layer", "gen", "generation", "v", "version", "release", "python", "java", "node",
    "postgres", "postgresql", "mysql", "kubernetes", "k8s", "php", "ruby", "go", "terraform", "helm", "tls",
    "http", "ipv", "jdk", "ubuntu", "centos", "rhel", "debian", "windows", "ios", "android", "elasticsearch",
    "redis", "mongo", "mongodb", "angular", "react", "spring", "log4j", "openssl", "rails", "django",
    "ec", "s", "route", "team", "room", "floor", "ticket", "jira", "pr", "issue", "chapter", "slide",
))  # fmt: skip
# A year after these is a date ("in 2021", "back in 2019"), part of the setting.
DATE_BEFORE = frozenset((
    "in", "since", "of", "during", "until", "early", "late", "mid", "around", "back", "summer", "winter",
    "spring", "autumn", "fall", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "q1", "q2", "q3", "q4", "year",
))  # fmt: skip
# A headcount describes the setting ("a 40-person team", "a team of 12"), not an outcome.
HEADCOUNT_AFTER = frozenset(("person", "people", "man", "strong", "member", "headcount"))
HEADCOUNT_BEFORE = ("team of", "squad of", "group of", "org of", "company of", "startup of")
CLOCK_AFTER = frozenset(("am", "pm", "o", "oclock", "in the morning", "at night", "at", "that", "last", "on"))
CLOCK_PHRASES = frozenset(("in the morning", "at night", "that night", "last night", "on a", "on the"))
CLOCK_BEFORE = frozenset(("at", "around", "about", "by", "until", "till", "past", "gone", "before", "after"))
HOURS = {w: n for n, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
))}  # fmt: skip
# "I'd like to think", "I'd count it as": hedges in the speaker's voice, not hypotheticals.
HEDGE_AFTER = frozenset(("argue", "guess", "think", "call", "count", "describe", "rate"))
# Past verbs of saying: the modal after them is what was said, not what one would do.
REPORTING = frozenset(
    ("told", "said", "promised", "agreed", "explained", "committed", "assured", "confirmed")
)
_MEASURE = re.compile(r"^\d[\d,]*(?:\.\d+)?(?:k|m|bn|x|ms|s|h|hr|hrs|min|mins|gb|tb|mb|d|w)?$")
_CLOCK = re.compile(r"^\d{1,2}(?::\d\d)?(?:am|pm)$")
_YEAR = re.compile(r"^(?:19[89]\d|20[0-4]\d)$")
_STATUS = re.compile(r"^[45]\d\ds$|^[45]xx$")
# Outcome cues that say something changed (strong enough to make an action sentence's figure an
# outcome: "which brought results back in 38 minutes", "cut the bill by 30%").
CHANGE = (
    "reduc*", "cut", "dropp*", "improv*", "increas*", "decreas*", "sav*", "halv*", "doubl*", "tripl*",
    "went from", "from ... to", "down to", "fell", "rose", "shrank", "grew", "went down", "went up",
    "faster", "fewer", "lower", "higher", "less", "smaller", "cheaper", "quicker", "shorter",
    "brought ... down", "brought ... back", "back up", "back in", "recover*", "restored", "resolv*",
    "since then", "since", "now",
    "no longer", "as a result", "which meant", "in total", "in the end", "outcome", "result*", "freed",
    "got back", "mttr", "instead of", "compared to", "down from", "up from", "ended up", "zero", "back",
    "lasted", "later",
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
    return _first_modal(s) is not None or any_phrase(s, HYPOTHETICAL_PHRASES)


def _first_modal(s: Sentence) -> int | None:
    """Where the first "I would / we could ..." starts (hedges such as "I'd say" excluded)."""
    toks = s.tokens
    for i, tok in enumerate(toks):
        if tok in HYPOTHETICAL and i > 0 and toks[i - 1] in {"i", "we", "you", "one"}:
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            if nxt in HEDGE_AFTER or (nxt == "like" and toks[i + 2 : i + 4] == ("to", "think")):
                continue
            if REPORTING.intersection(toks[max(0, i - 6) : i - 1]):
                continue  # reported speech: "I told them I'd back it" was said, in the past
            return i
    return None


def _is_past_action(s: Sentence) -> bool:
    """ "I/we <past verb>" within three words, skipping states ("we had an outage") and generalities."""
    return _past_action_at(s) is not None


def _told_action(s: Sentence) -> bool:
    """A step actually taken: a past action told before any "I would" in the sentence.

    "I paired with him for a month so he knew what I'd be looking for" is a step taken; the modal
    belongs to a clause about someone else's expectations.
    """
    at = _past_action_at(s)
    if at is None or any_phrase(s, VAGUE_STEP) or any_phrase(s, LESSON_CLOSE):
        return False  # help that names no step, or the lesson ("the big thing I took away")
    modal = _first_modal(s)
    if modal is not None and (modal < at or any_phrase(s, CONDITIONAL)):
        return False
    return modal is not None or not any_phrase(s, HYPOTHETICAL_PHRASES)


def told_action(s: Sentence) -> bool:
    """Public for the pointer substance rule: a concept told as a step taken is more than a keyword."""
    return _told_action(s)


def _past_action_at(s: Sentence) -> int | None:
    """Token index of the first "I/we <past verb>" (see _is_past_action), or None."""
    if any_phrase(s, GENERALITY) or any_phrase(s, HABITUAL):
        return None
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
                    return i  # "we had to roll back" is an action
                if word == "had" and ((nxt.endswith("ed") and len(nxt) > 4) or nxt in IRREGULAR_PAST):
                    return i  # "I'd volunteered": pluperfect, still something done
                if word in {"was", "were"} and nxt.endswith("ing"):
                    return i  # "I was paging people"
                if word in {"just", "kind", "sort"}:
                    continue
                break
            if (word.endswith("ed") and len(word) > 4) or word in IRREGULAR_PAST:
                return i
    return None


def _numeric(tok: str) -> bool:
    return any(c.isdigit() for c in tok) or tok in NUMBER_WORDS


def _context_number(toks: tuple[str, ...], i: int) -> bool:
    """Is the number at toks[i] part of the setting rather than a measurement?

    Clock times ("at 3am", "3 in the morning"), labels ("sev 1", "phase 2", "Postgres 12"), dates
    ("in 2021"), headcounts ("a 40-person team", "a team of 12") and status codes ("502s") are
    how a story is set, not how it ended.
    """
    tok = toks[i]
    before = toks[i - 1] if i > 0 else ""
    after = toks[i + 1] if i + 1 < len(toks) else ""
    if _CLOCK.match(tok) or _STATUS.match(tok) or before in LABEL_BEFORE:
        return True
    if _YEAR.match(tok) and (before in DATE_BEFORE or after in {"", BOUNDARY}):
        return True
    if after in HEADCOUNT_AFTER or " ".join(toks[max(0, i - 2) : i]) in HEADCOUNT_BEFORE:
        return True
    hour = int(tok) if tok.isdigit() else HOURS.get(tok, 99)
    if hour <= 12 and _clock_time(toks, i):
        return True
    return before == "at" and tok.isdigit() and int(tok) <= 24 and after not in FREQUENCY | {"%", "percent"}


def _clock_time(toks: tuple[str, ...], i: int) -> bool:
    """ "3 am", "eleven at night", "around two that night", "at 4 on a Sunday": a time of day."""
    after = toks[i + 1] if i + 1 < len(toks) else ""
    if after in {"am", "pm", "o", "oclock"}:
        return True
    if " ".join(toks[i + 1 : i + 3]) in CLOCK_PHRASES or " ".join(toks[i + 1 : i + 4]) in CLOCK_PHRASES:
        return True
    before = toks[i - 1] if i > 0 else ""
    return before in CLOCK_BEFORE and after not in FREQUENCY | DURATION_UNITS | {"%", "percent", "x", "times"}


def _measure_token(toks: tuple[str, ...], i: int) -> bool:
    """A number, written number or multiplier that measures something (not a label or a date)."""
    tok = toks[i]
    if tok in NUMBER_WORDS:
        return not _context_number(toks, i)
    if not any(c.isdigit() for c in tok):
        return False
    return bool(_MEASURE.match(tok)) and not _context_number(toks, i)


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
    """A measurable figure: a number, %, a written number, a before/after, or "an hour"-style duration.

    Numbers that set the scene (clock times, dates, severities, versions, headcounts, product
    names such as "k8s" or "EC2") are not measurements.
    """
    toks = s.tokens
    if "%" in toks or any(_measure_token(toks, i) for i in range(len(toks))):
        return True
    return _from_to(toks) or any_phrase(s, BEFORE_AFTER)


def _result_cue(s: Sentence, acted: bool = False, aftermath: bool = False) -> tuple[bool, bool]:
    """(is an outcome, is a measured outcome) for one sentence of the story's second part.

    The role of the sentence decides whether its figure is a result: in a sentence that tells a
    step taken (`acted`) a figure is only an outcome next to a change cue ("which brought it back
    in 38 minutes"), not any outcome word ("within 10 minutes I had paged two people"); in the
    aftermath of the story (after the last step told) a figure is an outcome even without a cue
    ("It was down for two and a half hours in total", "The team got a day a week back").
    """
    if any_phrase(s, LESSON) and not any_phrase(s, OUTCOME_STRONG):
        return False, False
    measured = quantified(s)
    # A routine is not an outcome ("whenever it jams I restart it"), unless the sentence measures a
    # change ("requests went from five a week to whenever people liked").
    if any_phrase(s, HABITUAL) and not any_phrase(s, OUTCOME_STRONG) and not measured:
        return False, False
    feeling = any_phrase(s, FEELINGS)
    outcome = any_phrase(s, RESULT)
    if aftermath and measured:
        return True, True
    if not (feeling or outcome):
        return False, False
    if acted and not feeling and not any_phrase(s, CHANGE):
        return False, False  # a step told with a loose outcome word ("we met again later")
    if acted and not feeling and _step_is_its_own_outcome(s, measured):
        return False, False
    return True, outcome and measured


FIRST_PERSON = frozenset(("i", "my", "me", "myself", "mine"))
# A past episode is being told: a past state of the speaker, team or system.
PAST_STATE = (
    "i was", "we were", "we had", "i had", "it was", "there was", "there were", "was down", "went down",
    "happened",
)  # fmt: skip


def tells_episode(sents: list[Sentence]) -> bool:
    """Does the answer tell a specific past episode at all (a step taken or a past state)?

    A situation is the context of *an* episode; an answer made only of present-tense claims
    ("I'm always around for people") has settings words but no situation.
    """
    return any(_told_action(s) or any_phrase(s, PAST_STATE) for s in sents)


CLAUSE_BREAK = frozenset((BOUNDARY, "and", "so", "which", "until", "then", "but", "after", "when"))


def _step_is_its_own_outcome(s: Sentence, measured: bool) -> bool:
    """A step is not its own outcome ("we rolled the playbook back and restored the directories").

    The outcome must be told of something else ("...and their webhooks started flowing again",
    "it has been stable since we upgraded"), with a strong outcome cue, or as a figure that changed.
    """
    if any_phrase(s, OUTCOME_STRONG) or (measured and any_phrase(s, CHANGE)):
        return False
    return not any(any_phrase(part, RESULT) for part in _consequence_clauses(s))


def _clause(s: Sentence, start: int, end: int) -> Sentence:
    toks, stems = s.tokens[start:end], s.stems[start:end]
    return Sentence(s.index, s.text, toks, stems, frozenset(toks + stems), frozenset(t[:3] for t in toks))


def _consequence_clauses(s: Sentence) -> list[Sentence]:
    """The parts of a step sentence told about something other than the speaker's own doing.

    "I put the rule back and their webhooks started flowing again": the clause after the break has
    its own subject ("their webhooks"), so it can report a consequence; so can what comes before
    the step ("it has been stable since we upgraded"). "We rolled the playbook back and restored the
    directories" only continues the step (the word after the break is a verb).
    """
    at = _past_action_at(s)
    if at is None:
        return []
    toks = s.tokens
    parts = [_clause(s, 0, at)] if at >= 2 else []
    for k in range(at + 2, len(toks) - 1):
        nxt = toks[k + 1]
        if toks[k] not in CLAUSE_BREAK or nxt in CLAUSE_BREAK or nxt in {"i", "we", BOUNDARY}:
            continue
        if (nxt.endswith("ed") and len(nxt) > 4) or nxt in IRREGULAR_PAST or nxt.endswith("ing"):
            continue
        parts.append(_clause(s, k + 1, len(toks)))
        break
    return parts


def closing_lesson(sents: list[Sentence]) -> int | None:
    """Where the story closes on a lesson: a lesson in its last two sentences, not followed by how it
    ended ("Looking back I'd have measured first. In the end they went with GitLab" closes on the end)."""
    n = len(sents)
    for s in reversed(sents[-2:]):
        if any_phrase(s, LESSON_CLOSE):
            after = sents[s.index + 1 :]
            if any(any_phrase(t, OUTCOME_STRONG) or quantified(t) for t in after):
                return None
            return s.index if n > 2 else None
    return None


REASON_OR_CONDITION = frozenset(
    {"if", "unless", "because"}
)  # "so that if it went wrong": a purpose, not a result


def _tells_consequence(s: Sentence) -> bool:
    """A step sentence that also reports what followed ("...and their webhooks started flowing again")."""
    return any(
        any_phrase(part, RESULT) and REASON_OR_CONDITION.isdisjoint(part.tokens) and not hypothetical(part)
        for part in _consequence_clauses(s)
    )


STAR_HEADINGS = ("situation", "task", "action", "result")
HEADING_WORDS = 3  # "Result: went fine" is a heading with too little under it to count


def _heading(s: Sentence) -> str | None:
    """The STAR part a member wrote as a heading ("- Action: paged the DB team, failed over..."), when
    what follows it is told, not planned or unknown; None otherwise."""
    toks = s.tokens
    if len(toks) < 2 + HEADING_WORDS or toks[0] not in STAR_HEADINGS or toks[1] != BOUNDARY:
        return None
    if hypothetical(s) or any_phrase(s, NO_OUTCOME) or (toks[0] == "result" and any_phrase(s, LESSON)):
        return None
    return toks[0]


def analyse_star(sents: list[Sentence]) -> StarEvidence:
    """Decide situation/task/action/result/quantified from sentence roles."""
    quotes: dict[str, str] = {}
    n = len(sents)
    acted: set[int] = set()
    episode = tells_episode(sents)
    for s in sents:
        hypo = hypothetical(s)
        early = s.index <= max(1, n // 2)
        vague_scene = any_phrase(s, VAGUE_EPISODE) or any_phrase(s, NOT_SCENE)
        if (
            "situation" not in quotes
            and episode
            and early
            and not hypo
            and not vague_scene
            and any_phrase(s, SITUATION)
        ):
            quotes["situation"] = s.quote()
        role_past = any_phrase(s, ROLE_PAST) and not any_phrase(s, CONDITIONAL)
        # The task is the speaker's own part, said in the first person: "as the lead" about
        # someone else, or "we were on the hook", is not the speaker's responsibility.
        mine = not FIRST_PERSON.isdisjoint(s.tokens)
        if "task" not in quotes and mine and any_phrase(s, TASK) and (not hypo or role_past):
            quotes["task"] = s.quote()
        if "task" not in quotes and s.index < INITIATIVE_SENTENCES and not hypo and any_phrase(s, INITIATIVE):
            quotes["task"] = s.quote()
        if (s.index > 0 or n == 1) and _told_action(s):
            acted.add(s.index)
            quotes.setdefault("action", s.quote())
    if not acted and n > 1 and _told_action(sents[0]):
        # The story may open on the step itself ("I wrote a script that..."): with no other step
        # told, the first sentence is the action, not only the setting.
        acted.add(0)
        quotes["action"] = sents[0].quote()
    last_step = max(acted, default=n)
    first_step = min(acted, default=0)
    # A story that closes on a lesson ("the big lesson for me was...") has told its outcome, if at all,
    # in a sentence of its own before the lesson: not inside a step, nor in the reflection after it.
    lesson_at = closing_lesson(sents)
    task_quote = quotes.get("task")
    # Results come after the story has started: skip the opening third of longer answers, and
    # anything told before the first step taken (that is the situation, whatever its verbs).
    for s in sents:
        if (n > 2 and s.index < max(1, n // 3)) or s.index < first_step:
            continue
        if hypothetical(s) and not any_phrase(s, ("since then", "as a result")):
            continue
        closing = s.index > last_step or s.index == n - 1  # the aftermath, or the story's last word
        if any_phrase(s, NO_OUTCOME):
            continue
        if lesson_at is not None and (
            (s.index >= lesson_at and not quantified(s)) or (s.index in acted and not _tells_consequence(s))
        ):
            continue
        is_result, measured = _result_cue(s, s.index in acted, closing)
        if not is_result or (s.quote() == task_quote and not measured):
            continue  # the speaker's role ("I ended up being the incident lead") is not how it ended
        quotes.setdefault("result", s.quote())
        if measured:
            quotes["quantified_result"] = quotes["result"] = s.quote()
            break
    for s in sents:
        part = _heading(s)
        if part is not None:
            quotes.setdefault(part, s.quote())
            if part == "result" and quantified(s):
                quotes["quantified_result"] = quotes["result"]
    star = StarResult(
        situation="situation" in quotes,
        task="task" in quotes,
        action="action" in quotes,
        result="result" in quotes,
        quantified_result="quantified_result" in quotes,
    )
    return StarEvidence(result=star, quotes=quotes)
