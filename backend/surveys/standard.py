"""The standard questionnaires: the items whose answers the key areas and indices read."""

from __future__ import annotations

from backend.surveys.schemas import OptionIn, QuestionIn


def acceptance_questions() -> list[QuestionIn]:
    """The standard 验收 questionnaire of a key area: satisfaction, safety, a remark."""
    return [
        QuestionIn(
            key="satisfaction",
            kind="single",
            zh="您对这一带的整治效果满意吗？",
            en="Are you satisfied with how this area has been put right?",
            options=[
                OptionIn(key="satisfied", zh="满意", en="Satisfied"),
                OptionIn(key="basically_satisfied", zh="基本满意", en="Basically satisfied"),
                OptionIn(key="dissatisfied", zh="不满意", en="Dissatisfied"),
            ],
            standard="satisfaction",
            required=True,
        ),
        QuestionIn(
            key="safety",
            kind="scale5",
            zh="您现在在这一带感到安全吗？（1 很不安全，5 很安全）",
            en="How safe do you feel here now? (1 very unsafe, 5 very safe)",
            standard="safety",
            required=True,
        ),
        QuestionIn(
            key="remark",
            kind="text",
            zh="您还有什么意见或建议？",
            en="Anything else you would like to tell us?",
        ),
    ]
