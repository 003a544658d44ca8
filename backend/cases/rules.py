"""The state machine of a case, as pure rules: who may do what, from which state, to which.

发现 → 派遣 → 签收 → 处置 → 反馈 → 核查 → 结案 → 评价:
submitted → dispatched → accepted → resolved → closed → rated, with the side roads
rejected, merged, returned (back to triage), transferred, escalated, extensions, reopened.
Scope (which cases a caller may see at all) is enforced in SQL; these rules decide, for a
case the caller can see, whether the action is theirs to take now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from backend.errors import Conflict, Forbidden

Status = Literal[
    "submitted", "dispatched", "accepted", "resolved", "closed", "rated", "rejected", "merged"
]
STATUSES: Final[tuple[Status, ...]] = (
    "submitted",
    "dispatched",
    "accepted",
    "resolved",
    "closed",
    "rated",
    "rejected",
    "merged",
)
OPEN: Final = frozenset({"submitted", "dispatched", "accepted", "resolved"})
TRIAGE_ROLES: Final = frozenset({"dispatcher", "supervisor", "admin"})
HANDLER_ROLES: Final = frozenset({"worker", "department"})
STAFF_ROLES: Final = TRIAGE_ROLES | HANDLER_ROLES
Relation = Literal["any", "handler", "assignee"]


@dataclass(frozen=True, slots=True)
class Move:
    """One action: the roles that may take it, the states it starts from, where it leads."""

    roles: frozenset[str]
    origins: frozenset[str]
    to: Status | None  # None: the status stays (comments, extensions)
    relation: Relation = "any"


MOVES: Final[dict[str, Move]] = {
    "dispatch": Move(TRIAGE_ROLES, frozenset({"submitted"}), "dispatched"),
    "accept": Move(HANDLER_ROLES, frozenset({"dispatched"}), "accepted", "handler"),
    "return": Move(HANDLER_ROLES, frozenset({"dispatched", "accepted"}), "submitted", "handler"),
    "transfer": Move(
        TRIAGE_ROLES, frozenset({"submitted", "dispatched", "accepted"}), "dispatched"
    ),
    "escalate": Move(
        TRIAGE_ROLES | HANDLER_ROLES,
        frozenset({"submitted", "dispatched", "accepted"}),
        "submitted",
        "handler",
    ),
    "resolve": Move(HANDLER_ROLES, frozenset({"accepted"}), "resolved", "assignee"),
    "verify_pass": Move(TRIAGE_ROLES, frozenset({"resolved"}), "closed"),
    "verify_fail": Move(TRIAGE_ROLES, frozenset({"resolved"}), "accepted"),
    "reject": Move(TRIAGE_ROLES, frozenset({"submitted", "dispatched"}), "rejected"),
    "merge": Move(TRIAGE_ROLES, frozenset({"submitted", "dispatched"}), "merged"),
    "request_extension": Move(HANDLER_ROLES, frozenset({"accepted"}), None, "assignee"),
    "decide_extension": Move(frozenset({"supervisor", "admin"}), frozenset({"accepted"}), None),
    "comment": Move(STAFF_ROLES, frozenset(STATUSES), None),
    "rate": Move(frozenset({"resident"}), frozenset({"closed"}), "rated"),
    "reopen": Move(frozenset({"resident"}), frozenset({"rated"}), "accepted"),
}

# Which deadline runs in each state, and so what the queue is sorted by.
STEP_OF: Final[dict[str, str]] = {
    "submitted": "accept",
    "dispatched": "accept",
    "accepted": "resolve",
    "resolved": "verify",
}


def under_supervision(status: str, supervised_step: str | None) -> bool:
    """督办: the step now running passed its second threshold and went to the supervisor."""
    return supervised_step is not None and STEP_OF.get(status) == supervised_step


REOPEN_WINDOW: Final = timedelta(days=7)
REOPEN_AT_OR_BELOW: Final = 2


def check_move(action: str, *, role: str, status: str, relation: set[str]) -> Move:
    """The move if `role` may take `action` on a case in `status`; else 403 or 409."""
    move = MOVES[action]
    if role not in move.roles:
        raise Forbidden(
            "cases.role_forbidden", "您的角色不能进行此操作", "Your role may not do this"
        )
    if move.relation != "any" and role in HANDLER_ROLES and move.relation not in relation:
        raise Forbidden("cases.not_yours", "此案件不由您处理", "This case is not assigned to you")
    if status not in move.origins:
        raise Conflict(
            "cases.wrong_state",
            "案件当前状态不允许此操作",
            f"A case that is {status} cannot be given '{action}'",
        )
    return move


def allowed_actions(*, role: str, status: str, relation: set[str]) -> list[str]:
    """Every action the caller may take now (for the console's buttons)."""
    allowed = []
    for action in MOVES:
        try:
            check_move(action, role=role, status=status, relation=relation)
        except (Forbidden, Conflict):
            continue
        allowed.append(action)
    return allowed


def extension_too_late(due_at: datetime | None, *, now: datetime) -> bool:
    """延期 is asked before the running deadline passes, never after."""
    return due_at is not None and now >= due_at


def offered_actions(
    *,
    role: str,
    status: str,
    relation: set[str],
    due_at: datetime | None,
    now: datetime,
    extension_pending: bool,
) -> list[str]:
    """The buttons the console shows: only moves that would be accepted now, so none of
    them answers 409 for a deadline already passed or an extension (not) waiting."""
    refused = set()
    if extension_pending or extension_too_late(due_at, now=now):
        refused.add("request_extension")
    if not extension_pending:
        refused.add("decide_extension")
    allowed = allowed_actions(role=role, status=status, relation=relation)
    return [action for action in allowed if action not in refused]


@dataclass(frozen=True, slots=True)
class Preset:
    accept_minutes: int
    resolve_minutes: int
    verify_minutes: int

    def minutes(self, step: str) -> int:
        return {
            "accept": self.accept_minutes,
            "resolve": self.resolve_minutes,
            "verify": self.verify_minutes,
        }[step]


def due_for(status: str, *, now: datetime, preset: Preset) -> datetime | None:
    """The deadline of the step a case enters with `status`, counted from now."""
    step = STEP_OF.get(status)
    return None if step is None else now + timedelta(minutes=preset.minutes(step))


def resolve_due(accept_due_at: datetime, *, preset: Preset) -> datetime:
    """处置时限 counts from the accept deadline, not from the moment of 签收: the date the
    reporter is shown at filing holds however early or late the case is accepted."""
    return accept_due_at + timedelta(minutes=preset.resolve_minutes)


@dataclass(frozen=True, slots=True)
class DeadlineState:
    """What the scheduler knows of a case's current step."""

    status: str
    due_at: datetime | None
    reminded_step: str | None
    supervised_step: str | None


@dataclass(frozen=True, slots=True)
class DeadlineOutcome:
    overdue: bool
    remind: bool  # 催办 the handler
    supervise: bool  # 督办: tell the supervisors
    step: str | None
    check_at: datetime | None


def deadline_outcome(state: DeadlineState, *, now: datetime, preset: Preset) -> DeadlineOutcome:
    """Overdue, reminder at the deadline, supervision one step-length later; when to look again."""
    step = STEP_OF.get(state.status)
    if step is None or state.due_at is None:
        return DeadlineOutcome(False, False, False, None, None)
    if now < state.due_at:
        return DeadlineOutcome(False, False, False, step, state.due_at)
    supervise_at = state.due_at + timedelta(minutes=preset.minutes(step))
    remind = state.reminded_step != step
    supervise = now >= supervise_at and state.supervised_step != step
    done = state.supervised_step == step or supervise
    return DeadlineOutcome(True, remind, supervise, step, None if done else supervise_at)


def reopens_on_rating(score: int, *, closed_at: datetime | None, now: datetime) -> bool:
    """返工: an unsatisfied reporter (≤ 2) within 7 days of closing sends the case back."""
    return (
        score <= REOPEN_AT_OR_BELOW and closed_at is not None and now - closed_at <= REOPEN_WINDOW
    )


REVEAL_REASON_MIN: Final = 10


def reveal_reason_ok(reason: str | None) -> bool:
    """查看举报人: a reason someone can be held to, at least 10 characters, not one repeated."""
    if reason is None:
        return False
    typed = "".join(reason.split())
    return len(reason.strip()) >= REVEAL_REASON_MIN and len(set(typed)) > 1


def masked_phone(phone: str | None, *, anonymous: bool) -> str:
    """What a dispatcher sees of a reporter's contact: never the whole number."""
    if anonymous:
        return "匿名 anonymous"
    if not phone:
        return "未留联系方式 no contact"
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) >= 11:  # a mobile number: the carrier prefix and the last four, as on receipts
        return digits[:3] + "****" + digits[-4:]
    # Shorter numbers (landlines, extensions): so little is left that only two digits may show.
    return "*" * max(0, len(digits) - 2) + digits[-2:] if len(digits) >= 5 else "*" * len(digits)


