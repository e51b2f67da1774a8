"""Coaching behaviour: coverage with evidence, negation and disowning traps, flags, STAR, score."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain.coaching import coach
from bot.domain.coaching_star import analyse_star
from bot.domain.coaching_types import StarResult
from bot.domain.model import Pack, Pointer, Question, RedFlag, Signals
from bot.domain.packs import load_pack
from bot.domain.text import compile_phrase, find, sentences, tokenize
from tests.unit.builders import pack_with

PACK = load_pack(Path(__file__).resolve().parents[2] / "content" / "senior-devops.yaml")
PATTERNS_ONLY = replace(PACK, flag_model=None)


def q(question_id: str) -> Question:
    question = PACK.question(question_id)
    assert question is not None
    return question


def covered(question_id: str, answer: str) -> list[bool]:
    return [p.covered for p in coach(q(question_id), PACK, answer).pointers]


def flags(question_id: str, answer: str) -> set[str]:
    """The flags the pack's authored signals raise (the learned reader is tested in test_flag_model)."""
    return {f.id for f in coach(q(question_id), PATTERNS_ONLY, answer).red_flags}


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
    pointer = Pointer(text="Talk about rollback.", signals=Signals(concepts=(("rollback", "rollback plan"),)))
    flag = RedFlag(id="yolo", text="YOLO deploys", scope="global", signals=Signals(concepts=(("yolo",),)))
    question = Question(id="t", kind="primary", category="Technical", text="T?", why="w", pointers=(pointer,))
    pack = pack_with(question, flag)
    good = coach(question, pack, "We keep a rollback plan ready.").score
    none = coach(question, pack, "We deploy.").score
    flagged = coach(question, pack, "We keep a rollback plan ready, but honestly we yolo it.").score
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


# --- Round 2: generalisation rules (substance, flag patterns, rejection, STAR grammar) ---------------


def analyse(answer: str) -> StarResult:
    return analyse_star(sentences(answer)).result


def _pack_with(question: Question, *flags: RedFlag) -> Pack:
    return pack_with(question, *flags)


def test_a_lone_keyword_is_not_substance() -> None:
    """Labelling rule 1: a pointer word with nothing behind it ("Vault for secrets") covers nothing."""
    pointer = Pointer(
        text="Runbooks.", signals=Signals(concepts=(("runbook*", "runbook link", "every page"),))
    )
    question = Question(id="t", kind="primary", category="Technical", text="T?", why="w", pointers=(pointer,))
    pack = _pack_with(question)
    assert not coach(question, pack, "We have runbooks.").pointers[0].covered
    assert coach(question, pack, "Every page has a runbook link.").pointers[0].covered
    # Two different phrases of the concept are substance too.
    assert coach(question, pack, "Each alert gets a runbook, and every page is reviewed.").pointers[0].covered


def test_flag_patterns_window_and_applies_to() -> None:
    loud = Signals(concepts=(("yolo",),), applies_to=("technical",))
    spread = Signals(concepts=(("big bang",), ("no rollback",)), require=2, window=2)
    flag = RedFlag(id="f", text="F", scope="global", signals=Signals(patterns=(loud, spread)))
    technical = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    behavioural = Question(id="b", kind="practice", category="Behavioural", text="B?", why="w")
    pack = Pack(
        id="p", title="P", about="a", stages=(), formats=(), screening=(), red_flags=(flag,),
        questions=(technical, behavioural),
    )  # fmt: skip
    assert [f.evidence for f in coach(technical, pack, "We just yolo it.").red_flags] == ["We just yolo it."]
    assert coach(behavioural, pack, "We just yolo it.").red_flags == ()  # pattern restricted to Technical
    two = "We did a big bang cutover. There was no rollback."
    assert [f.evidence for f in coach(behavioural, pack, two).red_flags] == ["We did a big bang cutover."]
    # In a story the window must name the speaker: told of nobody, it is not the candidate's stance.
    assert coach(behavioural, pack, two.replace("We did", "It was")).red_flags == ()
    far = "We did a big bang cutover. It took a weekend. There was no rollback."
    assert coach(behavioural, pack, far).red_flags == ()  # concepts more than `window` sentences apart


def test_negative_near_only_clears_the_listing_sentence() -> None:
    tools = Signals(concepts=(("jenkins",), ("helm",), ("vault",)), require=3, negative_near=("because",))
    flag = RedFlag(id="tools", text="Tools", scope="global", signals=Signals(patterns=(tools,)))
    question = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    pack = _pack_with(question, flag)
    listed = "We use Jenkins, Helm and Vault. We apply from laptops because it is quicker."
    reasoned = "We use Jenkins, Helm and Vault because the team already runs them."
    assert {f.id for f in coach(question, pack, listed).red_flags} == {"tools"}
    assert coach(question, pack, reasoned).red_flags == ()


