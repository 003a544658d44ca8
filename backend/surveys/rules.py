"""Surveys as pure rules: an answer set's fit, states, tallies, marks.

No I/O here. Answers are checked against the questionnaire they answer (its shape is
`questionnaire`'s business), and every mistake is named per field.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal

from backend.errors import Conflict, Invalid
from backend.regions.levels import depth, is_level
from backend.surveys.questionnaire import CHOICE_KINDS, SATISFIED, SCALES
from backend.surveys.schemas import AnswerValue, QuestionIn

ANSWER_TEXT_MAX: Final = 500
_COMMUNITY: Final = depth("community")
Action = Literal["open", "close", "publish"]
_MOVES: Final[dict[tuple[str, str], str]] = {
    ("draft", "open"): "open",
    ("open", "close"): "closed",
    ("closed", "publish"): "published",
}
_STATE_NAMES: Final[dict[str, str]] = {
    "draft": "草稿",
    "open": "进行中",
    "closed": "已结束",
    "published": "已发布",
}


@dataclass(frozen=True, slots=True)
class SatisfactionTally:
    """Answers to the satisfaction item, and how many of them were satisfied."""

    answered: int  # answers to the satisfaction item
    satisfied: int  # of them satisfied or basically satisfied
    # channel (app, visit, phone, forum) -> (answered, satisfied): where the answers came from
    by_channel: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemTally:
    """How often each option (or scale value) of one item was chosen, and by how many."""

    key: str
    kind: str
    answered: int
    counts: tuple[tuple[str, int], ...]


def check_answers(
    questions: Sequence[QuestionIn], answers: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """The answers as kept (texts trimmed, empty ones dropped); 422 naming each mistake."""
    by_key = {question.key: question for question in questions}
    fields: dict[str, str] = {}
    kept: dict[str, AnswerValue] = {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            fields[f"answers.{key[:40]}"] = "no such question"
            continue
        problem, cleaned = _answer_problem(question, value)
        if problem is not None:
            fields[f"answers.{key}"] = problem
        elif cleaned is not None:
            kept[key] = cleaned
    for question in questions:
        if (
            question.required
            and question.key not in kept
            and f"answers.{question.key}" not in fields
        ):
            fields[f"answers.{question.key}"] = "an answer is required"
    if fields:
        raise Invalid(
            "surveys.bad_answers",
            "答卷有误，请检查后重新提交",
            "Some answers are not valid; see each field",
            fields=fields,
        )
    return kept


def _answer_problem(
    question: QuestionIn, value: AnswerValue
) -> tuple[str | None, AnswerValue | None]:
    """What is wrong with one answer (None when it fits), and the answer as kept."""
    options = {option.key for option in question.options}
    kind = question.kind
    if kind == "single":
        if not isinstance(value, str) or value not in options:
            return "not one of the options", None
        return None, value
    if kind == "multiple":
        if not isinstance(value, list) or not value or not set(value) <= options:
            return "choose one or more of the options", None
        if len(set(value)) != len(value):
            return "an option is chosen twice", None
        return None, value
    if kind in SCALES:
        low, high = SCALES[kind]
        if not isinstance(value, int) or not low <= value <= high:
            return f"a whole number from {low} to {high}", None
        return None, value
    if not isinstance(value, str):
        return "a text", None
    text = value.strip()
    if len(text) > ANSWER_TEXT_MAX:
        return f"at most {ANSWER_TEXT_MAX} characters", None
    return None, text or None


def next_state(state: str, action: Action) -> str:
    """The state a survey moves to; 409 bilingual when the move does not fit its state."""
    after = _MOVES.get((state, action))
    if after is None:
        raise Conflict(
            "surveys.wrong_state",
            f"问卷当前状态为{_STATE_NAMES.get(state, state)}，不能进行此操作",
            f"The survey is {state}; it cannot {action} now",
        )
    return after


def answer_problem(
    *,
    state: str,
    opens_on: date,
    closes_on: date,
    channels: Sequence[str],
    channel: str,
    today: date,
) -> tuple[str, str] | None:
    """Why this survey takes no answer through this channel today, in Chinese and English."""
    if state != "open" or not opens_on <= today <= closes_on:
        return "该问卷当前不接受作答", "This survey is not taking answers now"
    if channel not in channels:
        return "该问卷不通过此渠道收集", "This survey is not collected through this channel"
    return None


def refuse_answer(problem: tuple[str, str] | None) -> None:
    """409 with the bilingual reason when a survey takes no answer now."""
    if problem is not None:
        raise Conflict("surveys.not_taking_answers", *problem)


def entry_problems(channel: str, groups: Sequence[str | None]) -> dict[str, str]:
    """At a 座谈会 every answer says whose it is (resident, informant or victim)."""
    if channel != "forum":
        return {}
    return {
        f"entries[{index}].group": "a forum answer needs its group"
        for index, group in enumerate(groups)
        if group is None
    }


def respondent_mark(key: bytes, *, survey_id: int, respondent_id: int) -> bytes:
    """The keyed hash that says "this device answered this survey" without saying which device.

    Without the server's key nobody can test a device against it, and each survey gives the
    same device a different mark, so marks cannot be joined across surveys either.
    """
    message = struct.pack(">qq", survey_id, respondent_id)
    return hmac.new(key, message, hashlib.sha256).digest()


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter holding `day`, first and last day (inclusive)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def offerable(purpose: str, *, answered: bool, safety_answered_this_quarter: bool) -> bool:
    """Whether to offer a survey to a device: once, and a 安全感 survey once a quarter at most."""
    if answered:
        return False
    return not (purpose == "safety" and safety_answered_this_quarter)


def reachable_by_position(joined: datetime | None, opened: datetime) -> bool:
    """Whether a device with no report in a survey's scope may take it where it stands.

    A position costs nothing to send and a device account nothing to make: only a device
    made before the survey opened counts, so answers cannot be stuffed with fresh devices.
    """
    return joined is not None and joined < opened


def standard_item(questions: Sequence[QuestionIn], standard: str) -> QuestionIn | None:
    """The item a questionnaire marks as this standard item, if any."""
    return next((q for q in questions if q.standard == standard), None)


def tally_items(
    questions: Sequence[QuestionIn],
    counts: Iterable[tuple[str, str, int]],
    answered: Mapping[str, int],
) -> list[ItemTally]:
    """Per choice and scale item: every option (or scale value) with how often it was chosen.

    `counts` are (item key, chosen value, how many); options nobody chose show 0.
    """
    chosen: dict[tuple[str, str], int] = {(key, value): n for key, value, n in counts}
    tallies = []
    for question in questions:
        if question.kind in CHOICE_KINDS:
            values = [option.key for option in question.options]
        elif question.kind in SCALES:
            low, high = SCALES[question.kind]
            values = [str(v) for v in range(low, high + 1)]
        else:
            continue
        tallies.append(
            ItemTally(
                key=question.key,
                kind=question.kind,
                answered=answered.get(question.key, 0),
                counts=tuple((v, chosen.get((question.key, v), 0)) for v in values),
            )
        )
    return tallies


def satisfaction_of(
    tallies: Iterable[ItemTally], questions: Sequence[QuestionIn]
) -> SatisfactionTally | None:
    """The tally of the standard satisfaction item; None when the questionnaire has none."""
    item = standard_item(questions, "satisfaction")
    if item is None:
        return None
    for tally in tallies:
        if tally.key == item.key:
            satisfied = sum(n for value, n in tally.counts if value in SATISFIED)
            return SatisfactionTally(answered=tally.answered, satisfied=satisfied)
    return SatisfactionTally(answered=0, satisfied=0)


def answer_region(
    chain: Sequence[tuple[int, str, str]], *, survey_region_id: int, survey_path: str
) -> int:
    """The region an app answer is counted in, from the regions (id, path, level) above the
    place that reached the device: the deepest one within the survey's subtree that is no
    finer than a community, else the survey's own region (when that is finer already).

    A grid may hold only a handful of residents: a figure of one answer there would say
    how that person answered.
    """
    coarse = [
        (len(path), region_id)
        for region_id, path, level in chain
        if path.startswith(survey_path) and is_level(level) and depth(level) <= _COMMUNITY
    ]
    return max(coarse)[1] if coarse else survey_region_id
