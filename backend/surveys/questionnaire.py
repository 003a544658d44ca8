"""A questionnaire's shape, as pure rules: items that can be answered and read as intended.

No I/O here. A questionnaire is a list of items (single or multiple choice, a 1–5 or 0–10
scale, a short text), each in Chinese and English; `standard` marks the items that the
indices and the key-area acceptance (验收) read, so each standard item has a fixed kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from backend.errors import Invalid
from backend.surveys.schemas import QuestionIn

MAX_QUESTIONS: Final = 30
MAX_OPTIONS: Final = 20
QUESTION_TEXT_MAX: Final = 300
OPTION_TEXT_MAX: Final = 100
CHOICE_KINDS: Final = frozenset({"single", "multiple"})
SCALES: Final[dict[str, tuple[int, int]]] = {"scale5": (1, 5), "scale10": (0, 10)}
# The options of each standard choice item that count for its rate: 满意、基本满意; 知晓、
# 听说过; 支持、基本支持. Each such item must offer at least one of them.
POSITIVE: Final[dict[str, tuple[str, ...]]] = {
    "satisfaction": ("satisfied", "basically_satisfied"),
    "awareness": ("aware", "heard"),
    "support": ("support", "basically_support"),
}
SATISFIED: Final = POSITIVE["satisfaction"]
# The 安全感 index is the mean of all safety items; the other standard items appear once.
REPEATABLE_STANDARDS: Final = frozenset({"safety"})
# Which kinds each standard item may take: the indices read them in a fixed way.
_STANDARD_KINDS: Final[dict[str, frozenset[str]]] = {
    "safety": frozenset(SCALES),
    "satisfaction": frozenset({"single"}),
    "awareness": frozenset({"single"}),
    "support": frozenset({"single"}),
}


def check_questionnaire(questions: Sequence[QuestionIn]) -> None:
    """Refuse (422) a questionnaire whose items cannot be answered or read as intended."""
    fields: dict[str, str] = {}
    if not questions:
        fields["questions"] = "at least one question"
    if len(questions) > MAX_QUESTIONS:
        fields["questions"] = f"at most {MAX_QUESTIONS} questions"
    seen_keys: set[str] = set()
    seen_standards: set[str] = set()
    for index, question in enumerate(questions):
        at = f"questions[{index}]"
        if question.key in seen_keys:
            fields[f"{at}.key"] = "the same key is used twice"
        seen_keys.add(question.key)
        fields.update(_text_problems(at, question.zh, question.en, QUESTION_TEXT_MAX))
        fields.update(_option_problems(at, question))
        if question.standard is not None:
            if question.standard in seen_standards:
                fields[f"{at}.standard"] = f"a {question.standard} item appears once"
            if question.standard not in REPEATABLE_STANDARDS:
                seen_standards.add(question.standard)
            fields.update(_standard_problems(at, question, question.standard))
    if fields:
        raise Invalid(
            "surveys.bad_questionnaire",
            "问卷有误，请按提示修改",
            "The questionnaire has mistakes; see each field",
            fields=fields,
        )


def _text_problems(at: str, zh: str, en: str, longest: int) -> dict[str, str]:
    problems = {}
    for name, text in (("zh", zh), ("en", en)):
        if not text.strip():
            problems[f"{at}.{name}"] = "must not be empty"
        elif len(text) > longest:
            problems[f"{at}.{name}"] = f"at most {longest} characters"
    return problems


def _option_problems(at: str, question: QuestionIn) -> dict[str, str]:
    options = question.options
    if question.kind not in CHOICE_KINDS:
        return {f"{at}.options": "only choice items have options"} if options else {}
    if not 2 <= len(options) <= MAX_OPTIONS:
        return {f"{at}.options": f"a choice item needs 2 to {MAX_OPTIONS} options"}
    problems: dict[str, str] = {}
    keys: set[str] = set()
    for index, option in enumerate(options):
        if option.key in keys:
            problems[f"{at}.options[{index}].key"] = "the same key is used twice"
        keys.add(option.key)
        problems.update(
            _text_problems(f"{at}.options[{index}]", option.zh, option.en, OPTION_TEXT_MAX)
        )
    return problems


def _standard_problems(at: str, question: QuestionIn, standard: str) -> dict[str, str]:
    """A standard item has the kind its index reads and offers a positive option."""
    if question.kind not in _STANDARD_KINDS[standard]:
        return {f"{at}.kind": f"a {standard} item cannot be {question.kind}"}
    positive = POSITIVE.get(standard, ())
    if positive and not any(option.key in positive for option in question.options):
        return {f"{at}.options": f"needs the option {' or '.join(positive)}"}
    return {}