def test_negative_after_withdraws_only_what_it_follows() -> None:
    """A follow-up remedies the heroics told before it, not heroics told after it."""
    hero = Signals(concepts=(("by hand",),), negative_after=("automated",))
    flag = RedFlag(id="hero", text="Hero", scope="global", signals=Signals(patterns=(hero,)))
    question = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    pack = _pack_with(question, flag)
    followed_up = "I fixed the disks by hand that night. The next week we automated the cleanup for good."
    remedy_first = "We automated some of the cleanup years ago. These days I still fix the disks by hand."
    assert coach(question, pack, followed_up).red_flags == ()
    assert [f.evidence for f in coach(question, pack, remedy_first).red_flags] == [
        "These days I still fix the disks by hand."
    ]


def test_a_wish_or_plan_never_carried_out_does_not_withdraw_a_flag() -> None:
    """ "We keep meaning to automate it" names the remedy without doing it."""
    hero = Signals(concepts=(("by hand",),))
    flag = RedFlag(
        id="hero", text="Hero", scope="global", signals=Signals(patterns=(hero,), negative=("automat*",))
    )
    question = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    pack = _pack_with(question, flag)
    done = "I restart the workers by hand when it jams. Last month we automated the restart with a watchdog."
    wished = "I restart the workers by hand when it jams. We keep meaning to automate it one day."
    assert coach(question, pack, done).red_flags == ()
    assert {f.id for f in coach(question, pack, wished).red_flags} == {"hero"}


def test_the_initiative_at_the_opening_is_the_task_but_later_it_is_only_a_step() -> None:
    opening = analyse(
        "I wrote a Python script that cleans up orphaned volumes. Before that people did it by hand."
    )
    assert opening.task
    later = analyse(
        "The builds kept failing on full disks. We spent a week on it. "
        "Then I wrote a script to prune the cache."
    )
    assert not later.task


def test_a_remedy_told_as_done_is_not_mistaken_for_a_wish() -> None:
    """ "Eventually we automated it" is a remedy carried out, not an intention."""
    hero = Signals(concepts=(("by hand",),))
    flag = RedFlag(
        id="hero", text="Hero", scope="global", signals=Signals(patterns=(hero,), negative=("automat*",))
    )
    question = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    pack = _pack_with(question, flag)
    for remedy in (
        "Eventually we automated the restart with a watchdog.",
        "We talked about it in the retro and then automated the restart.",
        "One day it broke again, so I automated the restart that week.",
    ):
        answer = "I restart the workers by hand when it jams. " + remedy
        assert coach(question, pack, answer).red_flags == (), remedy


def test_an_opening_mistake_or_new_job_is_not_the_task() -> None:
    assert not analyse(
        "I made a mistake with a terraform apply. We rolled it back and restored the state."
    ).task
    assert not analyse("I started a new job at a fintech. The deploys were slow. We fixed the cache.").task


def test_a_story_that_closes_on_a_lesson_has_no_result_hidden_in_its_steps() -> None:
    steps_then_lesson = analyse(
        "Our search went down during a sale. I was on call and ended up being the incident lead. "
        "I pulled people onto a call and sent updates to the trading team every twenty minutes. "
        "The big lesson for me was that you cannot lead and debug at the same time."
    )
    assert steps_then_lesson.task and steps_then_lesson.action
    assert not steps_then_lesson.result and not steps_then_lesson.quantified_result
    consequence_then_lesson = analyse(
        "I pushed a Terraform change that removed a rule I thought was unused. Partner webhooks started "
        "failing for two hours. I put the rule back and their webhooks started flowing again. "
        "What I learned is that unused needs to be proven with flow logs."
    )
    assert consequence_then_lesson.result
    resumed = analyse(
        "There was a decision to move our CI to GitLab and I was not a fan. I raised it in the review. "
        "Looking back, I would have brought a proper comparison. "
        "In the end they went ahead and it has been fine."
    )
    assert resumed.result  # the story ends on how it ended, not on the lesson


def test_a_measured_result_pointer_follows_the_story_s_measured_outcome() -> None:
    """ "Quantify the before/after" is covered by a measured outcome, not by a figure setting the scene."""
    scene_only = (
        "The network team got about forty DNS change requests a week, all done by hand. I wrote a pipeline "
        "that applies them from a pull request. People liked it a lot."
    )
    assert covered("toil-automation", scene_only)[0] is False
    measured = scene_only.replace(
        "People liked it a lot.", "Since then a change takes ten minutes instead of two days."
    )
    report = coach(q("toil-automation"), PATTERNS_ONLY, measured)
    assert report.star is not None and report.star.quantified_result
    assert report.pointers[0].covered
    assert report.pointers[0].evidence == "Since then a change takes ten minutes instead of two days."


def test_reported_speech_is_told_not_hypothetical() -> None:
    """ "I told them I'd back it" was said in the past; "I'd back it" alone is what one would do."""
    told = analyse(
        "The architects chose the service mesh over my proposal. I told them I'd back it, and I ran the "
        "rollout cluster by cluster."
    )
    assert told.action
    would = analyse(
        "The architects chose the service mesh over my proposal. I'd back it and run the rollout."
    )
    assert not would.action


