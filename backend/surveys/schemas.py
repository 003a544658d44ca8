"""Request and response bodies of surveys: questionnaires, answers, entries, tallies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from backend.structs import Latitude, Longitude, Model, RegionCode

# single choice, multiple choice, a 1–5 scale, a 0–10 scale, a short text
QuestionKind = Literal["single", "multiple", "scale5", "scale10", "text"]
# The items the indices read: 安全感 (safety), 满意度 (satisfaction), 知晓率, 支持率.
Standard = Literal["safety", "satisfaction", "awareness", "support"]
Purpose = Literal["safety", "acceptance"]
SurveyState = Literal["draft", "open", "closed", "published"]
# app: the resident app; visit: 入户走访; phone: 电话回访; forum: 座谈会.
Channel = Literal["app", "visit", "phone", "forum"]
StaffChannel = Literal["visit", "phone", "forum"]
# Who spoke at a 座谈会: residents, informants (信息员) or victims.
Group = Literal["resident", "informant", "victim"]

Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="item key")]
# Decoding caps the size; the questionnaire rules give per-field reasons for shorter limits.
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# One answer: an option key (single), option keys (multiple), a number (scale) or a text.
AnswerValue = str | int | list[str]
Answers = Annotated[dict[str, AnswerValue], msgspec.Meta(max_length=30)]


class OptionIn(Model):
    """A choice of a single- or multiple-choice item."""

    key: Key
    zh: Text
    en: Text


class QuestionIn(Model):
    """One item of a questionnaire, in Chinese and English."""

    key: Key
    kind: QuestionKind
    zh: Text
    en: Text
    options: list[OptionIn] = msgspec.field(default_factory=list)
    standard: Standard | None = None
    required: bool = False


class SurveyIn(Model):
    """A new questionnaire (a draft), scoped to a region subtree or to a place."""

    title: Title
    title_en: Title
    questions: Annotated[list[QuestionIn], msgspec.Meta(max_length=100)]
    opens_on: date
    closes_on: date
    purpose: Purpose = "safety"
    region_code: RegionCode | None = None
    place_id: int | None = None
    channels: list[Channel] = msgspec.field(
        default_factory=lambda: ["app", "visit", "phone", "forum"]
    )


class AnswerIn(Model):
    """A resident's answers, item key → answer; where the device stands now, if it lies
    in the survey's scope and none of its reports does."""

    answers: Answers
    lat: Latitude | None = None
    lng: Longitude | None = None


class EntryIn(Model):
    """One person's answers as staff took them down; `group` is required at a 座谈会."""

    answers: Answers
    group: Group | None = None


class EntriesIn(Model):
    """Answers staff collected (入户走访, 电话回访, 座谈会) on one day, entered at once."""

    channel: StaffChannel
    entries: Annotated[list[EntryIn], msgspec.Meta(min_length=1, max_length=500)]
    day: date | None = None
    # Made by the desk when the batch was filled in: the same batch sent again counts once.
    batch_id: uuid.UUID | None = None
    # Where the answers were taken: a region of the survey's subtree (default its own region).
    region_code: RegionCode | None = None


class OptionCountOut(Model):
    key: str
    count: int


class ItemTallyOut(Model):
    """How often each option (or scale value) of an item was chosen, and by how many."""

    key: str
    kind: str
    answered: int
    counts: list[OptionCountOut]


class ChannelSatisfactionOut(Model):
    answered: int
    satisfied: int


class SatisfactionOut(Model):
    """The satisfaction item: answers, how many (basically) satisfied, and by channel."""

    answered: int
    satisfied: int
    by_channel: dict[str, ChannelSatisfactionOut] = msgspec.field(default_factory=dict)


class SurveyOut(Model):
    """A survey as staff see it, with the tally of its choice and scale items."""

    id: int
    purpose: str
    state: str
    region_code: str
    region_name: str
    place_id: int | None
    title: str
    title_en: str
    questions: list[QuestionIn]
    channels: list[str]
    opens_on: date
    closes_on: date
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    answered: int
    tally: list[ItemTallyOut]
    satisfaction: SatisfactionOut | None


class OfferOut(Model):
    """A survey offered to a resident: what to show and what to answer."""

    id: int
    purpose: str
    title: str
    title_en: str
    closes_on: date
    questions: list[QuestionIn]


class AnswerOut(Model):
    """An answer was counted (nothing that could name the device is returned or kept)."""

    survey_id: int
    day: date


class EntriesOut(Model):
    survey_id: int
    entered: int


class SurveyListItemOut(Model):
    """A survey in the staff list: what it is, where, when, and how many answered."""

    id: int
    purpose: str
    state: str
    title: str
    title_en: str
    region_code: str
    region_name: str
    place_id: int | None
    opens_on: date
    closes_on: date
    answered: int


# Where a figure stands against the target: its whole 95 % interval at or above the target,
# wholly below it, or the interval straddles it.
Standing = Literal["meets", "below", "uncertain"]


class FigureOut(Model):
    """One index or rate on 0–100 with its sample size and 95 % interval.

    value/low/high are null when fewer than 5 answered (n too, on pages residents read).
    """

    n: int | None
    value: float | None
    low: float | None
    high: float | None
    standing: Standing | None


class IndicesOut(Model):
    """安全感 index, 满意度, 知晓率 and 支持率 of one region; null when the questionnaire lacks
    the item."""

    answered: int | None  # answer sets (null publicly when fewer than 5)
    safety: FigureOut | None
    satisfaction: FigureOut | None
    awareness: FigureOut | None
    support: FigureOut | None


class RegionIndicesOut(Model):
    """The indices of one region of the survey's tree, and of the previous survey there."""

    code: str
    name: str
    level: str
    parent_code: str | None
    depth: int
    indices: IndicesOut
    previous: IndicesOut | None


class SurveyIndicesOut(Model):
    """A survey's indices by region (its own region first, then depth-first by path)."""

    survey_id: int
    title: str
    title_en: str
    state: str
    target: float
    previous_survey_id: int | None
    previous_title: str | None
    regions: list[RegionIndicesOut]


class PublishedSurveyOut(Model):
    """The figures of a published 安全感 survey as residents read them."""

    survey_id: int
    title: str
    title_en: str
    published_at: datetime
    opens_on: date
    closes_on: date
    region_code: str
    region_name: str
    target: float
    indices: IndicesOut
    previous: IndicesOut | None
