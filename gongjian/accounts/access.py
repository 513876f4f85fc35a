"""Who may see and change what. Every view asks this module; nothing else decides access.

Scopes come from RoleGrants. A grant on a unit covers that unit and everything under it:
- office (项目办): sees and changes every project in scope, configures lists, imports;
- leader (领导): sees every project in scope, changes none;
- unit (责任单位): sees and changes the projects it is responsible for;
- department (职能部门): sees the projects of the government it belongs to, changes none;
- enterprise (企业): sees only the projects it owns (matched by 统一社会信用代码);
- judge (评委): no registry access (judges work on review events, not the registry).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest

from gongjian.accounts.lists import organisation_units
from gongjian.accounts.models import Role, RoleGrant, Unit


@dataclass(frozen=True)
class Scope:
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    owner_usccs: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    # The units of the office grants themselves (not their subtrees): the governments whose
    # schemes and review events the user's office runs.
    office_units: frozenset[int] = field(default_factory=frozenset)

    @property
    def can_see_registry(self) -> bool:
        return bool(self.read_paths or self.owner_usccs)

    @property
    def is_office(self) -> bool:
        return Role.OFFICE in self.roles


def _prefix_free(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay small."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(user) -> Scope:
    if not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_gongjian_scope", None)
    if cached is not None:
        return cached
    read: set[str] = set()
    write: set[str] = set()
    usccs: set[str] = set()
    roles: set[str] = set()
    offices: set[int] = set()
    grants = RoleGrant.objects.filter(user=user).select_related("unit", "unit__parent")
    for grant in grants:
        roles.add(grant.role)
        unit = grant.unit
        if grant.role == Role.OFFICE:
            offices.add(unit.pk)
        if grant.role in (Role.OFFICE, Role.UNIT):
            read.add(unit.path)
            write.add(unit.path)
        elif grant.role == Role.LEADER:
            read.add(unit.path)
        elif grant.role == Role.DEPARTMENT:
            read.add(unit.parent.path if unit.parent_id else unit.path)
        elif grant.role == Role.ENTERPRISE and unit.uscc:
            usccs.add(unit.uscc)
    scope = Scope(
        _prefix_free(read),
        _prefix_free(write),
        tuple(sorted(usccs)),
        frozenset(roles),
        frozenset(offices),
    )
    user._gongjian_scope = scope
    return scope


def _paths_q(paths: tuple[str, ...], lookup: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def _root_paths() -> set[str]:
    # Enterprises are top-level units but never responsible for projects; a scope that covers
    # every other root covers every project.
    return {unit.path for unit in organisation_units() if unit.parent_id is None}


def sees_all_projects(user) -> bool:
    """Whole-deployment scope (the city office, the mayor): no project filter is needed."""
    scope = scope_for(user)
    return bool(scope.read_paths) and set(scope.read_paths) >= _root_paths()


def visible_projects(user):
    """The projects `user` may see, as a QuerySet to filter further."""
    from gongjian.projects.models import Project

    scope = scope_for(user)
    if not scope.can_see_registry:
        return Project.objects.none()
    if sees_all_projects(user):
        # No filter to slow the list down.
        return Project.objects.all()
    q = _paths_q(scope.read_paths, "responsible_unit__path")
    if scope.owner_usccs:
        q |= Q(owner_uscc__in=scope.owner_usccs)
    return Project.objects.filter(q)


def can_view_project(user, project) -> bool:
    scope = scope_for(user)
    path = project.responsible_unit.path
    return any(path.startswith(p) for p in scope.read_paths) or (
        bool(project.owner_uscc) and project.owner_uscc in scope.owner_usccs
    )


def can_change_project(user, project) -> bool:
    return can_assign_unit(user, project.responsible_unit)


def can_assign_unit(user, unit: Unit) -> bool:
    """May `user` make `unit` responsible for a project (create there, or move a project there)?"""
    return any(unit.path.startswith(p) for p in scope_for(user).write_paths)


def can_create_projects(user) -> bool:
    return bool(scope_for(user).write_paths)


def can_import_projects(user) -> bool:
    return can_create_projects(user)


def can_rebaseline(user) -> bool:
    # A new cost or schedule baseline is an office decision, recorded with its approver.
    return scope_for(user).is_office


def can_see_desk(user) -> bool:
    """The dispatch desk (all units' lights and late filers) is for the office and leaders."""
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})


def can_configure_lists(user) -> bool:
    return scope_for(user).is_office


def visible_units(user):
    """The units whose projects `user` may see: the choices of the list's unit filter."""
    scope = scope_for(user)
    return Unit.objects.filter(_paths_q(scope.read_paths, "path")).exclude(
        kind=Unit.Kind.ENTERPRISE
    )


def visible_units_list(user) -> list[Unit]:
    """visible_units as a list, from the cached organisation (the list pages' unit filter)."""
    paths = scope_for(user).read_paths
    return [unit for unit in organisation_units() if unit.path.startswith(paths)]


def assignable_units(user):
    """The responsible units `user` may pick on a project form."""
    scope = scope_for(user)
    return Unit.objects.filter(_paths_q(scope.write_paths, "path")).exclude(
        kind=Unit.Kind.ENTERPRISE
    )


def get_project_for_user(request: HttpRequest, pk: int, *, write: bool = False):
    """The project, or 404 if the user may not see it, or 403 if they may see but not change it."""
    from gongjian.projects.models import Project

    project = (
        Project.objects.select_related(
            "responsible_unit",
            "stage",
            "industry",
            "region",
            "park",
            "leader",
            "category",
            "construction_type",
        )
        .filter(pk=pk)
        .first()
    )
    if project is None or not can_view_project(request.user, project):
        raise Http404("No such project")
    if write and not can_change_project(request.user, project):
        raise PermissionDenied("You may view this project but not change it")
    return project