def test_vague_stories_have_no_scene_no_step_and_no_known_outcome() -> None:
    vague = analyse(
        "Hmm, there was this one time, it was a pretty big incident, a really bad one. "
        "Everybody jumped on and I helped out wherever I could, looking at things. "
        "It was quite stressful for everyone involved. The big thing I took away from it was that "
        "communication matters, and that has stuck with me since then."
    )
    assert not vague.situation and not vague.action and not vague.result
    unknown = analyse(
        "At my last job there was a big debate about CI tooling and I wanted GitLab. "
        "We argued about it in a few meetings. Honestly I am not sure what they ended up doing, "
        "I moved to a different team around then."
    )
    assert unknown.situation and not unknown.result


def test_heroics_told_as_the_reason_for_a_fix_or_a_stopgap_are_not_evidence() -> None:
    reason = (
        "We had 140 certificates renewed from a spreadsheet. The first few times I renewed the expired "
        "ones by hand late at night, which is exactly why I wanted the whole thing gone."
    )
    assert "hero-culture" not in flags("toil-automation", reason)
    assert "hero-culture" in flags(
        "toil-automation", "When the queue jams I just ssh in and restart the consumers by hand, most nights."
    )


def test_rejected_flag_wording_does_not_fire() -> None:
    """Naming a red flag to reject it is not committing it."""
    assert "hero-culture" in flags(
        "on-call-burnout", "I usually just fix it myself at 3am and go back to sleep."
    )
    rejected = (
        "We moved away from hero culture: nobody should fix things by hand at 3am. "
        "I used to fix everything myself, and it did not scale."
    )
    assert "hero-culture" not in flags("on-call-burnout", rejected)
    assert "tools-without-tradeoffs" not in flags(
        "cicd-kubernetes-pipeline", "I don't just list tools like Jenkins, Helm, Vault and Argo CD."
    )


def test_disowning_security_is_flagged_but_working_with_them_is_not() -> None:
    disowned = "Rotation is something the security team handles, so I don't really get involved."
    assert "someone-elses-problem" in flags("secrets-management", disowned)
    together = "We work closely with the security team, and rotation is automated in the pipeline."
    assert "someone-elses-problem" not in flags("secrets-management", together)
    cost = "Cost is finance's concern, not mine, so I don't look at the bill."
    assert "someone-elses-problem" in flags("cloud-cost-optimisation", cost)


def test_no_ownership_from_another_group_owning_production() -> None:
    answer = "Production was really the ops team's thing, I just wrote the code and handed it over."
    assert "no-ownership" in flags("latency-5xx-diagnosis", answer)
    owned = "I was on call that week and led the incident; the ops team handled the database side."
    assert "no-ownership" not in flags("latency-5xx-diagnosis", owned)


def test_failure_modes_flag_needs_the_answer_to_lack_any_way_back() -> None:
    reckless = (
        "I'd update the base image and redeploy everything. The whole fleet would be done within the hour."
    )
    assert "ignoring-failure-modes" in flags("cve-base-image", reckless)
    careful = reckless + " If a canary shows errors we roll back to the previous image."
    assert "ignoring-failure-modes" not in flags("cve-base-image", careful)
    # Missing-concept pattern: only on design questions where a way back is central.
    design = "I'd build the image, push it and deploy to prod with Argo CD on every merge."
    assert "ignoring-failure-modes" in flags("cicd-kubernetes-pipeline", design)
    assert "ignoring-failure-modes" not in flags("observability-strategy", design)


def test_star_task_from_role_statements_and_no_action_from_hypotheticals() -> None:
    role = "The checkout API went down. I was incident commander that night. We rolled back the deploy."
    assert analyse(role).task and analyse(role).action
    we_only = "The checkout API went down. We rolled back the deploy and it recovered in 20 minutes."
    assert not analyse(we_only).task
    hypothetical = "The checkout API went down. I would page the team and I'd roll back the deploy."
    assert not analyse(hypothetical).action
    general = "I have mentored lots of juniors over the years. I always help them grow."
    assert not analyse(general).action


def test_star_feelings_are_results_lessons_are_not() -> None:
    opening = "Our deploys were manual. I was the lead. We scripted them. "
    feeling = opening + "It went really well and people were happier."
    star = analyse(feeling)
    assert star.result and not star.quantified_result
    lesson = (
        "Our deploys were manual. I was the lead. We scripted them. The big lesson for me was to ask earlier."
    )
    assert not analyse(lesson).result


@pytest.mark.parametrize(
    "ending",
    [
        "Deploys went from weekly to daily.",
        "Pages dropped by half within a month.",
        "The release now takes twice as fast, 25 minutes.",
        "We cut the bill by 30%.",
    ],
)
def test_star_quantified_results_include_written_figures(ending: str) -> None:
    answer = f"Our releases were manual and slow. I was the lead on it. We automated the checklist. {ending}"
    assert analyse(answer).quantified_result


