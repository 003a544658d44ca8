"""The survey rules alone: questionnaires, answers, states, tallies, marks, quarters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from backend.errors import Conflict, Invalid
from backend.surveys import questionnaire, rules, standard
from backend.surveys.schemas import OptionIn, QuestionIn

YES_NO = [OptionIn(key="yes", zh="是", en="Yes"), OptionIn(key="no", zh="否", en="No")]


def item(key: str, kind: str = "single", **extra: Any) -> QuestionIn:
    if kind in questionnaire.CHOICE_KINDS:
        extra.setdefault("options", YES_NO)
    return QuestionIn(key=key, kind=kind, zh="问题", en="Question", **extra)  # type: ignore[arg-type]


def refusal(questions: list[QuestionIn]) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        questionnaire.check_questionnaire(questions)
    assert caught.value.code == "surveys.bad_questionnaire"
    assert caught.value.message_zh and caught.value.message_en
    return caught.value.fields


def test_the_standard_acceptance_questionnaire_is_valid() -> None:
    questionnaire.check_questionnaire(standard.acceptance_questions())


def test_the_standard_safety_questionnaire_is_valid_and_has_every_standard_item() -> None:
    questions = standard.safety_questions()
    questionnaire.check_questionnaire(questions)
    safety = [q.key for q in questions if q.standard == "safety"]
    assert safety == ["safe_day", "safe_night", "safe_home"]
    assert {q.standard for q in questions} - {None} == {
        "safety",
        "satisfaction",
        "awareness",
        "support",
    }
    for question in questions:
        assert question.zh.strip() and question.en.strip()


def test_every_kind_of_item_is_accepted() -> None:
    questionnaire.check_questionnaire(
        [
            item("a"),
            item("b", "multiple"),
            item("c", "scale5"),
            item("d", "scale10"),
            item("e", "text"),
        ]
    )


def test_keys_must_be_unique_and_options_belong_to_choices() -> None:
    fields = refusal([item("a"), item("a", "scale5", options=YES_NO)])
    assert fields == {
        "questions[1].key": "the same key is used twice",
        "questions[1].options": "only choice items have options",
    }


def test_a_choice_needs_two_distinct_options() -> None:
    assert refusal([item("a", options=YES_NO[:1])]) == {
        "questions[0].options": "a choice item needs 2 to 20 options"
    }
    twice = [YES_NO[0], YES_NO[0]]
    assert refusal([item("a", options=twice)]) == {
        "questions[0].options[1].key": "the same key is used twice"
    }


def test_texts_must_be_given_and_short() -> None:
    long = QuestionIn(key="a", kind="text", zh="问" * 301, en=" ")
    assert refusal([long]) == {
        "questions[0].zh": "at most 300 characters",
        "questions[0].en": "must not be empty",
    }
    option = OptionIn(key="x", zh="选" * 101, en="X")
    fields = refusal([item("b", options=[option, YES_NO[1]])])
    assert fields == {"questions[0].options[0].zh": "at most 100 characters"}


def test_at_most_thirty_questions() -> None:
    questionnaire.check_questionnaire([item(f"q{i}") for i in range(30)])
    assert refusal([item(f"q{i}") for i in range(31)]) == {"questions": "at most 30 questions"}
    assert refusal([]) == {"questions": "at least one question"}


def test_standard_items_have_fitting_kinds() -> None:
    fields = refusal(
        [
            item("a", "text", standard="safety"),
            item("b", standard="satisfaction"),
            item("c", "scale5", standard="support"),
        ]
    )
    assert fields == {
        "questions[0].kind": "a safety item cannot be text",
        "questions[1].options": "needs the option satisfied or basically_satisfied",
        "questions[2].kind": "a support item cannot be scale5",
    }
    # The 安全感 index is the mean of several safety items; the rates read one item each.
    questionnaire.check_questionnaire(
        [item("a", "scale5", standard="safety"), item("b", "scale10", standard="safety")]
    )
    satisfied = [OptionIn(key="satisfied", zh="满意", en="Satisfied"), *YES_NO]
    assert refusal(
        [
            item("a", options=satisfied, standard="satisfaction"),
            item("b", options=satisfied, standard="satisfaction"),
        ]
    ) == {"questions[1].standard": "a satisfaction item appears once"}


def test_awareness_and_support_items_offer_a_positive_option() -> None:
    assert refusal([item("a", standard="awareness"), item("b", standard="support")]) == {
        "questions[0].options": "needs the option aware or heard",
        "questions[1].options": "needs the option support or basically_support",
    }
    heard = [OptionIn(key="heard", zh="听说过", en="Heard of it"), *YES_NO]
    backing = [OptionIn(key="basically_support", zh="基本支持", en="Basically"), *YES_NO]
    questionnaire.check_questionnaire(
        [
            item("a", options=heard, standard="awareness"),
            item("b", options=backing, standard="support"),
        ]
    )


QUESTIONS = [
    item("seen", "single", required=True),
    item("where", "multiple"),
    item("safe", "scale5"),
    item("score", "scale10"),
    item("note", "text"),
]


def test_a_fitting_answer_set_is_kept_with_texts_trimmed() -> None:
    answers = {"seen": "yes", "where": ["yes", "no"], "safe": 5, "score": 0, "note": "  好  "}
    assert rules.check_answers(QUESTIONS, answers) == {**answers, "note": "好"}
    assert rules.check_answers(QUESTIONS, {"seen": "no", "note": "   "}) == {"seen": "no"}


def test_every_mistake_is_named_per_field() -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_answers(
            QUESTIONS,
            {
                "bogus": "x",
                "where": ["yes", "maybe"],
                "safe": 6,
                "score": -1,
                "note": "长" * 501,
            },
        )
    assert caught.value.code == "surveys.bad_answers"
    assert caught.value.fields == {
        "answers.bogus": "no such question",
        "answers.where": "choose one or more of the options",
        "answers.safe": "a whole number from 1 to 5",
        "answers.score": "a whole number from 0 to 10",
        "answers.note": "at most 500 characters",
        "answers.seen": "an answer is required",
    }


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("seen", "maybe", "not one of the options"),
        ("seen", 1, "not one of the options"),
        ("where", [], "choose one or more of the options"),
        ("where", ["yes", "yes"], "an option is chosen twice"),
        ("safe", 0, "a whole number from 1 to 5"),
        ("safe", "5", "a whole number from 1 to 5"),
        ("score", 11, "a whole number from 0 to 10"),
        ("note", ["x"], "a text"),
    ],
)
def test_a_wrong_answer_is_refused(key: str, value: Any, problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_answers(QUESTIONS, {"seen": "yes", key: value})
    assert caught.value.fields == {f"answers.{key}": problem}


def test_the_tally_shows_every_option_and_scale_value() -> None:
    questions = [*QUESTIONS, *standard.acceptance_questions()]
    counts = [
        ("seen", "yes", 3),
        ("where", "no", 2),
        ("safe", "4", 1),
        ("satisfaction", "satisfied", 7),
    ]
    tallies = rules.tally_items(questions, counts, {"seen": 3, "where": 2, "safe": 1})
    by_key = {t.key: t for t in tallies}
    assert set(by_key) == {"seen", "where", "safe", "score", "satisfaction", "safety"}
    assert by_key["seen"].counts == (("yes", 3), ("no", 0))
    assert by_key["safe"].counts == (("1", 0), ("2", 0), ("3", 0), ("4", 1), ("5", 0))
    assert [v for v, _ in by_key["score"].counts] == [str(v) for v in range(11)]
    assert by_key["where"].answered == 2


def test_satisfaction_counts_satisfied_and_basically_satisfied() -> None:
    questions = standard.acceptance_questions()
    counts = [
        ("satisfaction", "satisfied", 12),
        ("satisfaction", "basically_satisfied", 6),
        ("satisfaction", "dissatisfied", 2),
        ("safety", "5", 20),
    ]
    tallies = rules.tally_items(questions, counts, {"satisfaction": 20, "safety": 20})
    assert rules.satisfaction_of(tallies, questions) == rules.SatisfactionTally(20, 18)
    assert rules.satisfaction_of(tallies, QUESTIONS) is None
    empty = rules.tally_items(questions, [], {})
    assert rules.satisfaction_of(empty, questions) == rules.SatisfactionTally(0, 0)


def test_states_move_one_way() -> None:
    assert rules.next_state("draft", "open") == "open"
    assert rules.next_state("open", "close") == "closed"
    assert rules.next_state("closed", "publish") == "published"
    for state, action in [("draft", "close"), ("open", "open"), ("closed", "open")]:
        with pytest.raises(Conflict) as caught:
            rules.next_state(state, action)  # type: ignore[arg-type]
        assert caught.value.code == "surveys.wrong_state"


def test_a_survey_takes_answers_only_while_open_and_through_its_channels() -> None:
    window = {"opens_on": date(2026, 11, 1), "closes_on": date(2026, 11, 30)}
    both = ["app", "forum"]
    assert (
        rules.answer_problem(
            state="open", channels=both, channel="app", today=date(2026, 11, 30), **window
        )
        is None
    )
    assert rules.answer_problem(
        state="open", channels=both, channel="app", today=date(2026, 12, 1), **window
    )
    assert rules.answer_problem(
        state="closed", channels=both, channel="app", today=date(2026, 11, 5), **window
    )
    assert rules.answer_problem(
        state="open", channels=both, channel="phone", today=date(2026, 11, 5), **window
    )


def test_a_forum_answer_names_its_group() -> None:
    assert rules.entry_problems("forum", ["resident", None]) == {
        "entries[1].group": "a forum answer needs its group"
    }
    assert rules.entry_problems("phone", [None]) == {}


def test_marks_differ_per_survey_and_per_key() -> None:
    mark = rules.respondent_mark(b"k" * 32, survey_id=1, respondent_id=7)
    assert len(mark) == 32
    assert mark == rules.respondent_mark(b"k" * 32, survey_id=1, respondent_id=7)
    assert mark != rules.respondent_mark(b"k" * 32, survey_id=2, respondent_id=7)
    assert mark != rules.respondent_mark(b"j" * 32, survey_id=1, respondent_id=7)


def test_quarters() -> None:
    assert rules.quarter_of(date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert rules.quarter_of(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert rules.quarter_of(date(2026, 6, 30)) == (date(2026, 4, 1), date(2026, 6, 30))


def test_a_safety_survey_is_offered_once_a_quarter_an_acceptance_one_while_open() -> None:
    assert rules.offerable("safety", answered=False, safety_answered_this_quarter=False)
    assert not rules.offerable("safety", answered=False, safety_answered_this_quarter=True)
    assert rules.offerable("acceptance", answered=False, safety_answered_this_quarter=True)
    assert not rules.offerable("acceptance", answered=True, safety_answered_this_quarter=False)


def test_only_a_device_made_before_the_survey_opened_is_reached_by_its_position() -> None:
    opened = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert rules.reachable_by_position(opened - timedelta(microseconds=1), opened)
    assert not rules.reachable_by_position(opened, opened)
    assert not rules.reachable_by_position(opened + timedelta(days=1), opened)
    assert not rules.reachable_by_position(None, opened)


def test_an_app_answer_lies_in_the_community_above_where_the_resident_was() -> None:
    street, community, grid = "/1/1001/", "/1/1001/1001001/", "/1/1001/1001001/100100101/"
    chain = [(1, "/1/", "district"), (2, street, "street"), (3, community, "community")]
    chain.append((4, grid, "grid"))
    # Never finer than a community, never outside the survey's subtree.
    assert rules.answer_region(chain, survey_region_id=2, survey_path=street) == 3
    assert rules.answer_region(chain[:2], survey_region_id=2, survey_path=street) == 2
    assert rules.answer_region(chain, survey_region_id=1, survey_path="/1/") == 3
    # A survey of one grid keeps its own region: it is finer already.
    assert rules.answer_region(chain, survey_region_id=4, survey_path=grid) == 4
    elsewhere = [(9, "/2/", "district"), (10, "/2/2001/", "street")]
    assert rules.answer_region(elsewhere, survey_region_id=2, survey_path=street) == 2
