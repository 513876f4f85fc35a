"""Reads for the problem pages: the list's filters (colours as database conditions equal to
rules.judge, so a list of 200,000 filters by colour without judging every row) and each shown
row's judgement."""

from __future__ import annotations

import datetime

from django.db.models import Q

from gongjian.problems import rules
from gongjian.problems.models import Status


def colour_q(colour: str, today: datetime.date, policy: rules.Policy, overrides) -> Q:
    """The problems rules.judge gives `colour` on `today`, as a filter."""
    red = Q(status__in=rules.WORKING, resolve_due__lt=today)
    yellow = ~red & (
        Q(status=Status.REPORTED, triage_due__lt=today)
        | Q(status=Status.ASSIGNED, sign_due__lt=today)
        | Q(status=Status.REPLIED, review_due__lt=today)
    )
    if colour == rules.RED:
        return red
    if colour == rules.YELLOW:
        return yellow
    if colour == rules.BLUE:
        limit = rules.due_soon_limit(today, policy, overrides)
        return (
            ~red
            & ~yellow
            & Q(status__in=rules.WORKING, resolve_due__gte=today, resolve_due__lte=limit)
        )
    raise ValueError(colour)


def judge_problem(problem, today, policy, overrides) -> rules.Judgement:
    return rules.judge(
        status=problem.status,
        today=today,
        triage_due=problem.triage_due,
        sign_due=problem.sign_due,
        resolve_due=problem.resolve_due,
        review_due=problem.review_due,
        policy=policy,
        overrides=overrides,
    )


def with_judgements(problems, today, policy, overrides) -> list:
    """The rows of a page, each with `.judgement` (colour and explanation)."""
    rows = list(problems)
    for problem in rows:
        problem.judgement = judge_problem(problem, today, policy, overrides)
    return rows