def test_contraction_d_never_is_had() -> None:
    (s,) = sentences("A junior who'd never touched Terraform joined.")
    assert "had" in s.tokens and "would" not in s.tokens


def test_bench_refuses_individual_errors_on_test_split() -> None:
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[2] / "bench" / "coaching.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--split", "test", "--errors"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "only allowed with --split tune" in done.stderr


STORY = "Our releases were manual and slow. I was the lead on it. We automated the checklist. "


@pytest.mark.parametrize(
    "ending",
    [
        "Since then nothing has broken at 3am.",  # a clock time sets the scene
        "It has been stable since we upgraded to Postgres 12.",  # a version
        "In the end it was fixed in 2021.",  # a date
        "Now the 40-person team is happier with it.",  # a headcount
        "We have not had a sev-1 since.",  # a severity
        "Everything now runs on k8s and EC2.",  # product names with digits
    ],
)
def test_numbers_that_set_the_scene_do_not_quantify_a_result(ending: str) -> None:
    star = analyse(STORY + ending)
    assert star.result and not star.quantified_result


def test_a_figure_after_the_last_step_is_a_measured_outcome_without_an_outcome_word() -> None:
    aftermath = STORY + "The whole release takes about twenty minutes for the team."
    assert analyse(aftermath).quantified_result
    # A figure inside a step, next to a loose outcome word, is part of the action, not the result.
    step = (
        "Our releases were manual and slow. I was the lead on it. Within ten minutes I had paged two people. "
        "We rewrote the checklist. It went well."
    )
    star = analyse(step)
    assert star.result and not star.quantified_result


def test_a_step_that_reports_a_change_is_a_quantified_result() -> None:
    answer = (
        "The checkout API went down on Friday. I was incident commander. We paged the database team. "
        "We failed over to the replica, which brought payments back in 38 minutes. "
        "I ran the retro afterwards."
    )
    assert analyse(answer).quantified_result


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        (
            "latency-5xx-diagnosis",
            "hero-culture",
            "Whenever the API gets slow I just SSH in and restart the workers.",
        ),
        (
            "on-call-burnout",
            "hero-culture",
            "Nobody else really understands billing, so the fixes always land on me.",
        ),
        (
            "crashloopbackoff",
            "no-ownership",
            "I'm a developer, so production issues aren't really something I deal with.",
        ),
        ("on-call-burnout", "no-ownership", "If something breaks at night the platform team picks it up."),
        ("cloud-cost-optimisation", "someone-elses-problem", "Honestly the cloud bill isn't my concern."),
        (
            "cve-base-image",
            "someone-elses-problem",
            "I'd flag it to the security team and move on to my sprint work.",
        ),
        (
            "deployment-strategies",
            "ignoring-failure-modes",
            "Rollbacks just slow you down, we always roll forward.",
        ),
        (
            "zero-downtime-migrations",
            "ignoring-failure-modes",
            "We don't bother with staging for schema changes.",
        ),
    ],
)
def test_global_flags_catch_common_wordings(question_id: str, flag: str, answer: str) -> None:
    assert flag in flags(question_id, answer)


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        (
            "toil-automation",
            "hero-culture",
            "Every time a cert expired I renewed it by hand, so I wrote a script that renews them.",
        ),
        (
            "cloud-cost-optimisation",
            "someone-elses-problem",
            "We cut the bill by 30%, and cost is not something I leave to finance any more, "
            "I review it weekly.",
        ),
        (
            "secrets-management",
            "someone-elses-problem",
            "The security team owns the policy but we own the rotation, and I work with them on the tooling.",
        ),
        (
            "on-call-burnout",
            "hero-culture",
            "I used to take most of the pages myself, which was the problem, so we rebalanced the rota.",
        ),
    ],
)
def test_near_misses_of_the_new_wordings_stay_clear(question_id: str, flag: str, answer: str) -> None:
    assert flag not in flags(question_id, answer)


def test_a_vague_mention_lends_no_substance() -> None:
    practice = "We set an error budget from the SLO and freeze features when the budget burns."
    assert covered("slos-error-budgets", practice)[1]
    in_theory = "In theory you set an error budget from the SLO and freeze features when the budget burns."
    assert not covered("slos-error-budgets", in_theory)[1]


def test_a_step_told_before_an_embedded_would_is_an_action() -> None:
    answer = (
        "A new grad joined who had never touched Kubernetes. I paired with him for a month "
        "so he knew what I'd be looking for in reviews. He shipped his first service alone."
    )
    assert analyse(answer).action
    conditional = "Our deploys were slow. If I was leading it, I would first get everyone on a call."
    assert not analyse(conditional).action


def test_hedges_are_not_hypotheticals() -> None:
    answer = (
        "Our on-call was rough. I was the lead. We rewrote the alerts. "
        "I'd like to think the engineers have grown a lot since then."
    )
    assert analyse(answer).result


