"""Indicator values (targets, scores) recomputed with plain SQL, for check_figures: each
indicator's parameters (assessment/measures.py documents them) become a WHERE clause and a sum
over the year's listed projects, grouped by responsible unit, then rolled up the unit tree.

Figures kept by month (targets, scores) count the reports of the year's periods that have
ended by the month's end, in every campaign of the year: completed investment is their accepted
current amounts; filing on time, their current reports filed by their period's deadline ÷
filed. Problems on time are those closed in the year by the month's end, replied by their
deadline (local dates) ÷ closed.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from gongjian.dashboards.truth import cents, money, rows, sql_date
from gongjian.dashboards.truth import sql_datetime as moment

MONEY_OF = {"total_investment", "annual_plan", "completed_ytd"}
FLAG_SQL = {
    "is_manufacturing": "p.is_manufacturing = %s",
    "is_high_tech": "p.is_high_tech = %s",
    "is_livelihood": "p.is_livelihood = %s",
    "in_park": "p.park_id IS NOT NULL",
    "foreign": "p.investment_source <> 'domestic'",
    "registered": "p.stats_status = 'yes'",
}
FLAG_PARAMS = {"is_manufacturing", "is_high_tech", "is_livelihood"}
STARTED_SQL = (
    "EXISTS (SELECT 1 FROM projects_milestone m JOIN projects_milestonekind k "
    "ON k.id = m.kind_id WHERE m.project_id = p.id AND k.code = %s "
    "AND m.actual_date >= %s AND m.actual_date <= %s)"
)


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# The year's current reports of the periods ended by a day (parameters: Measure.ended).
REPORTS = "dispatch_report r JOIN dispatch_period pe ON pe.id = r.period_id"
ENDED = 'r.is_current = %s AND pe.start >= %s AND pe.start <= %s AND pe."end" <= %s'


class Measure:
    """The indicators of `year` through `month`."""

    def __init__(self, year: int, month: int):
        self.year = year
        self.end = month_end(year, month)
        self.cache: dict = {}

    @property
    def ended(self) -> list:
        first, last = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        return [True, sql_date(first), sql_date(last), sql_date(self.end)]

    def by_unit(self, measure: str, params: dict) -> dict[int, tuple]:
        """{responsible unit: (numerator, denominator)}, not rolled up."""
        key = (measure, repr(sorted(params.items())))
        if key not in self.cache:
            if measure == "rate":
                self.cache[key] = self._rate(params["of"])
            else:
                self.cache[key] = self._amounts(measure, params)
        return self.cache[key]

    def _started(self, code: str) -> tuple[str, list]:
        return STARTED_SQL, [code, sql_date(datetime.date(self.year, 1, 1)), sql_date(self.end)]

    def _amount(self, of: str) -> tuple[str, list]:
        if of == "total_investment":
            return cents("p.total_investment"), []
        if of == "annual_plan":
            return cents("l.planned_investment"), []
        if of == "completed_ytd":
            return "COALESCE(c.done, 0)", []
        if of == "projects":
            return "1", []
        if of in ("starts", "completions"):
            sql, params = self._started("start" if of == "starts" else "completion")
            return f"CASE WHEN {sql} THEN 1 ELSE 0 END", params
        if of == "late_starts":
            sql, params = self._started("start")
            return (
                "CASE WHEN p.planned_start IS NOT NULL AND p.planned_start <= %s AND "
                f"st.is_started = %s AND NOT {sql} THEN 1 ELSE 0 END",
                [sql_date(self.end), False, *params],
            )
        raise ValueError(of)

    def _where(self, where: dict) -> tuple[list[str], list]:
        clauses, params = [], []
        if "levels" in where:
            clauses.append(_in("l.level", where["levels"]))
            params += list(where["levels"])
        if "min_total_investment" in where:
            clauses.append(f"{cents('p.total_investment')} >= %s")
            params.append(int(Decimal(str(where["min_total_investment"])) * 100))
        if where.get("created_in_year"):
            clauses.append("p.created_at >= %s AND p.created_at < %s")
            params += [
                moment(local_midnight(datetime.date(self.year, 1, 1))),
                moment(local_midnight(datetime.date(self.year + 1, 1, 1))),
            ]
        if "stages" in where:
            clauses.append(_in("st.code", where["stages"]))
            params += list(where["stages"])
        for flag in where.get("flags", []):
            clauses.append(FLAG_SQL[flag])
            if flag in FLAG_PARAMS:
                params.append(True)
        return clauses or ["1 = 1"], params

    def _amounts(self, measure: str, params: dict) -> dict[int, tuple]:
        of = params["of"]
        amount, amount_params = self._amount(of)
        where, where_params = self._where(params.get("where", {}))
        if measure == "share":
            part, part_params = self._where(params.get("part") or {})
            numerator = f"SUM(CASE WHEN {' AND '.join(part)} THEN {amount} ELSE 0 END)"
            select_params = [*part_params, *amount_params, *amount_params]
        else:
            numerator = f"SUM({amount})"
            select_params = [*amount_params, *amount_params]
        joins, join_params = "", []
        if of == "completed_ytd":
            joins = (
                f"LEFT JOIN (SELECT r.project_id AS project_id, SUM({cents('r.amount')}) AS done "
                f"FROM {REPORTS} WHERE {ENDED} AND r.status = 'accepted' GROUP BY r.project_id) c "
                "ON c.project_id = p.id"
            )
            join_params = self.ended
        sql = f"""SELECT p.responsible_unit_id, {numerator}, SUM({amount})
                  FROM projects_annuallisting l
                  JOIN projects_project p ON p.id = l.project_id
                  JOIN projects_stage st ON st.id = p.stage_id
                  {joins}
                  WHERE l.year = %s AND {" AND ".join(where)}
                  GROUP BY p.responsible_unit_id"""
        found = rows(sql, [*select_params, *join_params, self.year, *where_params])
        convert = money if of in MONEY_OF else (lambda value: Decimal(int(value or 0)))
        if measure == "share":
            return {unit: (convert(part), convert(whole)) for unit, part, whole in found}
        return {unit: (convert(total), Decimal(1)) for unit, total, _whole in found}

    def _rate(self, of: str) -> dict[int, tuple]:
        if of == "filing_on_time":
            found = rows(
                f"""SELECT p.responsible_unit_id,
                           SUM(CASE WHEN r.submitted_at <= pe.deadline THEN 1 ELSE 0 END),
                           SUM(CASE WHEN r.submitted_at IS NOT NULL THEN 1 ELSE 0 END)
                    FROM {REPORTS} JOIN projects_project p ON p.id = r.project_id
                    WHERE {ENDED}
                    GROUP BY p.responsible_unit_id""",
                self.ended,
            )
            return {unit: (int(on), int(n)) for unit, on, n in found if n}
        if of == "problems_on_time":
            found = rows(
                """SELECT p.responsible_unit_id, pb.replied_at, pb.resolve_due
                   FROM problems_problem pb JOIN projects_project p ON p.id = pb.project_id
                   WHERE pb.status = 'closed' AND pb.closed_at >= %s AND pb.closed_at < %s""",
                [
                    moment(local_midnight(datetime.date(self.year, 1, 1))),
                    moment(local_midnight(self.end + datetime.timedelta(days=1))),
                ],
            )
            counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            for unit, replied, due in found:
                counts[unit][1] += 1
                if replied is not None and due is not None and local_day(replied) <= due:
                    counts[unit][0] += 1
            return {unit: tuple(pair) for unit, pair in counts.items()}
        raise ValueError(of)

    def values(self, measure: str, params: dict, paths: dict[int, str], unit_ids) -> dict:
        """The indicator of each unit in `unit_ids` with everything under it: a sum or a count
        adds up; a share or a rate divides the added-up parts, as a percentage (None: 0/0)."""
        raw = self.by_unit(measure, params)
        result = {}
        for unit_id in unit_ids:
            prefix = paths[unit_id]
            numerator = denominator = Decimal(0)
            for each, (part, whole) in raw.items():
                if paths.get(each, "").startswith(prefix):
                    numerator += Decimal(part)
                    denominator += Decimal(whole)
            if measure in ("share", "rate"):
                result[unit_id] = numerator / denominator * 100 if denominator else None
            else:
                result[unit_id] = numerator
        return result


def _in(column: str, values) -> str:
    if not values:
        return "1 = 0"
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def local_day(value) -> datetime.date:
    """A stored moment's local date (SQLite hands back naive UTC, PostgreSQL aware values)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return timezone.localtime(value).date()
