"""The life of a key area, as pure rules: which step may follow which, who may take it, and why not.

candidate 排查发现 → proposed 建议整治 → listed 重点整治 (street tier) or flagged 挂牌督办
(district tier) → accepting 验收中 → lifted 摘牌 or extended 延期整治 → watching 回头看 →
closed 销号 or relisted 复发; a candidate or proposal may be dismissed 不予列管 (or merged
into the area already governing its place). A street-listed area past its deadline is
escalated back to proposed for the district to flag. Listing and flagging need a plan
(一地一策); acceptance starts when its last task is done. Every refusal carries a stable code
and a message in Chinese and in English. Scope (which areas a caller sees) is SQL's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal, get_args

State = Literal[
    "candidate",
    "proposed",
    "listed",
    "flagged",
    "accepting",
    "lifted",
    "extended",
    "watching",
    "closed",
    "relisted",
    "dismissed",
]
Action = Literal[
    "propose",
    "dismiss",
    "merge",
    "list",
    "flag",
    "escalate",
    "accept",
    "lift",
    "extend",
    "refuse_extension",
    "watch",
    "close",
    "relist",
]
Level = Literal["red", "yellow", "blue"]
Tier = Literal["street", "district"]
Period = Literal["week", "day"]

STATES: Final[tuple[State, ...]] = get_args(State)
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)


class Refused(Exception):
    """A step the rules do not allow; `code` is stable for clients, `zh`/`en` say why."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en