# Who is told of what (the outbox rows a move writes): reporter and followers, the handlers
# of the case, or the supervisors of its region.
RESIDENT_NEWS: Final = {
    "dispatch": "dispatched",
    "accept": "accepted",
    "resolve": "resolved",
    "verify_pass": "closed",
    "reject": "rejected",
    "merge": "merged",
}
HANDLER_NEWS: Final = {
    "dispatch": "new_task",
    "transfer": "new_task",
    "verify_fail": "reopened",
    "reopen": "reopened",
    "return": "returned",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """The cases a staff member may see: a region subtree, a department, or the whole city."""

    everything: bool
    path: str | None
    department_id: int | None
    confidential: bool


def scope_of(*, role: str, region_path: str | None, department_id: int | None) -> Scope:
    """Confidential categories are seen only by the scopes that handle them (不公开).

    The handling department and supervisors see clues; an admin manages categories, not clues.
    """
    if role == "department":
        return Scope(False, None, department_id, True)
    if role == "admin" and region_path is None:
        return Scope(True, None, None, False)
    return Scope(False, region_path, None, role == "supervisor")


def may_hold(*, confidential: bool, owner_kind: str, department_kind: str | None) -> bool:
    """Whether a target may take a case: a clue goes only to a department of its category's kind.

    `department_kind` is None for a grid or another region, whose workers never see clues.
    """
    if not confidential:
        return True
    return department_kind is not None and department_kind == owner_kind


def can_see(
    scope: Scope,
    *,
    region_path: str,
    assigned_path: str | None,
    department_id: int | None,
    confidential: bool,
) -> bool:
    """The scope rule of cases.sql.scoped, for one case already in hand (the live feed)."""
    if confidential and not scope.confidential:
        return False
    if scope.department_id is not None:
        return department_id == scope.department_id
    if scope.everything:
        return True
    return scope.path is not None and (
        region_path.startswith(scope.path) or (assigned_path or "").startswith(scope.path)
    )
