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


def _scale(key: str, zh: str, en: str) -> QuestionIn:
    return QuestionIn(
        key=key,
        kind="scale5",
        zh=f"{zh}（1 很不安全，5 很安全）",
        en=f"{en} (1 very unsafe, 5 very safe)",
        standard="safety",
        required=True,
    )


def _options(*pairs: tuple[str, str, str]) -> list[OptionIn]:
    return [OptionIn(key=key, zh=zh, en=en) for key, zh, en in pairs]


def safety_questions() -> list[QuestionIn]:
    """The standard 安全感 questionnaire: how safe people feel by day, by night and at home,
    satisfaction with public order (治安), awareness of and support for the 平安建设 and
    扫黑除恶 campaign, what worries them, and a remark."""
    return [
        _scale("safe_day", "白天在外面，您感到安全吗？", "How safe do you feel outdoors by day?"),
        _scale(
            "safe_night", "夜间在外面，您感到安全吗？", "How safe do you feel outdoors at night?"
        ),
        _scale("safe_home", "在家里，您感到安全吗？", "How safe do you feel at home?"),
        QuestionIn(
            key="satisfaction",
            kind="single",
            zh="您对本地的社会治安满意吗？",
            en="Are you satisfied with public order where you live?",
            options=_options(
                ("satisfied", "满意", "Satisfied"),
                ("basically_satisfied", "基本满意", "Basically satisfied"),
                ("dissatisfied", "不满意", "Dissatisfied"),
                ("unsure", "说不清", "Cannot say"),
            ),
            standard="satisfaction",
            required=True,
        ),
        QuestionIn(
            key="awareness",
            kind="single",
            zh="您知道平安建设和扫黑除恶常态化工作吗？",
            en="Do you know of the Safe City work and the campaign against organised crime?",
            options=_options(
                ("aware", "知道", "I know of it"),
                ("heard", "听说过", "I have heard of it"),
                ("unaware", "不知道", "I do not know of it"),
            ),
            standard="awareness",
        ),
        QuestionIn(
            key="support",
            kind="single",
            zh="您支持这项工作吗？",
            en="Do you support this work?",
            options=_options(
                ("support", "支持", "I support it"),
                ("basically_support", "基本支持", "I basically support it"),
                ("not_support", "不支持", "I do not support it"),
                ("unsure", "说不清", "Cannot say"),
            ),
            standard="support",
        ),
        QuestionIn(
            key="worries",
            kind="multiple",
            zh="您最担心哪些治安问题？（可多选）",
            en="Which problems of public order worry you most? (choose any)",
            options=_options(
                ("theft", "盗窃", "Theft"),
                ("fraud", "电信网络诈骗", "Phone and online fraud"),
                ("robbery", "抢劫抢夺", "Robbery and snatching"),
                ("gangs", "黑恶势力", "Gangs and organised crime"),
                ("drugs_gambling", "黄赌毒", "Drugs, gambling and prostitution"),
                ("traffic", "交通安全", "Road safety"),
                ("disputes", "邻里纠纷", "Disputes between neighbours"),
                ("other", "其他", "Other"),
            ),
        ),
        QuestionIn(
            key="remark",
            kind="text",
            zh="您对平安建设还有什么意见或建议？",
            en="Anything else you would like to tell us about safety where you live?",
        ),
    ]
