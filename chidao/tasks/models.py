"""Tasks and their follow-up: nhiệm vụ, gia hạn, báo cáo tiến độ, ý kiến, tệp đính kèm, đánh giá;
in-app notifications and the keys that make reminder runs idempotent.

A task's status is never stored: it follows the follow-up practice of Quyết định 42/2014/QĐ-TTg
(as amended) and is derived from the dates — done on time, done late, in progress within term,
overdue — by `TaskQuerySet.with_status(today)` in SQL, so lists filter and count by it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.org.scope import ScopedQuerySet, grant_unit_ids, visible_unit_ids


class Source(models.TextChoices):
    MEETING = "meeting", _("Kết luận cuộc họp")
    DOCUMENT = "document", _("Văn bản chỉ đạo")
    PLAN = "plan", _("Kế hoạch")
    DIRECT = "direct", _("Giao trực tiếp")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Bình thường")
    HIGH = "high", _("Quan trọng")
    URGENT = "urgent", _("Khẩn")


class Recurrence(models.TextChoices):
    NONE = "", _("Không lặp lại")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")


class Status(models.TextChoices):
    """Tình trạng thực hiện, derived from the dates (QĐ 42/2014/QĐ-TTg)."""

    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    IN_PROGRESS = "in_progress", _("Đang thực hiện trong hạn")
    OVERDUE = "overdue", _("Quá hạn chưa hoàn thành")


# Filter groups offered beside the four statuses.
OPEN, DONE = "open", "done"
STATUS_GROUPS = {
    OPEN: (Status.IN_PROGRESS, Status.OVERDUE),
    DONE: (Status.DONE_ON_TIME, Status.DONE_LATE),
}


class Rating(models.TextChoices):
    """Đánh giá kết quả của đơn vị giao nhiệm vụ."""

    EXCELLENT = "excellent", _("Hoàn thành xuất sắc")
    GOOD = "good", _("Hoàn thành tốt")
    DONE = "done", _("Hoàn thành")
    NOT_DONE = "not_done", _("Không hoàn thành")


def status_q(status: str, today: dt.date) -> Q:
    """The condition for one status (or group) on plain columns, so the indexes on the dates help."""
    done = Q(completed_on__isnull=False)
    conditions = {
        Status.DONE_ON_TIME: done & Q(completed_on__lte=F("due_date")),
        Status.DONE_LATE: done & Q(completed_on__gt=F("due_date")),
        Status.IN_PROGRESS: Q(completed_on__isnull=True, due_date__gte=today),
        Status.OVERDUE: Q(completed_on__isnull=True, due_date__lt=today),
        OPEN: Q(completed_on__isnull=True),
        DONE: done,
    }
    return conditions[status]


def status_expression(today: dt.date) -> Case:
    return Case(
        When(status_q(Status.DONE_ON_TIME, today), then=Value(Status.DONE_ON_TIME.value)),
        When(status_q(Status.DONE_LATE, today), then=Value(Status.DONE_LATE.value)),
        When(status_q(Status.OVERDUE, today), then=Value(Status.OVERDUE.value)),
        default=Value(Status.IN_PROGRESS.value),
        output_field=models.CharField(),
    )


def unit_visible_to(user: Any, unit: Any) -> bool:
    """Whether the user may see `unit`: the index-only test through the user's own grants first,
    the full rule of org.scope (with predecessors) only when that fails."""
    from chidao.org.models import Unit, UnitClosure

    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # A list page asks up to three times for the same unit; remember the yes (per user object,
    # that is per request for request.user) and never a no.
    seen: set[int] | None = getattr(user, "_chidao_visible_units", None)
    if seen is not None and unit.pk in seen:
        return True
    visible = (
        UnitClosure.objects.filter(ancestor_id__in=grant_unit_ids(user), descendant_id=unit.pk).exists()
        or Unit.objects.visible_to(user).filter(pk=unit.pk).exists()
    )
    if visible:
        remember_visible(user, unit)
    return visible


def remember_visible(user: Any, unit: Any) -> None:
    """Record that `user` may see `unit` (for the rest of the request; see unit_visible_to)."""
    seen: set[int] | None = getattr(user, "_chidao_visible_units", None)
    if seen is None:
        seen = set()
        user._chidao_visible_units = seen
    seen.add(unit.pk)


def subtree_ids(unit: Any) -> Any:
    """The ids of the unit and every unit under it, as a subquery of the closure table: PostgreSQL
    joins it to the (lead_unit, …) indexes one unit at a time, and the statement stays short (as
    a literal list of a province's 170 ids it cost ~7 ms of client-side parameter binding per
    page, three statements a page)."""
    from chidao.org.models import UnitClosure

    return UnitClosure.objects.filter(ancestor_id=unit.pk).values("descendant_id")


class TaskQuerySet(ScopedQuerySet["Task"]):
    """A task is seen by the users of its lead unit, its assigning unit and its coordinating units
    (each with the subtree rule of `org.scope`), and by its lead person."""

    scope_field = "lead_unit"

    def visible_to(self, user: Any, *, minimum_role: str | None = None) -> TaskQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        units = visible_unit_ids(user, minimum_role=minimum_role)
        coordinated = Task.coordinating_units.through.objects.filter(unit_id__in=units).values("task_id")
        condition = Q(lead_unit_id__in=units) | Q(assigning_unit_id__in=units) | Q(pk__in=coordinated)
        if minimum_role is None:
            condition |= Q(lead_person__user_id=user.pk)
        return self.filter(condition)

    def within(
        self, user: Any, unit: Any, *, subtree: bool = True, lead: bool = True, coordinating: bool = False
    ) -> TaskQuerySet:
        """Tasks led (`lead`) or coordinated (`coordinating`) by `unit` or, with `subtree`, by any
        unit under it; nothing unless the user may see `unit`.

        Same answer as `visible_to(user).filter(...)`, cheaper: scope is closed under descent (a
        grant reaches the whole subtree, and so does a predecessor's), and a task is visible when
        its lead or a coordinating unit is. Once the user may see `unit`, every task of its
        subtree is theirs, and the per-row test of `visible_to` (an OR over three subqueries,
        ~10 ms at the national unit tree) is not needed on lists of tens of thousands of rows."""

        if not unit_visible_to(user, unit):
            return self.none()
        units: Any = subtree_ids(unit) if subtree else [unit.pk]
        condition = Q()
        if lead:
            condition |= Q(lead_unit_id__in=units)
        if coordinating:
            through = Task.coordinating_units.through.objects.filter(unit_id__in=units)
            condition |= Q(pk__in=through.values("task_id"))
        return self.filter(condition) if condition else self.none()

    def for_lead(self, user: Any, acting_units: Iterable[int]) -> TaskQuerySet:
        """Tasks the user answers for: as their lead person, or through a grant on the lead unit
        (`acting_units`, units under the user's own grants). Each row is visible by the terms of
        `visible_to` itself, so its per-row test is skipped."""
        from chidao.org.models import Person

        if not (user.is_authenticated and user.is_active):
            return self.none()
        # Both sides as literal lists: an OR of two indexed lists is a BitmapOr of two index scans
        # on PostgreSQL, where an OR over a join or a subquery reads every task.
        people = list(Person.objects.filter(user_id=user.pk).values_list("pk", flat=True))
        return self.filter(Q(lead_person_id__in=people) | Q(lead_unit_id__in=list(acting_units)))

    def with_status(self, today: dt.date | None = None) -> TaskQuerySet:
        return self.annotate(status=status_expression(today or timezone.localdate()))

    def in_status(self, status: str, today: dt.date | None = None) -> TaskQuerySet:
        return self.filter(status_q(status, today or timezone.localdate()))

    def open(self) -> TaskQuerySet:
        return self.filter(completed_on__isnull=True)


class Task(models.Model):
    """Nhiệm vụ: one piece of assigned work with a lead, coordinators and a due date."""

    title = models.CharField(_("tên nhiệm vụ"), max_length=1000)
    description = models.TextField(_("nội dung, yêu cầu"), blank=True)
    source = models.CharField(_("nguồn giao"), max_length=10, choices=Source.choices, default=Source.DIRECT)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("cuộc họp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    conclusion = models.ForeignKey(
        "meetings.Conclusion",
        verbose_name=_("kết luận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    document_reference = models.CharField(
        _("số, ký hiệu văn bản"), max_length=100, blank=True, help_text=_("Ví dụ: 125-KH/TU")
    )
    document_title = models.CharField(_("trích yếu văn bản, kế hoạch"), max_length=500, blank=True)
    # The unit columns are indexed by the composite indexes of Meta (task_lead_due,
    # task_assigning_due), not each on its own: a second index on the same first column only
    # tempts the planner away from the index-only scans that count statuses.
    assigning_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị giao"),
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
        db_index=False,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    assigned_on = models.DateField(_("ngày giao"))
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="led_tasks", db_index=False
    )
    lead_person = models.ForeignKey(
        "org.Person",
        verbose_name=_("người chủ trì"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_tasks",
    )
    coordinating_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("đơn vị phối hợp"), blank=True, related_name="coordinated_tasks"
    )
    due_date = models.DateField(_("hạn hoàn thành"))
    original_due_date = models.DateField(_("hạn ban đầu"))
    recurrence = models.CharField(
        _("lặp lại"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    previous_occurrence = models.OneToOneField(
        "self",
        verbose_name=_("kỳ trước"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_occurrence",
    )
    priority = models.CharField(_("mức độ"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("nhiệm vụ cha"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtasks",
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    completed_at = models.DateTimeField(_("thời điểm báo cáo hoàn thành"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_report = models.TextField(_("báo cáo kết quả"), blank=True)
    rating = models.CharField(_("đánh giá"), max_length=10, choices=Rating.choices, blank=True)
    evaluation_comment = models.TextField(_("nhận xét"), blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = pgettext_lazy("plural", "nhiệm vụ")
        ordering = ["due_date", "id"]
        indexes = [
            # Unit lists and status counts over a subtree: the closure join lands on lead_unit, the
            # status needs only the two dates and a page only the ids in order, so counting and
            # paging are index-only scans on PostgreSQL.
            models.Index(fields=["lead_unit", "due_date", "completed_on", "id"], name="task_lead_due"),
            models.Index(fields=["assigning_unit", "due_date"], name="task_assigning_due"),
            # Reminder runs look only at open tasks by due date.
            models.Index(fields=["due_date"], condition=Q(completed_on__isnull=True), name="task_open_due"),
            # Open tasks of a subtree, counted by status (overdue or in progress) and listed by
            # due date: an eighth of the tasks, in an index of their own.
            models.Index(
                fields=["lead_unit", "due_date", "source", "id"],
                condition=Q(completed_on__isnull=True),
                name="task_open_lead_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_max_100"),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("assigned_on")),
                name="task_due_after_assigned",
                violation_error_message=_("Hạn hoàn thành không được trước ngày giao."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="task_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", args=[self.pk])

    def status_on(self, today: dt.date | None = None) -> Status:
        """The same rule as `status_expression`, for one task already in memory."""
        day = today or timezone.localdate()
        if self.completed_on is not None:
            return Status.DONE_ON_TIME if self.completed_on <= self.due_date else Status.DONE_LATE
        return Status.OVERDUE if self.due_date < day else Status.IN_PROGRESS

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status_on(today) == Status.OVERDUE

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None

    @property
    def was_extended(self) -> bool:
        return self.due_date != self.original_due_date


class DoneTally(models.Model):
    """Completed tasks counted by lead unit, source and timeliness.

    A completed task's status never changes again (done on time or done late, from two fixed
    dates), so the list pages read these few rows per unit instead of counting every completed
    task of a subtree, most of the tasks there are; open tasks, whose status moves with the day,
    are counted live. Written by `services.complete_task` in its transaction (the only way a task
    becomes completed) and rebuilt by `chidao rebuild_task_tallies` after bulk loads."""

    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    late = models.BooleanField()
    count = models.PositiveIntegerField(default=0)
    pk = models.CompositePrimaryKey("lead_unit", "source", "late")

    def __str__(self) -> str:
        return f"{self.lead_unit_id}/{self.source}/{'late' if self.late else 'on time'}: {self.count}"


class RelatedToTaskQuerySet(ScopedQuerySet[Any]):
    """Rows that belong to a task are visible exactly when their task is."""

    scope_field = "task__lead_unit"

    def visible_to(self, user: Any, *, minimum_role: str | None = None) -> Any:
        return self.filter(task__in=Task.objects.visible_to(user, minimum_role=minimum_role).values("pk"))


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ xem xét")
    APPROVED = "approved", _("Đồng ý gia hạn")
    REFUSED = "refused", _("Không đồng ý")


class Extension(models.Model):
    """Đề nghị gia hạn: asked by the lead with a reason, decided by the assigner with a reason.

    `previous_due_date` keeps the date in force when it was asked, so the history shows every
    date the task ever had; the task's `original_due_date` is never changed."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("lý do đề nghị gia hạn"))
    previous_due_date = models.DateField(_("hạn trước khi gia hạn"))
    requested_due_date = models.DateField(_("hạn đề nghị"))
    state = models.CharField(
        _("kết quả"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("ý kiến của đơn vị giao"), blank=True)

    objects = RelatedToTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = pgettext_lazy("plural", "đề nghị gia hạn")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state="pending"),
                name="extension_one_pending_per_task",
                violation_error_message=_("Nhiệm vụ đang có một đề nghị gia hạn chờ xem xét."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.requested_due_date:%d/%m/%Y}"


class ProgressUpdate(models.Model):
    """Báo cáo tiến độ: a percentage and what was done."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress_updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    text = models.TextField(_("kết quả đã thực hiện"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RelatedToTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = pgettext_lazy("plural", "báo cáo tiến độ")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_update_max_100")]

    def __str__(self) -> str:
        return f"{self.task}: {self.percent}%"


class Comment(models.Model):
    """Ý kiến trao đổi về một nhiệm vụ."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("ý kiến"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RelatedToTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("ý kiến")
        verbose_name_plural = pgettext_lazy("plural", "ý kiến")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is chosen by the service (random, with the checked extension); the user's
    # file name is kept only in `original_name`, for display and downloads.
    return f"tasks/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    """Tệp đính kèm: PDF, DOCX, XLSX or an image, its type checked from its first bytes."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RelatedToTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = pgettext_lazy("plural", "tệp đính kèm")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tasks:attachment_download", args=[self.pk])


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    DUE_TODAY = "due_today", _("Đến hạn hôm nay")
    OVERDUE = "overdue", _("Quá hạn")
    ASSIGNED = "assigned", _("Được giao nhiệm vụ")
    EXTENSION_REQUESTED = "ext_requested", _("Đề nghị gia hạn")
    EXTENSION_DECIDED = "ext_decided", _("Kết quả xem xét gia hạn")
    COMPLETED = "completed", _("Báo cáo hoàn thành")
    EVALUATED = "evaluated", _("Đánh giá kết quả")


