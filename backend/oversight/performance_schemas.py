"""Grid workers' performance (网格员绩效) over a period, camelCase on the wire."""

from __future__ import annotations

from backend.stats.schemas import PeriodOut, RegionRefOut
from backend.structs import Model


class WorkerPerformanceOut(Model):
    """One grid worker's record over a period, counted by handler: the worker who did the
    处置 (resolve), whatever grid the case came from.

    handled 处置量: cases on which the worker recorded a 处置 in the period.
    onTime 按期: of those, cases none of whose 签收 and 处置 deadlines passed (no 催办 of a
        step in a handler's hands, 已派遣 or 已签收) on the case's timeline up to the period's
        end, every round counted: a case sent back (返工) that overruns its deadline on the
        second round is not on time. Like the statistics' onTimeRate (no 催办 mark), except
        that a 催办 before dispatch (受理, the dispatcher's step) is not the worker's.
    onTimeRate 按期率: onTime / handled.
    reworked 返工: handled cases sent back after that 处置 (failed 核查 or a reporter's
        返工) by the period's end; reworkRate 返工率: reworked / handled.
    rated 评价数: handled cases rated by their reporter by the period's end; ratingAvg:
        their mean score (1-5); satisfactionRate 满意率: rated 3-5 of 5 / rated.
    patrolReports 巡查上报: reports the worker filed on patrol in the period.
    dutiesDone: duties owned by the worker (tasks, checks, findings …) done in the period.
    dutiesOverdue: the worker's duties due in the period (up to now) that were not done by
        their due time, whether done later or still open; cancelled ones are not counted.
    Rates and the mean are null when there is nothing to divide by.
    """

    user_id: int
    name: str
    region: RegionRefOut | None
    handled: int
    on_time: int
    on_time_rate: float | None
    reworked: int
    rework_rate: float | None
    rated: int
    rating_avg: float | None
    satisfaction_rate: float | None
    patrol_reports: int
    duties_done: int
    duties_overdue: int


class PerformanceOut(Model):
    """The period and one row per grid worker, by region then name; `truncated` when there
    were more workers than one answer holds (narrow the scope)."""

    period: PeriodOut
    workers: list[WorkerPerformanceOut]
    truncated: bool = False
