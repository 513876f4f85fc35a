"""Battle maps (挂图作战): a project's milestones planned against actual with the first plan as
a ghost, and a unit's board of every project's milestones with the overdue ones marked.
`milestone_state` is pure; the rest shapes rows for the pages."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

DONE, LATE_DONE, OVERDUE, DUE, NOT_PLANNED = "done", "late", "overdue", "due", "none"


def milestone_state(planned, actual, today: datetime.date) -> str:
    """done on time, done late, overdue (planned date passed, not done), due, or not planned."""
    if actual is not None:
        return LATE_DONE if planned is not None and actual > planned else DONE
    if planned is None:
        return NOT_PLANNED
    return OVERDUE if planned < today else DUE


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def project_chart(project, milestones, today: datetime.date) -> dict:
    """What battle.js draws: one row per milestone with its baseline, plan and actual."""
    rows = []
    for m in milestones:
        rows.append(
            {
                "name": str(m.kind),
                "baseline": _iso(m.baseline_date),
                "planned": _iso(m.planned_date),
                "actual": _iso(m.actual_date),
                "state": milestone_state(m.planned_date, m.actual_date, today),
            }
        )
    return {
        "today": today.isoformat(),
        "start": {"original": _iso(project.original_start), "planned": _iso(project.planned_start)},
        "end": {"original": _iso(project.original_end), "planned": _iso(project.planned_end)},
        "rows": rows,
        "labels": {
            "baseline": _("First plan"),
            "planned": _("Plan"),
            "actual": _("Done"),
            "today": _("Today"),
        },
    }


def unit_board(projects, kinds, milestones, today: datetime.date) -> list[dict]:
    """One row per project, one cell per milestone kind, with the state and dates."""
    by_project: dict[int, dict[int, object]] = {}
    for m in milestones:
        by_project.setdefault(m.project_id, {})[m.kind_id] = m
    board = []
    for project in projects:
        cells = []
        overdue = 0
        for kind in kinds:
            m = by_project.get(project.pk, {}).get(kind.pk)
            if m is None:
                cells.append({"state": NOT_PLANNED})
                continue
            state = milestone_state(m.planned_date, m.actual_date, today)
            overdue += state == OVERDUE
            cells.append({"state": state, "planned": m.planned_date, "actual": m.actual_date})
        board.append({"project": project, "cells": cells, "overdue": overdue})
    return board
