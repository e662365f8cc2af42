"""Who may do what on a task, who hears about it, and the in-app notification writer.

Sides of a task:
- the assigning side: the secretariat (or higher) of the assigning unit decides extensions,
  evaluates, edits the task and its coordinators;
- the lead side: the lead person's own account, or the secretariat (or higher) of the lead unit,
  reports progress and completion, asks for extensions and splits the task into sub-tasks;
- contributors: both sides plus members of the lead, assigning and coordinating units comment
  and attach files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chidao.accounts.models import AccessRole
from chidao.org.models import UnitKind
from chidao.org.scope import ScopeDenied, has_role
from chidao.tasks.models import Notification, Task

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.org.models import Unit

EDITOR = AccessRole.SECRETARIAT.value
MEMBER = AccessRole.MEMBER.value
# Roles whose holders act for a unit on its tasks and receive its reminders.
ACTING_ROLES = (AccessRole.SECRETARIAT.value, AccessRole.COMMITTEE_ADMIN.value)


def is_lead_person(user: Any, task: Task) -> bool:
    return bool(user.is_authenticated and task.lead_person is not None and task.lead_person.user_id == user.pk)


def can_assign(user: Any, task: Task) -> bool:
    return has_role(user, task.assigning_unit, EDITOR)


def can_lead(user: Any, task: Task) -> bool:
    return is_lead_person(user, task) or has_role(user, task.lead_unit, EDITOR)


def can_contribute(user: Any, task: Task) -> bool:
    if can_lead(user, task) or has_role(user, task.lead_unit, MEMBER) or has_role(user, task.assigning_unit, MEMBER):
        return True
    return any(has_role(user, unit, MEMBER) for unit in task.coordinating_units.all())


def require_assigner(user: Any, task: Task) -> None:
    if not can_assign(user, task):
        raise ScopeDenied(
            _("Chỉ đơn vị giao nhiệm vụ (%(unit)s) mới làm được việc này.") % {"unit": task.assigning_unit.name}
        )


def require_lead(user: Any, task: Task) -> None:
    if not can_lead(user, task):
        raise ScopeDenied(
            _("Chỉ người chủ trì hoặc đơn vị chủ trì (%(unit)s) mới làm được việc này.") % {"unit": task.lead_unit.name}
        )


def require_contributor(user: Any, task: Task) -> None:
    if not can_contribute(user, task):
        raise ScopeDenied(_("Bạn không tham gia nhiệm vụ này nên không thể gửi ý kiến hay tệp."))


def lock(task: Task) -> None:
    """Lock the task's row until the transaction ends and reload the caller's instance, so two
    reports on the same task are applied one after the other."""
    list(Task.objects.select_for_update().filter(pk=task.pk).values_list("pk", flat=True))
    task.refresh_from_db()


def lead_recipients(task: Task) -> set[int]:
    """Ids of the active users who answer for the lead side of `task`."""
    from chidao.accounts.models import User

    unit: Unit = task.lead_unit
    units = [unit.pk] + ([unit.parent_id] if unit.kind == UnitKind.AGENCY and unit.parent_id else [])
    condition = Q(role_grants__unit_id__in=units, role_grants__role__in=ACTING_ROLES)
    if task.lead_person is not None and task.lead_person.user_id:
        condition |= Q(pk=task.lead_person.user_id)
    return set(User.objects.filter(condition, is_active=True).values_list("pk", flat=True))


def notify(*, users: Iterable[int], task: Task, kind: str, text: str, actor: User | None = None) -> int:
    """In-app notifications for `users` (the actor is never told about their own action)."""
    rows = [
        Notification(user_id=uid, task=task, kind=kind, text=text[:1200])
        for uid in sorted(set(users))
        if actor is None or uid != actor.pk
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if ids:
        from chidao.tasks import jobs

        transaction.on_commit(lambda: jobs.email_notifications.enqueue(ids))
    return len(rows)