def test_figures_told_before_the_first_step_are_the_situation() -> None:
    answer = (
        "Billing shared a Postgres cluster nobody owned. Replication lag had crept up for weeks. "
        "Then the primary fell over and the replica was about forty minutes behind. "
        "We promoted the replica and paused the invoice job. It was a rough week but it got sorted."
    )
    star = analyse(answer)
    assert star.result and not star.quantified_result


def test_written_clock_times_are_not_measurements() -> None:
    answer = (
        "The ingress fell over during a launch. I was on call. I got on around eleven at night "
        "and rewrote the rules. It was back before people woke up."
    )
    assert not analyse(answer).quantified_result


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        (
            "cicd-kubernetes-pipeline",
            "ignoring-failure-modes",
            "Honestly canaries have never been worth the complexity for us, we just watch the graphs.",
        ),
        (
            "migration-cutover",
            "ignoring-failure-modes",
            "We moved everything in one go. There wasn't really a way back once we'd started.",
        ),
        (
            "legacy-platform",
            "ignoring-failure-modes",
            "I'd build a fresh platform and once it's ready we switch over on a weekend.",
        ),
        (
            "blameless-culture",
            "no-ownership",
            "In the retro I made sure it was clear the cause was on their side, not ours.",
        ),
    ],
)
def test_flags_from_dismissed_safety_no_way_back_and_blame(question_id: str, flag: str, answer: str) -> None:
    assert flag in flags(question_id, answer)


def test_others_stepping_back_is_not_the_speaker_disowning() -> None:
    fear = "Usually it's fear: they've never been on call, or they don't know the infrastructure."
    assert "no-ownership" not in flags("dev-teams-ownership", fear)
    business = "What they spin up is their business, and we show each team what it costs."
    assert "no-ownership" not in flags("self-service-platform", business)
    regret = "There was no way back, and the lesson I learned is to always plan one."
    assert "ignoring-failure-modes" not in flags("migration-cutover", regret)


def test_a_dismissed_practice_covers_nothing() -> None:
    plan = "Before changing anything I'd map the dependencies and read the incident history to understand it."
    assert covered("legacy-platform", plan)[0]
    dismissed = (
        "Trying to understand undocumented legacy stuff is a rabbit hole, I would not bother mapping it."
    )
    assert not covered("legacy-platform", dismissed)[0]


# --- Round 4: paraphrase coverage -------------------------------------------------------------


def test_shop_talk_abbreviations_meet_their_long_form() -> None:
    assert tokenize("prod creds in the db") == ("production", "credentials", "in", "the", "database")
    assert find(compile_phrase("production credential*"), sentences("We rotate prod creds weekly.")[0])
    assert find(compile_phrase("prod*"), sentences("The product team signed off.")[0]) is None
    assert tokenize("PR 1234") == ("pr", "1234")  # a label stays a label for the STAR number filter


def test_a_keyword_told_as_a_step_taken_is_substance() -> None:
    pointer = Pointer(text="Evidence.", signals=Signals(concepts=(("benchmark*", "load test*"),)))
    question = Question(id="t", kind="primary", category="Technical", text="T?", why="w", pointers=(pointer,))
    pack = _pack_with(question)
    assert coach(question, pack, "I ran a benchmark against both runners.").pointers[0].covered
    assert not coach(question, pack, "We have benchmarks.").pointers[0].covered
    assert not coach(question, pack, "I would look at benchmarks.").pointers[0].covered


def test_what_a_negation_protects_is_still_named() -> None:
    answer = (
        "We were careful not to touch the multi-zone setup of the main databases, since saving a few "
        "grand isn't worth a regional outage."
    )
    assert covered("cloud-cost-optimisation", answer)[2]


def test_a_qualified_copula_is_not_a_denial() -> None:
    answer = (
        "Blameless isn't the same as nobody being accountable: every action item has an owner and a date."
    )
    assert covered("blameless-culture", answer)[0]
    assert not covered("blameless-culture", "Blameless is not something we do. Owners are optional.")[0]


def test_a_rabbit_hole_as_a_figure_of_speech_does_not_dismiss() -> None:
    answer = (
        "Before I go down any rabbit hole I want to know how bad it is: which endpoints and which customers. "
        "Then the dashboard: request rate, error rate and p99 latency."
    )
    assert covered("latency-5xx-diagnosis", answer)[0]


def test_refusing_to_hand_a_subject_off_is_not_handing_it_off() -> None:
    refused = "Rotation isn't something I'd leave to the security team, we automate it in the pipeline."
    assert "someone-elses-problem" not in flags("secrets-management", refused)
    handed = "Rotation is something I leave to the security team, they tell us when to change things."
    assert "someone-elses-problem" in flags("secrets-management", handed)


def test_a_passing_mention_does_not_withdraw_a_flag() -> None:
    hero = (
        "When they're stuck on something in prod it's usually faster if I sort it out myself in the evening. "
        "We do pairing, code review, runbooks, all of that."
    )
    assert "hero-culture" in flags("mentoring", hero)
    fixed = hero + " After that incident we wrote a runbook so anyone on call can fix it without me."
    assert "hero-culture" not in flags("mentoring", fixed)


