"""Who may see and act on which problems (问题清单), on the shared scope of accounts/access.py.

- office and leader: the problems of their scope (by project, raising unit or lead department);
- unit: the problems on its projects and the ones it raised;
- department: the problems it leads or co-handles;
- enterprise: only the problems it raised itself, never another enterprise's;
- judge, no role: none.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest

from gongjian.accounts import access
from gongjian.accounts.models import Role
from gongjian.problems.models import Problem
from gongjian.projects import access as project_access
from gongjian.projects.models import Project

PROBLEM_ROLES = {Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT, Role.ENTERPRISE}


def can_use_problems(user) -> bool:
    return bool(access.scope_for(user).roles & PROBLEM_ROLES)


def can_raise_problems(user) -> bool:
    return bool(
        access.scope_for(user).roles & {Role.OFFICE, Role.LEADER, Role.UNIT, Role.ENTERPRISE}
    )


def visible_problems(user):
    if not user.is_authenticated or not can_use_problems(user):
        return Problem.objects.none()
    scope = access.scope_for(user)
    if scope.roles & {Role.OFFICE, Role.LEADER} and access.sees_all_projects(user):
        return Problem.objects.all()
    q = Q(pk__in=[])
    for grant in access.grants(user, Role.OFFICE, Role.LEADER, Role.UNIT):
        path = grant.unit.path
        q |= Q(project__responsible_unit__path__startswith=path)
        q |= Q(raising_unit__path__startswith=path)
        if grant.role != Role.UNIT:
            q |= Q(lead_department__path__startswith=path)
    co = Problem.co_departments.through.objects
    for grant in access.grants(user, Role.DEPARTMENT):
        q |= Q(lead_department__path__startswith=grant.unit.path)
        q |= Q(pk__in=co.filter(unit__path__startswith=grant.unit.path).values("problem_id"))
    for grant in access.grants(user, Role.ENTERPRISE):
        q |= Q(raising_unit=grant.unit)
    return Problem.objects.filter(q)


def problem_capacities(user, problem) -> set[str]:
    """In what capacities `user` deals with `problem`: office, leader, lead, co, raiser, unit."""
    project_unit = problem.project.responsible_unit if problem.project_id else None
    # A unit deals with problems on its projects and the ones it raised; the office and
    # leaders also with those their departments lead.
    unit_paths = [u.path for u in (project_unit, problem.raising_unit) if u is not None]
    all_paths = unit_paths + ([problem.lead_department.path] if problem.lead_department_id else [])
    capacities = set()
    grants = access.grants(
        user, Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT, Role.ENTERPRISE
    )
    for grant in grants:
        path = grant.unit.path
        if grant.role == Role.DEPARTMENT:
            if problem.lead_department_id and problem.lead_department.path.startswith(path):
                capacities.add("lead")
            elif problem.co_departments.filter(path__startswith=path).exists():
                capacities.add("co")
        elif grant.role != Role.ENTERPRISE:
            paths = unit_paths if grant.role == Role.UNIT else all_paths
            if any(p.startswith(path) for p in paths):
                capacities.add(grant.role)
        if grant.role in (Role.ENTERPRISE, Role.UNIT) and grant.unit_id == problem.raising_unit_id:
            capacities.add("raiser")
    if problem.raised_by_id == user.pk:
        capacities.add("raiser")
    return capacities


def get_problem_for_user(request: HttpRequest, pk: int):
    """The problem, with the user's capacities on it, or 404 if the user may not see it."""
    problem = (
        Problem.objects.select_related(
            "project__responsible_unit",
            "category",
            "lead_department",
            "raising_unit",
            "raised_by",
        )
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404("No such problem")
    capacities = problem_capacities(request.user, problem)
    if not capacities:
        raise Http404("No such problem")
    problem.capacities = capacities
    return problem


def raiseable_projects(user):
    """Projects `user` may raise a problem on: a leader every one it sees, the office and a
    unit the ones they may change, an enterprise its own."""
    scope = access.scope_for(user)
    if Role.LEADER in scope.roles:
        return project_access.visible_projects(user)
    if scope.write_paths:
        return Project.objects.filter(access.paths_q(scope.write_paths, "responsible_unit__path"))
    if scope.owner_usccs:
        return Project.objects.filter(owner_uscc__in=scope.owner_usccs)
    return Project.objects.none()
