"""Coaching behaviour: coverage with evidence, negation and disowning traps, flags, STAR, score."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.coaching import coach
from bot.domain.model import Pack, Pointer, Question, RedFlag, Signals
from bot.domain.packs import load_pack
from bot.domain.text import compile_phrase, find, sentences

PACK = load_pack(Path(__file__).resolve().parents[2] / "content" / "senior-devops.yaml")


def q(question_id: str) -> Question:
    question = PACK.question(question_id)
    assert question is not None
    return question


def covered(question_id: str, answer: str) -> list[bool]:
    return [p.covered for p in coach(q(question_id), PACK, answer).pointers]


def flags(question_id: str, answer: str) -> set[str]:
    return {f.id for f in coach(q(question_id), PACK, answer).red_flags}


STRONG_INCIDENT = (
    "Last March our checkout API started failing for about 40% of card payments. "
    "I was the on-call lead, so I declared a sev-1 and took the incident commander role. "
    "I pulled in two engineers, gave one the database and one the recent deploys, and asked support to own "
    "customer messaging. I posted an update to stakeholders every fifteen minutes on the status page. "
    "We rolled back a connection pool change and payments recovered 50 minutes after the first page. "
    "I ran the blameless retro, and the systemic fix was sending config through the canary. "
    "We haven't had a config outage since."
)
WEAK_INCIDENT = (
    "There was this time the database went down at 3am. I got paged and nobody else answered, so I just "
    "fixed it myself by hand. It went well and my manager said I saved the day."
)


def test_strong_answer_covers_pointers_with_sentence_evidence() -> None:
    report = coach(q("incident-leadership"), PACK, STRONG_INCIDENT)
    assert [p.covered for p in report.pointers] == [True, True, True]
    for pointer in report.pointers:
        assert pointer.evidence is not None and pointer.evidence in STRONG_INCIDENT
        assert len(pointer.evidence) <= 200
    assert "incident commander" in (report.pointers[0].evidence or "")
    assert "fifteen minutes" in (report.pointers[2].evidence or "")
    assert report.red_flags == ()


def test_strong_scores_clearly_above_weak() -> None:
    strong = coach(q("incident-leadership"), PACK, STRONG_INCIDENT)
    weak = coach(q("incident-leadership"), PACK, WEAK_INCIDENT)
    assert strong.score >= weak.score + 30
    assert weak.score < 40


def test_weak_answer_has_hero_flags_with_evidence() -> None:
    report = coach(q("incident-leadership"), PACK, WEAK_INCIDENT)
    found = {f.id: f for f in report.red_flags}
    assert "incident-leadership/avoid-0" in found
    assert found["incident-leadership/avoid-0"].scope == "question"
    assert "hero-culture" in found and found["hero-culture"].scope == "global"
    assert "myself" in found["hero-culture"].evidence
    assert not any(p.covered for p in report.pointers)


def test_missed_pointer_carries_authored_advice() -> None:
    report = coach(q("incident-leadership"), PACK, WEAK_INCIDENT)
    question = q("incident-leadership")
    assert [p.advice for p in report.pointers] == [p.advice for p in question.pointers]
    assert all(p.evidence is None for p in report.pointers)


def test_negated_rollback_does_not_cover_rollback() -> None:
    positive = (
        "For every release we keep a rollback plan, and we roll back automatically when health checks fail."
    )
    negated = "Honestly we never needed a rollback, so we skipped that. Secrets sit in Vault."
    assert covered("cicd-kubernetes-pipeline", positive + " Secrets live in Vault.")[1] is True
    assert covered("cicd-kubernetes-pipeline", negated)[1] is False


def test_double_negation_still_counts() -> None:
    answer = "We never deploy without a rollback path. Secrets are injected from Vault at runtime."
    assert covered("cicd-kubernetes-pipeline", answer)[1] is True


def test_mentioning_it_to_security_is_not_coordination() -> None:
    trap = "I mentioned it to the security team and prioritised by risk, then started patching the images."
    real = (
        "I'd open a channel with the security team, prioritise by risk with internet-facing services first, "
        "and roll out the rebuilt image in waves."
    )
    assert covered("cve-base-image", trap)[1] is False
    assert covered("cve-base-image", real)[1] is True


def test_disowning_sentence_covers_nothing_and_is_flagged() -> None:
    answer = "Honestly that is the security team's problem, they prioritise by risk and sequence the rollout."
    assert covered("cve-base-image", answer)[1] is False
    assert "someone-elses-problem" in flags("cve-base-image", answer)


def test_hypothetical_actions_do_not_cover_behavioural_pointers() -> None:
    answer = (
        "I haven't led one myself. If I was leading one I would be the incident commander and I would post "
        "updates to stakeholders every 30 minutes."
    )
    report = coach(q("incident-leadership"), PACK, answer)
    assert not any(p.covered for p in report.pointers)
    assert report.star is not None and report.star.action is False


def test_star_full_and_quantified() -> None:
    report = coach(q("incident-leadership"), PACK, STRONG_INCIDENT)
    assert report.star is not None
    assert report.star.missing == ()
    assert report.star.quantified_result is True


def test_feeling_is_not_a_quantified_result() -> None:
    answer = (
        "At my previous job our deploys were manual. My task was to automate them. I built a pipeline "
        "and wrote docs for the other teams. It went well and everyone was happy."
    )
    report = coach(q("toil-automation"), PACK, answer)
    assert report.star is not None
    assert report.star.action is True
    assert report.star.quantified_result is False


def test_star_is_none_for_non_behavioural() -> None:
    assert coach(q("observability-strategy"), PACK, "Metrics, logs and traces.").star is None


def test_practice_question_has_no_pointers_but_global_flags() -> None:
    report = coach(
        q("crashloopbackoff"), PACK, "I just SSH into the node and restart it by hand myself every time."
    )
    assert report.pointers == ()
    assert report.coverage is None
    assert "hero-culture" in {f.id for f in report.red_flags}
    behavioural_practice = coach(q("migration-cutover"), PACK, "We migrated the database.")
    assert behavioural_practice.star is not None


def test_tools_without_reasons_is_flagged_but_reasons_clear_it() -> None:
    listing = "I'd use Jenkins for CI, ArgoCD for CD, Helm for packaging and Vault for secrets."
    reasoned = (
        "I'd use ArgoCD because pull-based GitOps gives us an audit trail, at the cost of some complexity."
    )
    assert "tools-without-tradeoffs" in flags("cicd-kubernetes-pipeline", listing)
    assert "tools-without-tradeoffs" not in flags("cicd-kubernetes-pipeline", reasoned)


def test_empty_answer_raises() -> None:
    with pytest.raises(ValueError):
        coach(q("incident-leadership"), PACK, "   \n ")


def test_summary_is_one_actionable_line() -> None:
    report = coach(q("incident-leadership"), PACK, WEAK_INCIDENT)
    assert "\n" not in report.summary
    assert "next:" in report.summary and "watch out" in report.summary
    full = coach(q("incident-leadership"), PACK, STRONG_INCIDENT)
    assert "every pointer" in full.summary


def test_score_orders_by_coverage_and_flags() -> None:
    pointer = Pointer(text="Talk about rollback.", signals=Signals(concepts=(("rollback",),)))
    flag = RedFlag(id="yolo", text="YOLO deploys", scope="global", signals=Signals(concepts=(("yolo",),)))
    question = Question(id="t", kind="primary", category="Technical", text="T?", why="w", pointers=(pointer,))
    pack = Pack(
        id="p",
        title="P",
        about="a",
        stages=(),
        formats=(),
        screening=(),
        red_flags=(flag,),
        questions=(question,),
    )
    good = coach(question, pack, "We keep a rollback ready.").score
    none = coach(question, pack, "We deploy.").score
    flagged = coach(question, pack, "We keep a rollback ready, but honestly we yolo it.").score
    assert good > flagged and good > none


def test_pointer_without_signals_falls_back_to_its_words() -> None:
    pointer = Pointer(text="Discuss cardinality and retention of telemetry.")
    question = Question(id="t", kind="primary", category="Technical", text="T?", why="w", pointers=(pointer,))
    pack = Pack(
        id="p", title="P", about="a", stages=(), formats=(), screening=(), red_flags=(), questions=(question,)
    )
    assert coach(question, pack, "We cap label cardinality and keep 30 days retention.").pointers[0].covered
    assert not coach(question, pack, "We use dashboards.").pointers[0].covered


def test_phrase_grammar() -> None:
    (s,) = sentences("We rolled it back and paged the whole on-call team.")
    assert find(compile_phrase("roll* ... back"), s) is not None
    assert find(compile_phrase("paged ... team"), s) is not None
    assert find(compile_phrase("on call"), s) is not None
    assert find(compile_phrase("rollback"), s) is None


def test_sentence_segmentation_joins_wrapped_lines() -> None:
    text = "We had an outage in the\nmorning, e.g. the API. It was 99.9% down.\n\n- bullet one\n- bullet two"
    assert [s.text for s in sentences(text)] == [
        "We had an outage in the morning, e.g. the API.",
        "It was 99.9% down.",
        "bullet one",
        "bullet two",
    ]


def test_analysis_is_fast() -> None:
    import time

    answer = " ".join([STRONG_INCIDENT] * 3)
    start = time.perf_counter()
    for _ in range(5):
        coach(q("incident-leadership"), PACK, answer)
    assert (time.perf_counter() - start) / 5 < 0.5