def test_an_outage_pinned_on_the_provider_is_no_ownership() -> None:
    answer = "If a whole region goes down, that's really the cloud provider's outage, not ours."
    assert "no-ownership" in flags("dr-testing", answer)
    owned = "If a whole region goes down we fail over to the second region, we test it every quarter."
    assert "no-ownership" not in flags("dr-testing", owned)


def test_an_opening_step_is_the_action_and_a_routine_is_not_a_result() -> None:
    star = analyse(
        "I wrote a script that prunes old snapshots because I was sick of doing it by hand. "
        "It runs on my laptop. When it breaks I just fix it and rerun it."
    )
    assert star.action
    # Taking the work on as the story opens ("I wrote a script that...") is the speaker's own part
    # (labelled so by four independent writers); the itch alone is still no task (see below).
    assert star.task
    assert not star.result


def test_how_long_it_took_all_told_is_a_measured_result() -> None:
    star = analyse(
        "Our Kafka cluster lost two brokers. I was on-call lead so I declared it. "
        "I rebuilt the partitions and replayed the backlog. Stakeholders were kept informed. "
        "It took about three hours end to end. Afterwards we ran a retro and I added a pre-check."
    )
    assert star.result and star.quantified_result


@pytest.mark.parametrize(
    ("question_id", "index", "answer"),
    [
        (
            "observability-strategy",
            0,
            "Numbers over time tell you something changed, event records tell you what happened to one "
            "request, and request journeys across services tell you where the time went.",
        ),
        (
            "latency-5xx-diagnosis",
            2,
            "Early on I'd ask whether anything shipped today, and check the status page of the payment "
            "provider we depend on.",
        ),
        (
            "iac-multi-environment",
            3,
            "Secrets are pulled from the secrets manager through data sources and never typed into the code.",
        ),
        (
            "cloud-cost-optimisation",
            0,
            "We shrank the oversized node pools and moved batch work onto interruptible capacity.",
        ),
        (
            "toil-automation",
            1,
            "I tagged a quarter of tickets by type; certificate renewals came out on top, ahead of log "
            "cleanup which was annoying but harmless.",
        ),
        (
            "incident-leadership",
            0,
            "I was secondary on call, so I said I'd run the bridge and took over coordination.",
        ),
    ],
)
def test_paraphrases_of_a_pointer_cover_it(question_id: str, index: int, answer: str) -> None:
    assert covered(question_id, answer)[index]


@pytest.mark.parametrize(
    ("question_id", "index", "answer"),
    [
        # "timed" must not be met by "every time" (the light stemmer makes both "tim")
        (
            "deploy-speed-vs-gates",
            0,
            "Developers always say it's slow, but every time we relaxed controls something went wrong.",
        ),
        # aiming for 100% is the opposite of a realistic target
        ("slos-error-budgets", 2, "Our targets are 100%, the business wants no downtime at all."),
        # a blue/green switch is a release strategy, not a rollback
        ("cicd-kubernetes-pipeline", 1, "We do a blue/green switch on the prod load balancer."),
    ],
)
def test_near_misses_of_the_broader_vocabulary_stay_uncovered(
    question_id: str, index: int, answer: str
) -> None:
    assert not covered(question_id, answer)[index]


# --- Round 5: STAR by what the parts mean; indirect global flags ---------------------------------


def test_a_situation_needs_a_past_episode_not_present_tense_claims() -> None:
    claims = (
        "Our team supports lots of customers and the platform is busy. "
        "I'm always around for people and I try to lead by example."
    )
    assert not analyse(claims).situation
    episode = "Last year our platform went down during a sale. I paged the database team and we failed over."
    assert analyse(episode).situation


def test_a_task_is_the_speakers_own_part_in_the_first_person() -> None:
    team_only = (
        "Our checkout went down during a sale. As the lead team on payments we were on the hook. "
        "We rolled back the release and it recovered within 20 minutes."
    )
    assert not analyse(team_only).task
    mine = (
        "Our checkout went down during a sale. I was on the hook as the payments lead. "
        "We rolled back the release and it recovered within 20 minutes."
    )
    assert analyse(mine).task