# Refusals because of who the caller is (a 403), as opposed to the area's state or its plan.
ROLE_CODES: Final = frozenset({"areas.role_forbidden", "areas.system_only", "areas.district_only"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who takes the step: a staff role, or 'system' for the jobs."""

    role: str
    district_level: bool


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules need to know of the area."""

    state: State
    tier: Tier | None
    has_plan: bool
    open_tasks: int


SYSTEM: Final = frozenset({"system"})
TRIAGE: Final = frozenset({"dispatcher", "supervisor", "admin"})
LEADERS: Final = frozenset({"supervisor", "admin"})


@dataclass(frozen=True, slots=True)
class Step:
    """One row of the lifecycle: where it leads, who may take it, on what conditions."""

    to: State
    roles: frozenset[str]
    needs_plan: bool = False
    district_only: bool = False
    street_tier_only: bool = False
    tasks_done: bool = False
    to_if_district: State | None = None  # where it leads instead for a district-tier area


def _rows(origins: Sequence[State], action: Action, step: Step) -> dict[tuple[State, Action], Step]:
    return {(origin, action): step for origin in origins}


LIFECYCLE: Final[dict[tuple[State, Action], Step]] = {
    **_rows(["candidate"], "propose", Step("proposed", TRIAGE | SYSTEM)),
    **_rows(["candidate", "proposed"], "dismiss", Step("dismissed", TRIAGE)),
    **_rows(["candidate", "proposed"], "merge", Step("dismissed", TRIAGE | SYSTEM)),
    **_rows(["proposed", "relisted"], "list", Step("listed", LEADERS, needs_plan=True)),
    **_rows(
        ["proposed", "relisted", "listed"],
        "flag",
        Step("flagged", LEADERS, needs_plan=True, district_only=True),
    ),
    **_rows(["listed", "extended"], "escalate", Step("proposed", SYSTEM, street_tier_only=True)),
    **_rows(
        ["listed", "flagged", "extended"], "accept", Step("accepting", SYSTEM, tasks_done=True)
    ),
    **_rows(["accepting"], "lift", Step("lifted", LEADERS | SYSTEM)),
    **_rows(["accepting"], "extend", Step("extended", LEADERS)),
    **_rows(
        ["accepting"],
        "refuse_extension",
        Step("listed", LEADERS, to_if_district="flagged"),
    ),
    **_rows(["lifted"], "watch", Step("watching", SYSTEM)),
    **_rows(["watching"], "close", Step("closed", SYSTEM)),
    **_rows(["watching"], "relist", Step("relisted", LEADERS)),
}

STATE_ZH: Final[dict[str, str]] = {
    "candidate": "排查发现",
    "proposed": "建议整治",
    "listed": "重点整治",
    "flagged": "挂牌督办",
    "accepting": "验收中",
    "lifted": "摘牌",
    "extended": "延期整治",
    "watching": "回头看",
    "closed": "销号",
    "relisted": "复发",
    "dismissed": "不予列管",
}


def next_state(facts: Facts, action: Action, actor: Actor) -> State:
    """The state `action` leads to from `facts.state` when `actor` takes it; else Refused."""
    step = LIFECYCLE.get((facts.state, action))
    if step is None:
        raise Refused(
            "areas.not_allowed",
            f"处于「{STATE_ZH[facts.state]}」的重点地区不能进行此操作",
            f"An area that is {facts.state} cannot be given '{action}'",
        )
    _check_actor(step, actor)
    _check_conditions(step, facts)
    if step.to_if_district is not None and facts.tier == "district":
        return step.to_if_district
    return step.to


def _check_actor(step: Step, actor: Actor) -> None:
    if step.roles == SYSTEM and actor.role != "system":
        raise Refused(
            "areas.system_only", "此步骤由系统自动完成", "Only the system takes this step"
        )
    if actor.role not in step.roles:
        raise Refused("areas.role_forbidden", "您的角色不能进行此操作", "Your role may not do this")
    if step.district_only and not actor.district_level:
        raise Refused(
            "areas.district_only",
            "挂牌督办须由区（县）级及以上的负责人决定",
            "Only a district-level supervisor or admin may flag an area",
        )


def _check_conditions(step: Step, facts: Facts) -> None:
    if step.needs_plan and not facts.has_plan:
        raise Refused(
            "areas.plan_required",
            "列管或挂牌前须先制定整治方案（一地一策）",
            "An area needs a remediation plan before it is listed or flagged",
        )
    if step.street_tier_only and facts.tier != "street":
        raise Refused(
            "areas.not_street",
            "只有街道（乡镇）列管的重点地区才能提请挂牌督办",
            "Only a street-listed area is proposed to the district",
        )
    if step.tasks_done and facts.open_tasks > 0:
        raise Refused(
            "areas.tasks_open",
            f"整治方案还有 {facts.open_tasks} 项任务未完成，不能验收",
            f"{facts.open_tasks} task(s) of the plan are still open: no acceptance yet",
        )


def allowed_actions(facts: Facts, actor: Actor) -> list[Action]:
    """Every action `actor` may take on the area now (for the console's buttons)."""
    allowed: list[Action] = []
    for action in ACTIONS:
        try:
            next_state(facts, action, actor)
        except Refused:
            continue
        allowed.append(action)
    return allowed


def tier_after(facts: Facts, action: Action) -> Tier | None:
    """The tier answering after `action`: a listing is the street's, a flag the district's."""
    if action == "list":
        return "street"
    if action in ("flag", "escalate"):
        return "district"
    return facts.tier


@dataclass(frozen=True, slots=True)
class LevelDuty:
    """A duty a level carries: a record (or a count of patrol reports) due each period."""

    kind: Literal["joint_sweep", "patrols", "daily_check"]
    period: Period
    target: int


def duties_for_level(level: Level, *, yellow_patrols_per_week: int) -> list[LevelDuty]:
    """Red: a weekly 联合清查; yellow: weekly patrols against a target; blue: a daily 巡查."""
    if level == "red":
        return [LevelDuty("joint_sweep", "week", 1)]
    if level == "yellow":
        return [LevelDuty("patrols", "week", max(1, yellow_patrols_per_week))]
    return [LevelDuty("daily_check", "day", 1)]


def period_of(kind_period: Period, day: date) -> tuple[date, date]:
    """The period holding `day`, both ends inclusive: a week runs Monday to Sunday."""
    if kind_period == "day":
        return day, day
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def plan_problem(
    level: Level | None,
    *,
    first_responsible_district: bool,
    lead_is_department: bool,
    lead_is_street: bool,
) -> Refused | None:
    """Why the plan's people do not fit the level's tier of owners, or None when they do."""
    if level == "red" and not first_responsible_district:
        return Refused(
            "areas.plan_red_leader",
            "红色重点地区的第一责任人须为区（市）级领导（包联）",
            "A red area's first responsible person must be a district- or city-level leader",
        )
    if level == "yellow" and not lead_is_department:
        return Refused(
            "areas.plan_yellow_department",
            "黄色重点地区须由县级部门牵头整治",
            "A yellow area's remediation must be led by a department",
        )
    if level == "blue" and not lead_is_street:
        return Refused(
            "areas.plan_blue_street",
            "蓝色重点地区须由乡镇（街道）牵头整治",
            "A blue area's remediation must be led by its street or township",
        )
    return None


def escalation_due(state: State, tier: Tier | None, deadline: date | None, today: date) -> bool:
    """A street-listed area not fixed by its deadline goes to the district from the day after."""
    return (
        state in ("listed", "extended")
        and tier == "street"
        and deadline is not None
        and today > deadline
    )
