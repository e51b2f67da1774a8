"""Load and validate content packs (content/*.yaml) into the dataclasses of bot.domain.model.

Packs are authored by people, so validation is the user interface: every problem of a file is
reported at once as `file:line: what is wrong`, using the YAML node marks, instead of stopping at
the first. The YAML is composed (not just loaded) so each value keeps its line number.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.domain.coaching_types import POINTER_KIND, POINTER_OUTPUT, STAR_KIND, STAR_PARTS
from bot.domain.flag_model import NGRAM_KIND, FlagModel, ModelFileError
from bot.domain.model import Pack, Pointer, Question, RedFlag, RubricDimension, Signals
from bot.domain.text import phrase_problem

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
KINDS = ("primary", "practice")

PACK_KEYS = {
    "id", "title", "about", "stages", "formats", "screening", "red_flags", "questions", "rubric", "lexicon",
}  # fmt: skip
PACK_REQUIRED = PACK_KEYS - {"rubric", "lexicon"}
QUESTION_KEYS = {"id", "kind", "category", "text", "why", "pointers", "avoid"}
QUESTION_REQUIRED = {"id", "kind", "category", "text", "why"}
POINTER_KEYS = {"text", "advice", "signals", "measured_result", "star_parts"}
AVOID_KEYS = {"text", "signals"}
FLAG_KEYS = {"id", "text", "signals"}
RUBRIC_KEYS = {"id", "name", "description"}
SIGNAL_KEYS = {
    "concepts",
    "require",
    "negative",
    "negative_near",
    "negative_after",
    "window",
    "applies_to",
    "patterns",
}
PATTERN_KEYS = SIGNAL_KEYS - {"patterns"}
LEXICON_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
LEXICON_REF = re.compile(r"@([a-z0-9][a-z0-9-]*)")
MAX_EXPANSION = 5000  # phrases one authored phrase may expand to (keeps matching fast)
MAX_WINDOW = 10

# libyaml is much faster and keeps the same node marks; fall back to pure Python without it.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STAR_DIMENSION = RubricDimension(
    id="star-structure",
    name="STAR structure",
    description="Situation, task, action and a measurable result, told in that order.",
)


class PackError(ValueError):
    """A pack (or library) failed validation; `problems` holds every `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Checker:
    """Walks composed YAML nodes, collecting problems with file:line instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []
        self._constructor = SafeConstructor()
        self.lexicon: dict[str, tuple[str, ...]] = {}

    def problem(self, node: Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(f"{self.file}:{line}: {message}")

    def mapping(
        self, node: Node, where: str, allowed: set[str], required: set[str]
    ) -> dict[str, tuple[Node, Node]] | None:
        """Return key -> (key node, value node), reporting unknown, duplicate and missing keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where} must be a mapping")
            return None
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else repr(key_node)
            if key in out:
                self.problem(key_node, f"{where}: duplicate key '{key}'")
                continue
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(key_node, f"{where}: unknown key '{key}'{suffix}")
                continue
            out[key] = (key_node, value_node)
        for key in sorted(required - out.keys()):
            self.problem(node, f"{where}: missing required key '{key}'")
        return out

    def scalar(self, node: Node) -> Any:
        return self._constructor.construct_object(node, deep=True) if isinstance(node, ScalarNode) else None

    def text(self, node: Node, where: str, key: str) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not value.strip():
            self.problem(node, f"{where}: '{key}' must be a non-empty string")
            return None
        return " ".join(value.split())

    def strings(self, node: Node, where: str, key: str, allow_empty: bool = False) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode) or (not node.value and not allow_empty):
            self.problem(node, f"{where}: '{key}' must be a non-empty list of strings")
            return ()
        out: list[str] = []
        for item in node.value:
            value = self.text(item, where, f"{key}[]")
            if value is not None:
                out.append(value)
        return tuple(out)

    def slug(self, node: Node, where: str) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(node, f"{where}: id {value!r} must match {SLUG.pattern} (lowercase slug)")
            return None
        return value

    def signals(self, node: Node, where: str, nested: bool = False) -> Signals:
        """Parse `signals:` (or one of its `patterns:`); lexicon references are expanded here."""
        allowed = PATTERN_KEYS if nested else SIGNAL_KEYS
        label = f"{where} signals" + (" pattern" if nested else "")
        fields = self.mapping(node, label, allowed, set() if not nested else {"concepts"})
        if fields is None:
            return Signals()
        if "concepts" not in fields and "patterns" not in fields:
            self.problem(node, f"{where}: 'signals' needs 'concepts' or 'patterns'")
        concepts: list[tuple[str, ...]] = []
        concepts_node = fields["concepts"][1] if "concepts" in fields else None
        if concepts_node is not None:
            if not isinstance(concepts_node, SequenceNode) or not concepts_node.value:
                self.problem(concepts_node, f"{where}: 'signals.concepts' must be a non-empty list")
            else:
                for group in concepts_node.value:
                    concepts.append(self._concept(group, where))
        require = self._bounded(fields, "require", where, 1, max(1, len(concepts)), 1)
        window = self._bounded(fields, "window", where, 1, MAX_WINDOW, 0)
        negative: tuple[str, ...] = ()
        if "negative" in fields:
            negative = self.phrases(fields["negative"][1], where, "signals.negative")
        negative_near: tuple[str, ...] = ()
        if "negative_near" in fields:
            negative_near = self.phrases(fields["negative_near"][1], where, "signals.negative_near")
        negative_after: tuple[str, ...] = ()
        if "negative_after" in fields:
            negative_after = self.phrases(fields["negative_after"][1], where, "signals.negative_after")
        applies_to: tuple[str, ...] = ()
        if "applies_to" in fields:
            applies_to = tuple(
                v.casefold() for v in self.strings(fields["applies_to"][1], where, "signals.applies_to")
            )
        patterns: list[Signals] = []
        if "patterns" in fields:
            p_node = fields["patterns"][1]
            if not isinstance(p_node, SequenceNode) or not p_node.value:
                self.problem(p_node, f"{where}: 'signals.patterns' must be a non-empty list of mappings")
            else:
                patterns = [self.signals(item, where, nested=True) for item in p_node.value]
        return Signals(
            concepts=tuple(c for c in concepts if c),
            require=require,
            negative=negative,
            window=window,
            applies_to=applies_to,
            patterns=tuple(patterns),
            negative_near=negative_near,
            negative_after=negative_after,
        )

    def _bounded(
        self, fields: dict[str, tuple[Node, Node]], key: str, where: str, low: int, high: int, default: int
    ) -> int:
        if key not in fields:
            return default
        node = fields[key][1]
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            what = "the number of concepts" if key == "require" else str(high)
            self.problem(node, f"{where}: 'signals.{key}' must be an integer from {low} to {what} ({high})")
            return default
        return value

    def _concept(self, node: Node, where: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return self.phrases_one(node, where, "signals.concepts[]")
        return self.phrases(node, where, "signals.concepts[]")

    def phrases(self, node: Node, where: str, key: str) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.problem(node, f"{where}: '{key}' must be a non-empty list of phrases")
            return ()
        out: dict[str, None] = {}
        for item in node.value:
            out.update(dict.fromkeys(self.phrases_one(item, where, key)))
        return tuple(out)

    def phrases_one(self, node: Node, where: str, key: str) -> tuple[str, ...]:
        """One authored phrase, expanded over the lexicon names it references (`@name`)."""
        value = self.text(node, where, key)
        if value is None:
            return ()
        expanded = self.expand(node, value.casefold(), where, key)
        for phrase in self._samples(value.casefold()) if len(expanded) > 1 else expanded:
            problem = phrase_problem(phrase)
            if problem:
                self.problem(node, f"{where}: '{key}' phrase {phrase!r}: {problem}")
                return ()
        return expanded

    def _samples(self, value: str) -> list[str]:
        """Expansions that exercise every lexicon phrase once, for validation.

        Lexicon phrases are validated on their own, so the only new problems an expansion can
        create come from one phrase meeting the template around it ("@fix-verb*", a leading
        "..."). Checking each phrase in place (the other names at their first phrase) finds those
        in sum-of-sizes rather than product-of-sizes time: loading is ~10x faster on big packs.
        """
        names = list(dict.fromkeys(LEXICON_REF.findall(value)))
        base = {name: self.lexicon[name][0] for name in names if self.lexicon.get(name)}
        out: list[str] = []
        for name in base:
            for alt in self.lexicon[name]:
                out.append(_substitute(value, {**base, name: alt}))
        return out

    def expand(self, node: Node, value: str, where: str, key: str) -> tuple[str, ...]:
        """`@name` stands for every phrase of the pack's lexicon entry `name` (all combinations)."""
        names = LEXICON_REF.findall(value)
        if not names:
            return (value,)
        unknown = [n for n in names if n not in self.lexicon]
        if unknown:
            hint = difflib.get_close_matches(unknown[0], sorted(self.lexicon), n=1)
            suffix = f" (did you mean '@{hint[0]}'?)" if hint else ""
            self.problem(
                node, f"{where}: '{key}' phrase {value!r}: unknown lexicon name '@{unknown[0]}'{suffix}"
            )
            return ()
        size = 1
        for name in names:
            size *= len(self.lexicon[name])
        if size > MAX_EXPANSION:
            self.problem(
                node, f"{where}: '{key}' phrase {value!r} expands to {size} phrases (limit {MAX_EXPANSION})"
            )
            return ()
        out = [value]
        for name in names:
            ref = f"@{name}"
            out = [p.replace(ref, alt, 1) for p in out for alt in self.lexicon[name]]
        return tuple(dict.fromkeys(out))

    def lexicon_entries(self, node: Node) -> None:
        """Parse the pack's `lexicon:`: named lists of phrases that signals reference as `@name`."""
        if not isinstance(node, MappingNode) or not node.value:
            self.problem(node, "'lexicon' must be a mapping of names to lists of phrases")
            return
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else ""
            if not isinstance(name, str) or not LEXICON_NAME.match(name):
                self.problem(key_node, f"lexicon: name {name!r} must match {LEXICON_NAME.pattern}")
                continue
            if name in self.lexicon:
                self.problem(key_node, f"lexicon: duplicate name '{name}'")
                continue
            where = f"lexicon '{name}'"
            if isinstance(value_node, SequenceNode):
                for item in value_node.value:
                    text = self.scalar(item)
                    if isinstance(text, str) and "@" in text:
                        self.problem(item, f"{where}: phrases may not reference other lexicon names")
            self.lexicon[name] = self.phrases(value_node, where, "phrases")


def _substitute(value: str, choice: dict[str, str]) -> str:
    """`value` with each `@name` replaced by the phrase chosen for it."""
    return LEXICON_REF.sub(lambda m: choice.get(m.group(1), m.group(0)), value)


def _pointers(ck: _Checker, node: Node, where: str, required: bool, behavioural: bool) -> tuple[Pointer, ...]:
    if not isinstance(node, SequenceNode) or (required and not node.value):
        need = "a non-empty" if required else "a"
        ck.problem(node, f"{where}: 'pointers' must be {need} list of mappings with 'text'")
        return ()
    out: list[Pointer] = []
    for item in node.value:
        fields = ck.mapping(item, f"{where}: 'pointers' item", POINTER_KEYS, {"text"})
        if fields is None or "text" not in fields:
            # Replace the generic mapping message with the one that says what a pointer is.
            line = item.start_mark.line + 1
            ck.problems[-1] = f"{ck.file}:{line}: {where}: 'pointers' must be a list of mappings with 'text'"
            continue
        text = ck.text(fields["text"][1], where, "pointers[].text")
        advice = ck.text(fields["advice"][1], where, "pointers[].advice") if "advice" in fields else None
        signals = ck.signals(fields["signals"][1], f"{where} pointer") if "signals" in fields else Signals()
        measured = False
        if "measured_result" in fields:
            node_value = fields["measured_result"][1]
            measured = isinstance(node_value, ScalarNode) and node_value.value in ("true", "True")
            if not isinstance(node_value, ScalarNode) or node_value.value not in (
                "true",
                "True",
                "false",
                "False",
            ):
                ck.problem(node_value, f"{where}: 'measured_result' must be true or false")
            elif measured and not behavioural:
                ck.problem(node_value, f"{where}: 'measured_result' needs a Behavioural question (STAR)")
        parts = _star_parts(ck, fields["star_parts"][1], where, behavioural) if "star_parts" in fields else ()
        if text is not None:
            out.append(
                Pointer(text=text, advice=advice, signals=signals, measured_result=measured, star_parts=parts)
            )
    return tuple(out)


def _star_parts(ck: _Checker, node: Node, where: str, behavioural: bool) -> tuple[str, ...]:
    """`star_parts: [action]`: the STAR parts a story needs before this pointer can be covered."""
    items = node.value if isinstance(node, SequenceNode) else []
    names = [item.value for item in items if isinstance(item, ScalarNode)]
    if not isinstance(node, SequenceNode) or not names or len(names) != len(items):
        ck.problem(node, f"{where}: 'star_parts' must be a non-empty list of {', '.join(STAR_PARTS)}")
        return ()
    unknown = [name for name in names if name not in STAR_PARTS]
    if unknown:
        known = ", ".join(STAR_PARTS)
        ck.problem(node, f"{where}: 'star_parts' has unknown part(s) {', '.join(unknown)}; use {known}")
        return ()
    if not behavioural:
        ck.problem(node, f"{where}: 'star_parts' needs a Behavioural question (STAR)")
        return ()
    return tuple(dict.fromkeys(names))


def _avoid(ck: _Checker, node: Node, where: str, question_id: str) -> tuple[RedFlag, ...]:
    if not isinstance(node, SequenceNode):
        ck.problem(node, f"{where}: 'avoid' must be a list of mappings with 'text'")
        return ()
    out: list[RedFlag] = []
    for index, item in enumerate(node.value):
        fields = ck.mapping(item, f"{where}: 'avoid' item", AVOID_KEYS, {"text"})
        if fields is None or "text" not in fields:
            continue
        text = ck.text(fields["text"][1], where, "avoid[].text")
        if text is not None and not text.startswith("Avoid"):
            ck.problem(fields["text"][1], f"{where}: 'avoid' entries must start with 'Avoid'")
        signals = ck.signals(fields["signals"][1], f"{where} avoid") if "signals" in fields else Signals()
        if text is not None:
            flag_id = f"{question_id}/avoid-{index}"
            out.append(RedFlag(id=flag_id, text=text, scope="question", signals=signals))
    return tuple(out)


def _question(ck: _Checker, node: Node, seen: dict[str, Node]) -> Question | None:
    fields = ck.mapping(node, "question", QUESTION_KEYS, QUESTION_REQUIRED)
    if fields is None:
        return None
    qid = ck.slug(fields["id"][1], "question") if "id" in fields else None
    where = f"question '{qid}'" if qid else "question"
    if qid is not None:
        if qid in seen:
            ck.problem(
                fields["id"][1],
                f"{where}: duplicate question id (first at line {seen[qid].start_mark.line + 1})",
            )
        seen.setdefault(qid, fields["id"][1])
    kind = ck.scalar(fields["kind"][1]) if "kind" in fields else None
    if "kind" in fields and kind not in KINDS:
        ck.problem(fields["kind"][1], f"{where}: 'kind' must be one of {', '.join(KINDS)} (got {kind!r})")
    values = {k: ck.text(fields[k][1], where, k) for k in ("category", "text", "why") if k in fields}
    pointers: tuple[Pointer, ...] = ()
    if "pointers" in fields:
        behavioural = str(values.get("category") or "").casefold().startswith("behavio")
        pointers = _pointers(
            ck, fields["pointers"][1], where, required=kind == "primary", behavioural=behavioural
        )
    elif kind == "primary":
        ck.problem(node, f"{where}: primary questions need at least one pointer")
    avoid = _avoid(ck, fields["avoid"][1], where, qid or "question") if "avoid" in fields else ()
    if qid is None or kind not in KINDS or None in values.values() or len(values) < 3:
        return None
    return Question(
        id=qid,
        kind="primary" if kind == "primary" else "practice",
        category=values["category"] or "",
        text=values["text"] or "",
        why=values["why"] or "",
        pointers=pointers,
        avoid=avoid,
    )


def _red_flags(ck: _Checker, node: Node) -> tuple[RedFlag, ...]:
    if not isinstance(node, SequenceNode):
        ck.problem(node, "'red_flags' must be a list of mappings with 'id' and 'text'")
        return ()
    out: list[RedFlag] = []
    seen: set[str] = set()
    for item in node.value:
        fields = ck.mapping(item, "red flag", FLAG_KEYS, {"id", "text"})
        if fields is None or "id" not in fields or "text" not in fields:
            continue
        flag_id = ck.slug(fields["id"][1], "red flag")
        text = ck.text(fields["text"][1], f"red flag '{flag_id}'", "text")
        if flag_id in seen:
            ck.problem(fields["id"][1], f"red flag '{flag_id}': duplicate red flag id")
        signals = (
            ck.signals(fields["signals"][1], f"red flag '{flag_id}'") if "signals" in fields else Signals()
        )
        if flag_id and text and flag_id not in seen:
            seen.add(flag_id)
            out.append(RedFlag(id=flag_id, text=text, scope="global", signals=signals))
    return tuple(out)


def _rubric(ck: _Checker, node: Node) -> tuple[RubricDimension, ...]:
    if not isinstance(node, SequenceNode) or not 3 <= len(node.value) <= 4:
        ck.problem(node, "'rubric' must be a list of 3-4 mappings with 'id', 'name' and 'description'")
        return ()
    out: list[RubricDimension] = []
    for item in node.value:
        fields = ck.mapping(item, "rubric dimension", RUBRIC_KEYS, RUBRIC_KEYS)
        if fields is None or fields.keys() != RUBRIC_KEYS:
            continue
        dim_id = ck.slug(fields["id"][1], "rubric dimension")
        name = ck.text(fields["name"][1], "rubric dimension", "name")
        description = ck.text(fields["description"][1], "rubric dimension", "description")
        if dim_id in {d.id for d in out}:
            ck.problem(fields["id"][1], f"rubric dimension '{dim_id}': duplicate id")
        elif dim_id and name and description:
            out.append(RubricDimension(id=dim_id, name=name, description=description))
    return tuple(out)


def _pack(ck: _Checker, root: Node) -> Pack | None:
    fields = ck.mapping(root, "pack", PACK_KEYS, PACK_REQUIRED)
    if fields is None:
        return None
    pack_id = ck.slug(fields["id"][1], "pack") if "id" in fields else None
    if "lexicon" in fields:  # first: signals anywhere in the pack may reference it
        ck.lexicon_entries(fields["lexicon"][1])
    texts = {k: ck.text(fields[k][1], "pack", k) for k in ("title", "about") if k in fields}
    lists = {
        k: ck.strings(fields[k][1], "pack", k) for k in ("stages", "formats", "screening") if k in fields
    }
    red_flags = _red_flags(ck, fields["red_flags"][1]) if "red_flags" in fields else ()
    rubric = _rubric(ck, fields["rubric"][1]) if "rubric" in fields else ()
    questions: list[Question] = []
    if "questions" in fields:
        q_node = fields["questions"][1]
        if not isinstance(q_node, SequenceNode) or not q_node.value:
            ck.problem(q_node, "'questions' must be a non-empty list of question mappings")
        else:
            seen: dict[str, Node] = {}
            for item in q_node.value:
                question = _question(ck, item, seen)
                if question is not None:
                    questions.append(question)
    if ck.problems or pack_id is None:
        return None
    return Pack(
        id=pack_id,
        title=texts.get("title") or "",
        about=texts.get("about") or "",
        stages=lists.get("stages", ()),
        formats=lists.get("formats", ()),
        screening=lists.get("screening", ()),
        red_flags=red_flags,
        questions=tuple(questions),
        rubric=rubric,
        source=ck.file,
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# Loaded packs by (display name, file text): many modules (cogs, tests, the bench) load the same
# content folder, and a pack is immutable, so an unchanged file is parsed and validated once.
_LOADED: dict[tuple[str, str], Pack] = {}
_LOADED_MAX = 16


def load_pack(path: str | Path, with_models: bool = True) -> Pack:
    """Parse and validate one pack file; raise PackError listing every problem found.

    A file whose text is unchanged since it was last loaded returns the same Pack object.
    `with_models=False` leaves the learned readers beside it unread (`content train` rewrites them,
    so a broken one must not stop it).
    """
    file = Path(path)
    name = _display(file)
    try:
        source = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError([f"{name}:1: cannot read file: {exc.strerror or exc}"]) from exc
    model_file, star_file = flag_model_path(file), star_model_path(file)
    pointer_file = pointer_model_path(file)
    model_text = _read_model(model_file) if with_models else ""
    star_text = _read_model(star_file) if with_models else ""
    pointer_text = _read_model(pointer_file) if with_models else ""
    key = (name, "\0".join((source, model_text, star_text, pointer_text)))
    cached = _LOADED.get(key)
    if cached is not None:
        return cached
    pack = _parse_pack(name, source)
    if model_text:
        pack = replace(pack, flag_model=_flag_model(_display(model_file), model_text, pack))
    if star_text:
        pack = replace(pack, star_model=_star_model(_display(star_file), star_text, pack))
    if pointer_text:
        pack = replace(pack, pointer_model=_pointer_model(_display(pointer_file), pointer_text, pack))
    if len(_LOADED) >= _LOADED_MAX:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[key] = pack
    return pack


def flag_model_path(pack_file: Path) -> Path:
    """Where a pack's learned flag model lives: `<pack>.flags.json` beside `<pack>.yaml`."""
    return pack_file.with_name(pack_file.stem + ".flags.json")


def star_model_path(pack_file: Path) -> Path:
    """Where a pack's learned STAR reader lives: `<pack>.star.json` beside `<pack>.yaml`."""
    return pack_file.with_name(pack_file.stem + ".star.json")


def pointer_model_path(pack_file: Path) -> Path:
    """Where a pack's learned pointer reader lives: `<pack>.pointers.json` beside `<pack>.yaml`."""
    return pack_file.with_name(pack_file.stem + ".pointers.json")


def _pointer_model(name: str, text: str, pack: Pack) -> FlagModel:
    """Parse the learned pointer reader: this pack's, of its kind, with its one output."""
    model = _linear_model(name, text, pack, POINTER_KIND)
    if set(model.flags) != {POINTER_OUTPUT}:
        raise PackError([f"{name}:1: a pointer reader has one output, {POINTER_OUTPUT!r}"])
    return model


def _read_model(model_file: Path) -> str:
    """A model file's text, or "" when the pack has none."""
    try:
        return model_file.read_text(encoding="utf-8") if model_file.exists() else ""
    except OSError as exc:
        raise PackError([f"{_display(model_file)}:1: cannot read file: {exc.strerror or exc}"]) from exc


def _star_model(name: str, text: str, pack: Pack) -> FlagModel:
    """Parse the learned STAR reader and check it was trained for this pack and reads STAR parts."""
    model = _linear_model(name, text, pack, STAR_KIND)
    unknown = sorted(set(model.flags) - set(STAR_PARTS))
    if unknown:
        raise PackError([f"{name}:1: model for unknown STAR part(s) {', '.join(unknown)}"])
    missing = [part for part in STAR_PARTS if part not in model.flags]
    if missing:  # a part with no output would read as "missing" in every story
        raise PackError([f"{name}:1: no weights for STAR part(s) {', '.join(missing)}"])
    return model


def _linear_model(name: str, text: str, pack: Pack, kind: str) -> FlagModel:
    try:
        model = FlagModel.from_json(text)
    except ModelFileError as exc:
        raise PackError([f"{name}:{exc.line}: {exc}"]) from exc
    if model.kind != kind:
        raise PackError([f"{name}:1: this file holds a {model.kind!r}, not a {kind!r}"])
    if model.pack_id and model.pack_id != pack.id:
        raise PackError([f"{name}:1: trained for pack {model.pack_id!r}, not {pack.id!r}"])
    return model


def _flag_model(name: str, text: str, pack: Pack) -> FlagModel:
    """Parse the learned flag model and check it was trained for this pack and its red flags."""
    model = _linear_model(name, text, pack, NGRAM_KIND)
    known = {flag.id for flag in pack.red_flags}
    unknown = sorted(set(model.flags) - known)
    if unknown:
        raise PackError([f"{name}:1: model for unknown red flag(s) {', '.join(unknown)}"])
    return model


def _parse_pack(name: str, source: str) -> Pack:
    """Compose the YAML (keeping line marks) and validate it into a Pack, or raise PackError."""
    try:
        root = yaml.compose(source, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PackError([f"{name}:{line}: invalid YAML: {exc.problem or exc}"]) from exc
    if root is None:
        raise PackError([f"{name}:1: file is empty"])
    ck = _Checker(name)
    pack = _pack(ck, root)
    if pack is None or ck.problems:
        raise PackError(ck.problems or [f"{name}:1: invalid pack"])
    return pack


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.! ")


@dataclass(frozen=True, slots=True)
class Library:
    """All packs of a content folder, with question lookup across packs."""

    packs: tuple[Pack, ...]

    @property
    def all_questions(self) -> tuple[Question, ...]:
        return tuple(q for pack in self.packs for q in pack.questions)

    def pack_of(self, question_id: str) -> Pack | None:
        for pack in self.packs:
            if pack.question(question_id) is not None:
                return pack
        return None

    def question(self, question_id: str) -> Question | None:
        for pack in self.packs:
            found = pack.question(question_id)
            if found is not None:
                return found
        return None

    def find(self, text_or_id: str) -> Question | None:
        """Look a question up by id or by its exact text (case and whitespace insensitive)."""
        by_id = self.question(text_or_id.strip())
        if by_id is not None:
            return by_id
        wanted = _normalise(text_or_id)
        for question in self.all_questions:
            if _normalise(question.text) == wanted:
                return question
        return None

    def closest_ids(self, s: str, n: int = 3) -> list[str]:
        """Question ids closest to `s` (an id typo or a paraphrased question text)."""
        questions = self.all_questions
        ids = [q.id for q in questions]
        found = difflib.get_close_matches(s.strip().casefold(), ids, n=n, cutoff=0.4)
        if len(found) < n:
            by_text = {_normalise(q.text): q.id for q in questions}
            for text in difflib.get_close_matches(_normalise(s), list(by_text), n=n, cutoff=0.3):
                if by_text[text] not in found:
                    found.append(by_text[text])
        return found[:n]


def pack_files(path: str | Path) -> list[Path]:
    """The pack files a path names: the file itself, or every *.yaml in a folder (sorted)."""
    target = Path(path)
    if target.is_dir():
        return sorted(target.glob("*.yaml"))
    return [target]


def load_library(content_dir: str | Path) -> Library:
    """Load every pack of a folder; ids must be unique across packs. Raises PackError with all problems."""
    files = pack_files(content_dir)
    if not files:
        raise PackError([f"{_display(Path(content_dir))}:1: no *.yaml packs found"])
    return _library(files)


def _library(files: Iterable[Path]) -> Library:
    problems: list[str] = []
    packs: list[Pack] = []
    for file in files:
        try:
            packs.append(load_pack(file))
        except PackError as exc:
            problems.extend(exc.problems)
    pack_ids: dict[str, str] = {}
    question_ids: dict[str, str] = {}
    for pack in packs:
        if pack.id in pack_ids:
            problems.append(f"{pack.source}:1: pack id '{pack.id}' already used by {pack_ids[pack.id]}")
        pack_ids.setdefault(pack.id, pack.source)
        for question in pack.questions:
            if question.id in question_ids:
                first = question_ids[question.id]
                problems.append(f"{pack.source}:1: question id '{question.id}' already used by {first}")
            question_ids.setdefault(question.id, pack.source)
    if problems:
        raise PackError(problems)
    return Library(packs=tuple(packs))


def default_rubric(pack: Pack) -> tuple[RubricDimension, ...]:
    """The pack's authored rubric, or three dimensions condensed from its screening list.

    Peer review needs a rubric for every pack; an authored one reads better, but a pack without
    one still gets dimensions grounded in what its hiring managers screen for.
    """
    if pack.rubric:
        return pack.rubric
    items = list(pack.screening) or [pack.title]
    groups: list[list[str]] = [[] for _ in range(min(3, len(items)))]
    for index, item in enumerate(items):
        groups[index * len(groups) // len(items)].append(item)
    dims: list[RubricDimension] = []
    for number, group in enumerate(groups, start=1):
        first = re.split(r"[—(,;:]| and ", group[0], maxsplit=1)[0].strip()
        dims.append(
            RubricDimension(
                id=f"screening-{number}",
                name=first[:60] or f"Dimension {number}",
                description="; ".join(group),
            )
        )
    while len(dims) < 3:
        dims.append(
            RubricDimension(
                id=f"screening-{len(dims) + 1}",
                name="Overall answer quality",
                description="Relevant, specific and well reasoned.",
            )
        )
    return tuple(dims)


def rubric_for(pack: Pack, question: Question) -> tuple[RubricDimension, ...]:
    """Rubric for peer review of one answer: the pack's dimensions, plus STAR for behavioural questions."""
    base = default_rubric(pack)
    if question.is_behavioural and all(d.id != STAR_DIMENSION.id for d in base):
        return (*base, STAR_DIMENSION)
    return base