def test_an_itch_is_not_a_task_and_where_things_stand_is_not_an_outcome() -> None:
    answer = (
        "We had a debate about moving off Jenkins. I was sick of the flaky builds. "
        "I wrote up a comparison and we talked it through. We're still on Jenkins."
    )
    result = analyse(answer)
    assert not result.task
    assert not result.result


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        # round 6 structures, written from what each flag means (none is caught by the phrase lists):
        # an outside group + a duty verb + production or incidents
        ("crashloopbackoff", "no-ownership", "The infra folks monitor the production alerts overnight."),
        (
            "crashloopbackoff",
            "no-ownership",
            "The SRE team took over the incident and I went back to my feature work.",
        ),
        # blame placed on another group, with no part of it taken
        ("crashloopbackoff", "no-ownership", "It was the DBA team's change, they should have warned us."),
        # a duty in another team's possession
        ("latency-5xx-diagnosis", "no-ownership", "Debugging that service was the backend team's problem."),
        # security or cost decided by, or handed to, another function (active or passive)
        (
            "cloud-cost-optimisation",
            "someone-elses-problem",
            "Our cloud spend gets approved by finance once a year, and they decide what we cut.",
        ),
        # the speaker's own fix, off-hours, with no follow-up
        (
            "on-call-burnout",
            "hero-culture",
            "When the queue backs up I patch it late in the evening so nobody notices.",
        ),
        # earlier rounds, kept: the speaker stepping back, and a group as the answer
        ("crashloopbackoff", "no-ownership", "Whoever is on call picks that up, it's not my service."),
        ("cloud-cost-optimisation", "someone-elses-problem", "Finance will tell us if the spend gets silly."),
        ("cloud-cost-optimisation", "someone-elses-problem", "I don't track costs, that's a finance thing."),
    ],
)
def test_indirect_global_flags_are_caught(question_id: str, flag: str, answer: str) -> None:
    assert flag in flags(question_id, answer)


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        (
            "cloud-cost-optimisation",
            "someone-elses-problem",
            "The bill isn't finance's homework, it's an engineering metric like latency.",
        ),
        (
            "tool-fragmentation",
            "someone-elses-problem",
            "What they gain, versus what the company pays in duplicated on-call knowledge and patching.",
        ),
        (
            "crashloopbackoff",
            "no-ownership",
            "I was on call, so I raised a ticket with the vendor and kept digging.",
        ),
        (
            "secrets-management",
            "someone-elses-problem",
            "A security review at the end is too late, that's a finance thing my boss said, I disagree.",
        ),
        # the structures stay clear when the speaker is engaged, accountable, or fixed it for good
        (
            "crashloopbackoff",
            "no-ownership",
            "I worked with the platform team, who handle the production incidents, to add an alert.",
        ),
        (
            "outage-you-caused",
            "no-ownership",
            "The network team's change exposed it, but the missing check was my mistake, so I fixed it.",
        ),
        (
            "incident-leadership",
            "no-ownership",
            "We had a team call with the SRE team's lead and agreed the plan.",
        ),
        (
            "cloud-cost-optimisation",
            "someone-elses-problem",
            "I review the cloud bill together with finance every month and we decide what to cut.",
        ),
        (
            "on-call-burnout",
            "hero-culture",
            "I patched it late in the evening, then automated the restart so it never needed a person again.",
        ),
    ],
)
def test_near_misses_of_the_indirect_flags_stay_clear(question_id: str, flag: str, answer: str) -> None:
    assert flag not in flags(question_id, answer)


def test_a_step_is_not_its_own_outcome() -> None:
    story = "I pushed a playbook that deleted the live log directory on half the web servers. "
    assert not analyse(story + "We rolled the playbook back and restored the directories.").result
    told = story + "I put the directory back and the app started writing logs again."
    assert analyse(told).result


def test_a_habit_is_not_a_step_taken_in_the_story() -> None:
    habit = "Our batch job was flaky for months. Every time it broke I restarted the pods by hand."
    assert not analyse(habit).action
    step = "Our batch job was flaky for months. One night I restarted the pods and added a retry."
    assert analyse(step).action


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        # round 7: healthy answers that mention other teams, cost or security (hard negatives)
        (
            "cloud-cost-optimisation",
            "someone-elses-problem",
            "Finance approved the budget for reserved instances after I showed them the numbers.",
        ),
        (
            "on-call-burnout",
            "no-ownership",
            "The on call engineer handles pages at night, and I was on that rotation too.",
        ),
        (
            "incident-leadership",
            "no-ownership",
            "I was not involved in the original incident, but I picked up the follow-up work.",
        ),
        (
            "latency-5xx-diagnosis",
            "no-ownership",
            "The pricing service is another team's code, so I would page their on call and roll back ours.",
        ),
        (
            "dev-teams-ownership",
            "no-ownership",
            "The platform team runs the clusters and product teams own their services in production.",
        ),
        (
            "incident-leadership",
            "no-ownership",
            "The database team's change caused it, but blame wasn't the point. "
            "I got them on the bridge and we rolled it back together.",
        ),
        (
            "mentoring",
            "hero-culture",
            "The juniors ping me with questions, so I wrote a guide and set up a weekly pairing hour.",
        ),
        # a reason for the choice anywhere in the answer clears a tool list
        (
            "cicd-kubernetes-pipeline",
            "tools-without-tradeoffs",
            "I'd build with GitHub Actions, push to ECR, deploy with ArgoCD onto EKS. "
            "I picked ArgoCD because a rollback is then a git revert.",
        ),
        # the reason to drop redundancy (dev only) sits next to it
        (
            "cloud-cost-optimisation",
            "ignoring-failure-modes",
            "Dev runs in a single AZ on spot since dev environments can tolerate interruption. "
            "Production stays multi-AZ.",
        ),
        # "put it all together with templates" is no partnership, but nor is it a flag here
        (
            "cicd-kubernetes-pipeline",
            "someone-elses-problem",
            "I worked with the security team on secret scanning and put it all together with templates.",
        ),
    ],
)
def test_round7_vetoes_keep_healthy_lookalikes_clear(question_id: str, flag: str, answer: str) -> None:
    assert flag not in flags(question_id, answer)