def require_registry(request: HttpRequest) -> None:
    if not scope_for(request.user).can_see_registry:
        raise PermissionDenied("Your role has no access to the project registry")


# Problems (问题清单) ---------------------------------------------------------------------------
# - office and leader: the problems of their scope (by project, raising unit or lead department);
# - unit: the problems on its projects and the ones it raised;
# - department: the problems it leads or co-handles;
# - enterprise: only the problems it raised itself, never another enterprise's;
# - judge, no role: none.

PROBLEM_ROLES = {Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT, Role.ENTERPRISE}


def can_use_problems(user) -> bool:
    return bool(scope_for(user).roles & PROBLEM_ROLES)


def can_raise_problems(user) -> bool:
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER, Role.UNIT, Role.ENTERPRISE})


def _grants(user, *roles):
    return [g for g in RoleGrant.objects.filter(user=user, role__in=roles).select_related("unit")]


def visible_problems(user):
    from gongjian.problems.models import Problem

    if not user.is_authenticated or not can_use_problems(user):
        return Problem.objects.none()
    scope = scope_for(user)
    if scope.roles & {Role.OFFICE, Role.LEADER} and sees_all_projects(user):
        return Problem.objects.all()
    q = Q(pk__in=[])
    for grant in _grants(user, Role.OFFICE, Role.LEADER, Role.UNIT):
        path = grant.unit.path
        q |= Q(project__responsible_unit__path__startswith=path)
        q |= Q(raising_unit__path__startswith=path)
        if grant.role != Role.UNIT:
            q |= Q(lead_department__path__startswith=path)
    co = Problem.co_departments.through.objects
    for grant in _grants(user, Role.DEPARTMENT):
        q |= Q(lead_department__path__startswith=grant.unit.path)
        q |= Q(pk__in=co.filter(unit__path__startswith=grant.unit.path).values("problem_id"))
    for grant in _grants(user, Role.ENTERPRISE):
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
    grants = _grants(user, Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT, Role.ENTERPRISE)
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
    from gongjian.problems.models import Problem

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


def own_units(user, *roles) -> list[int]:
    """The units `user` holds any of `roles` in (the units it raises problems for)."""
    return [g.unit_id for g in _grants(user, *roles)]


def raiseable_projects(user):
    """Projects `user` may raise a problem on: a leader every one it sees, the office and a
    unit the ones they may change, an enterprise its own."""
    from gongjian.projects.models import Project

    scope = scope_for(user)
    if Role.LEADER in scope.roles:
        return visible_projects(user)
    if scope.write_paths:
        return Project.objects.filter(_paths_q(scope.write_paths, "responsible_unit__path"))
    if scope.owner_usccs:
        return Project.objects.filter(owner_uscc__in=scope.owner_usccs)
    return Project.objects.none()


# Assessment (考核, 赛马, 观摩评议) -------------------------------------------------------------
# Rankings are read by the office, leaders, units and departments: published snapshots only.
# A scheme and a review event belong to a government (`owner`). Only an office grant on exactly
# that government computes the scheme, enters its manual items, publishes it and sees its
# drafts, and runs the event (nominations, opening, closing, results before the close).
# An office higher up does not: a ranking is the decision of the government that issued the
# 考核办法, and the city reads a county's ranking once it is published, like everyone else;
# with one owning office, two offices never race to publish the same irreversible snapshot.
# Judges see the events they judge.


def can_see_rankings(user) -> bool:
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT})


def assessment_offices(user) -> frozenset[int]:
    """The government units whose office `user` works in (the units of their office grants)."""
    return scope_for(user).office_units


def can_manage_scheme(user, scheme) -> bool:
    """Compute, enter manual item scores, publish: the office of the scheme's own government."""
    return scheme.owner_id in assessment_offices(user)


def can_see_drafts(user, scheme) -> bool:
    return can_manage_scheme(user, scheme)


def visible_runs_q(user) -> Q:
    """The score runs `user` may read (a filter on ScoreRun): every published snapshot, and the
    drafts of the schemes their office runs."""
    return Q(published_at__isnull=False) | Q(scheme__owner__in=assessment_offices(user))


def can_manage_event(user, event) -> bool:
    """Nominations, overrides, opening, closing, the event page: its own government's office."""
    return event.owner_id in assessment_offices(user)


def can_list_review_events(user) -> bool:
    return bool(scope_for(user).roles & {Role.OFFICE, Role.JUDGE})


def review_events_q(user) -> Q:
    """The events on `user`'s list (a filter on ReviewEvent): the ones their office runs, the
    ones they judge, and closed ones whose results they may read."""
    q = Q(owner__in=assessment_offices(user)) | Q(judges__user=user)
    if scope_for(user).roles & {Role.OFFICE, Role.LEADER}:
        q |= Q(status="closed")
    return q


def can_see_event_results(user, event) -> bool:
    """The results page: the event's own office, other offices and leaders. It shows the tally
    only once the event is closed and its ballots sealed; before that nobody sees one, and the
    votes cast so far are on the event page, which is the owning office's alone."""
    return can_manage_event(user, event) or bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})


def judge_seat(user, event):
    """The user's Judge row on `event`, or None."""
    from gongjian.assessment.models import Judge

    if not user.is_authenticated:
        return None
    return Judge.objects.filter(event=event, user=user).select_related("unit").first()


# Cockpit (领导驾驶舱) ----------------------------------------------------------------------------


def can_see_cockpit(user) -> bool:
    """The leader cockpit is for the office and leaders, over their own scope."""
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})


def can_issue_bulletin(user) -> bool:
    """The dispatch bulletin (调度通报) is issued by the office and read by leaders."""
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})
