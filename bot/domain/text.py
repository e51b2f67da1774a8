"""Text plumbing for the coach: sentence segmentation, tokens with light stems, phrase matching.

Everything the coach decides is anchored to a sentence (evidence is quoted), so segmentation and
matching live here, small and deterministic. Phrases are authored in packs; their grammar is:

- words are matched on light stems, so `rollback` also matches `rollbacks`, `roll back` does not;
  write `roll* back` for `rolled back` / `rolling back` (a trailing `*` is a prefix match of at
  least three letters, or two digits: `99*` matches `99.95`);
- `...` between words allows up to four other words in between (`paged ... team`);
- case, hyphens and apostrophes are ignored (`trade-off` = `trade off`; `team's` = `team`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

GAP = "..."
MAX_GAP = 4

# Sentence ends at . ! ? or a newline; not after common abbreviations or inside numbers like 99.9.
_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl|mr|ms|dr|no)\.$", re.IGNORECASE)
# Sentence ends, blank lines, a new line that starts a bullet or a labelled line ("Task: ...",
# "**Result:** ..."), and semicolons between clauses.
_SPLIT = re.compile(
    r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n\s*|\n\s*(?=[-*•]\s|\d+[.)]\s|(?:\*\*)?[A-Za-z][\w ]{0,24}:(?:\*\*)?\s)"
    r"|(?<=[a-z0-9)])\s*;\s+"
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_CONTRACTIONS = (
    (re.compile(r"\bcan['’]t\b"), "can not"),
    (re.compile(r"\bwon['’]t\b"), "will not"),
    (re.compile(r"n['’]t\b"), " not"),
    (re.compile(r"\b(it|that|there|what|here|who)['’]s\b"), r"\1 is"),
    (re.compile(r"\blet['’]s\b"), "let us"),
    # "I'd volunteered" is "I had"; "I'd add" is "I would".
    (
        re.compile(
            r"['’]d(?=\s+(?:already\s+|just\s+|never\s+|not\s+)?(?:\w+ed|been|done|gone|seen|got|gotten|taken|written|built|"
            r"made|had|led|run|set|found|left|spent|lost|known)\b)"
        ),
        " had",
    ),
    (re.compile(r"['’]d\b"), " would"),
    (re.compile(r"['’]ll\b"), " will"),
    (re.compile(r"['’]m\b"), " am"),
    (re.compile(r"['’]re\b"), " are"),
    (re.compile(r"['’]ve\b"), " have"),
    (re.compile(r"['’]s\b"), ""),
    (re.compile(r"s['’](?=\s|$)"), "s"),
)
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|%|[,;:()—–]")
BOUNDARY = "|"
# Shop-talk abbreviations are spelled out on both sides of a match (answers and pack phrases go
# through the same tokenizer), so "prod creds" meets a phrase written as "production credential*"
# and a phrase written with the abbreviation still matches the long form. Only unambiguous clippings:
# "pr" stays ("PR 1234" is a label for the STAR number filter), "ops" stays (a team as often as a task).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "prod": ("production",),
    "env": ("environment",),
    "envs": ("environments",),
    "creds": ("credentials",),
    "cred": ("credential",),
    "db": ("database",),
    "dbs": ("databases",),
    "infra": ("infrastructure",),
    "repo": ("repository",),
    "repos": ("repositories",),
    "perms": ("permissions",),
    "config": ("configuration",),
    "configs": ("configurations",),
    "mgmt": ("management",),
    "deps": ("dependencies",),
    "svc": ("service",),
    "svcs": ("services",),
    "oncall": ("on", "call"),
    "postmortem": ("post", "mortem"),
    "postmortems": ("post", "mortems"),
    "rollout": ("roll", "out"),
    "rollouts": ("roll", "outs"),
    "execs": ("executives",),
    "exec": ("executive",),
}


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an answer: its original text (for quoting) and its tokens and stems."""

    index: int
    text: str
    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    vocabulary: frozenset[str] = frozenset()  # stems and tokens, for a fast "cannot match" check
    heads: frozenset[str] = frozenset()  # first three letters of each token, for prefix phrases

    def quote(self, limit: int = 200) -> str:
        if len(self.text) <= limit:
            return self.text
        cut = self.text[: limit - 1].rsplit(" ", 1)[0]
        return cut + "…"


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light, deterministic stemmer: both sides of a match use it, so it must agree, not be right."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
        ("e", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz" and word[-1].isalpha():
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> tuple[str, ...]:
    """Lowercase word tokens; punctuation that separates clauses becomes BOUNDARY."""
    lowered = text.casefold()
    for pattern, repl in _CONTRACTIONS:
        lowered = pattern.sub(repl, lowered)
    lowered = re.sub(r"(?<=[a-z])[-/](?=[a-z0-9])", " ", lowered)
    out: list[str] = []
    for tok in _TOKEN.findall(lowered):
        if tok in ",;:()—–":
            out.append(BOUNDARY)
        else:
            out.extend(ABBREVIATIONS.get(tok, (tok,)))
    return tuple(out)


def sentences(text: str) -> list[Sentence]:
    """Split an answer into sentences (also on newlines and bullets) keeping their original wording."""
    pieces: list[str] = []
    for raw in _SPLIT.split(text.strip()):
        if raw is None:
            continue
        piece = _BULLET.sub("", raw).strip()
        if not piece:
            continue
        if pieces and _ABBREV.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    out: list[Sentence] = []
    for piece in pieces:
        tokens = tokenize(piece)
        if any(t != BOUNDARY for t in tokens):
            stems = tuple(stem(t) for t in tokens)
            heads = frozenset(t[:3] for t in tokens)
            out.append(
                Sentence(len(out), " ".join(piece.split()), tokens, stems, frozenset(stems + tokens), heads)
            )
    return out


@dataclass(frozen=True, slots=True)
class Phrase:
    """A compiled pack phrase: a sequence of word matchers with optional gaps."""

    source: str
    parts: tuple[tuple[str, bool, bool], ...]  # (stem or prefix, is_prefix, gap_before)
    needed: frozenset[str] = frozenset()  # stems that must all occur for a match
    heads: frozenset[str] = frozenset()  # first three letters of each prefix word, likewise


@lru_cache(maxsize=16384)
def _word_tokens(word: str) -> tuple[str, ...]:
    """Tokens of one authored word (phrases share few words: caching makes pack loading fast)."""
    return tokenize(word)


@lru_cache(maxsize=65536)  # lexicon expansion makes packs hold tens of thousands of phrases
def compile_phrase(source: str) -> Phrase:
    parts: list[tuple[str, bool, bool]] = []
    gap = False
    for word in source.casefold().replace(GAP, f" {GAP} ").split():
        if word == GAP:
            gap = True
            continue
        prefix = word.endswith("*")
        toks = _word_tokens(word.rstrip("*"))
        for i, tok in enumerate(toks):
            if tok == BOUNDARY:
                continue
            is_prefix = prefix and i == len(toks) - 1
            parts.append((tok if is_prefix else stem(tok), is_prefix, gap))
            gap = False
    needed = frozenset(word for word, is_prefix, _ in parts if not is_prefix)
    heads = frozenset(word[:3] for word, is_prefix, _ in parts if is_prefix)
    return Phrase(source, tuple(parts), needed, heads)


def phrase_problem(source: str) -> str | None:
    """Why a pack phrase cannot be matched, or None when it is fine (used by pack validation)."""
    stripped = source.strip()
    if stripped.startswith(GAP) or stripped.endswith(GAP):
        return "must not start or end with '...'"
    if re.search(r"\*\S", stripped):
        return "'*' is only allowed at the end of a word"
    phrase = compile_phrase(stripped)
    if not phrase.parts:
        return "has no words"
    if any(is_prefix and len(word) < 3 and not word.isdigit() for word, is_prefix, _ in phrase.parts):
        return "a prefix before '*' needs at least 3 letters (or 2 digits, e.g. 99*)"
    return None


def find(phrase: Phrase, sentence: Sentence, start: int = 0) -> tuple[int, int] | None:
    """First (start, end) token span of `phrase` in `sentence` at or after `start`, or None."""
    parts = phrase.parts
    if not parts or (sentence.vocabulary and not phrase.needed <= sentence.vocabulary):
        return None
    if sentence.heads and not phrase.heads <= sentence.heads:
        return None
    word, is_prefix, _ = parts[0]
    # Only positions where the first word matches can start a match (checked inline: this loop is hot).
    if is_prefix:
        starts = [i for i in range(start, len(sentence.tokens)) if sentence.tokens[i].startswith(word)]
    else:
        stems = sentence.stems
        starts = [i for i in range(start, len(stems)) if stems[i] == word]
    for begin in starts:
        end = _match_from(parts, sentence, begin, 0)
        if end is not None:
            return begin, end
    return None


def _match_from(parts: tuple[tuple[str, bool, bool], ...], s: Sentence, pos: int, k: int) -> int | None:
    word, is_prefix, _ = parts[k]
    if pos >= len(s.tokens) or not _word_ok(word, is_prefix, s, pos):
        return None
    if k + 1 == len(parts):
        return pos + 1
    nxt_gap = parts[k + 1][2]
    limit = MAX_GAP + 1 if nxt_gap else 1
    for step in range(1, limit + 1):
        nxt = pos + step
        if nxt >= len(s.tokens) or (s.tokens[nxt - 1] == BOUNDARY and step > 1):
            break
        end = _match_from(parts, s, nxt, k + 1)
        if end is not None:
            return end
    return None


def _word_ok(word: str, is_prefix: bool, s: Sentence, pos: int) -> bool:
    if is_prefix:
        return s.tokens[pos].startswith(word)
    return s.stems[pos] == word