@pytest.mark.parametrize(
    ("question_id", "flag", "answer"),
    [
        # round 7 structure: heroics endorsed as the way it stays survive unrelated systemic work
        (
            "blameless-culture",
            "hero-culture",
            "We hold retros after incidents. When the same alert fires I restart it by hand at night, "
            "it's quicker than waiting for a ticket.",
        ),
        # a way of saying "theirs, not mine" about production
        (
            "incident-leadership",
            "no-ownership",
            "Once it was their component it was in their hands, so we waited for them to roll back.",
        ),
        ("blameless-culture", "no-ownership", "If it breaks again it's not really my place to chase them."),
        # a change everywhere at once, sarcasm about what could go wrong
        (
            "toil-automation",
            "ignoring-failure-modes",
            "We enabled the new renewal on every load balancer in one go on a Friday, "
            "it's just certificates, what could go wrong.",
        ),
        # a safety mechanism waved away
        (
            "multi-region-failover",
            "ignoring-failure-modes",
            "Once it is set up I wouldn't bother running failover drills.",
        ),
        # many products and no reason for them (a comparison elsewhere is not a reason for the tools)
        (
            "slos-error-budgets",
            "tools-without-tradeoffs",
            "Measure success rate rather than CPU. "
            "I'd use Prometheus with Sloth, Grafana for dashboards, Nobl9 and PagerDuty.",
        ),
    ],
)
def test_round7_structures_catch_indirect_flags(question_id: str, flag: str, answer: str) -> None:
    assert flag in flags(question_id, answer)


def test_a_star_shaped_pointer_needs_the_parts_it_is_about() -> None:
    """ "STAR Result should describe the engineer's growth": a story with no outcome has none to show."""
    growth = Pointer(
        text="Show how they grew.",
        star_parts=("result",),
        signals=Signals(concepts=(("on her own", "by herself"),)),
    )
    question = Question(
        id="m", kind="primary", category="Behavioural", text="M?", why="w", pointers=(growth,)
    )
    pack = pack_with(question)
    grew = (
        "Last year a junior joined our platform team. I was her mentor. I paired with her on the deploy "
        "pipeline for a month. Since then she has run the releases on her own."
    )
    report = coach(question, pack, grew)
    assert report.star is not None and report.star.result
    assert report.pointers[0].covered
    assert report.pointers[0].evidence == "Since then she has run the releases on her own."
    # Without the outcome, the growth words are only the lesson ("...learn to run releases on her own").
    hoped = grew.replace(
        "Since then she has run the releases on her own.",
        "The big lesson for me was how fast people learn to run releases on her own.",
    )
    report = coach(question, pack, hoped)
    assert report.star is not None and not report.star.result
    assert not report.pointers[0].covered and report.pointers[0].evidence is None


def test_in_a_story_a_pack_wide_flag_is_the_speaker_s_own_stance() -> None:
    """What a mentee or a plan from above did is not the candidate disowning or ignoring anything."""
    question = q("mentoring")
    about_others = (
        "Last year I mentored a new SRE on our payments team. I paired with her on every incident for two "
        "months and reviewed her runbooks. By month five she was handling the on-call pages on her own, and "
        "the SRE team now runs the on-call induction she wrote."
    )
    assert "no-ownership" not in flags("mentoring", about_others)
    disowning = about_others.replace(
        "By month five she was handling",
        "These days the SRE team handle the pages, we don't touch on-call, and",
    )
    assert "no-ownership" in flags("mentoring", disowning), coach(question, PACK, disowning).red_flags


def test_star_headings_a_member_writes_are_read_as_those_parts() -> None:
    """Discord members often answer under their own "Situation:/Task:/Action:/Result:" headings."""
    headed = analyse(
        "Situation: checkout API failing for a third of users at the evening peak\n"
        "Task: incident commander for the outage\n"
        "Action: paged the database team, posted updates every twenty minutes, failed over to the replica\n"
        "Result: errors back to zero in ten minutes and a canary stage added after the retro"
    )
    assert headed == StarResult(situation=True, task=True, action=True, result=True, quantified_result=True)
    planned = analyse(
        "Situation: checkout API failing for a third of users at the evening peak\n"
        "Action: I would page the database team and fail over to the replica\n"
        "Result: not sure what they decided after that"
    )
    assert not planned.action and not planned.result