REMINDER_KINDS = (NotificationKind.DUE_SOON, NotificationKind.DUE_TODAY, NotificationKind.OVERDUE)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        """A notification is for its user alone."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Thông báo trong hệ thống: reminders and events of a task, for one user."""

    # Without database constraints for the same reason as ReminderKey: reminder runs insert them
    # in bulk from the keys; Django cascades deletes. The user's indexes are below; tasks are
    # never deleted through the pages, so the task column goes without one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="task_notifications",
        db_constraint=False,
        db_index=False,
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="notifications", db_constraint=False, db_index=False
    )
    kind = models.CharField(_("loại"), max_length=16, choices=NotificationKind.choices)
    text = models.CharField(_("nội dung"), max_length=1200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the e-mail of an event notification is claimed for sending: a retried job never
    # sends it twice. Reminders are e-mailed by their run (ReminderKey), not through this.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = pgettext_lazy("plural", "thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            # The navbar badge counts a user's unread notifications on every page.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_user_unread"),
        ]

    def __str__(self) -> str:
        return self.text


class ReminderPreference(models.Model):
    """A user's reminder settings; without a row, the defaults of settings.TASKS_REMINDER_* apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_reminder_preference"
    )
    days_before = models.PositiveSmallIntegerField(
        _("nhắc trước hạn (số ngày)"), help_text=_("0: không nhắc trước hạn.")
    )
    daily_digest = models.BooleanField(_("gộp thành một thư mỗi ngày"), default=False)
    email = models.BooleanField(_("gửi thư điện tử"), default=True)

    class Meta:
        verbose_name = _("cài đặt nhắc việc")
        verbose_name_plural = pgettext_lazy("plural", "cài đặt nhắc việc")
        constraints = [models.CheckConstraint(condition=Q(days_before__lte=60), name="reminder_days_max_60")]

    def __str__(self) -> str:
        return f"{self.user}: {self.days_before}"


class ReminderKey(models.Model):
    """The idempotency key of one reminder: (task, kind, due date, recipient).

    Keyed by the due date the reminder is about rather than the day of the run: a second run the
    same day, a catch-up run after a missed day, and a run that races another all find the key
    and send nothing twice; an approved extension (a new due date) starts the reminders again.
    `run` says which run claimed the key, so a run sends exactly the keys it inserted."""

    # No foreign-key constraints in the database (Django still cascades deletes): keys are only
    # written by INSERT … SELECT from existing tasks and users, and at a million tasks the
    # per-row constraint triggers cost more than the inserts themselves (19 s of a 418,000-key
    # catch-up run on PostgreSQL).
    # No index of their own either: the primary key starts with the task, and users are
    # deactivated rather than deleted.
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    due_date = models.DateField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    run = models.UUIDField(db_index=True)
    sent_on = models.DateField()
    # The key itself is the primary key: one index to check and maintain per row, not two.
    pk = models.CompositePrimaryKey("task", "kind", "due_date", "user")

    def __str__(self) -> str:
        return f"{self.task_id}/{self.kind}/{self.due_date}/{self.user_id}"


class ReminderRun(models.Model):
    """One run of the reminder job: what it sent, for the audit trail and the operators."""

    run = models.UUIDField(unique=True)
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)
    emails = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.day}: {self.reminders}"
