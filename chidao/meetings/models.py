"""Meetings and working delegations: hội nghị, cuộc họp, đoàn công tác; their agenda, invitees,
attendance, minutes (biên bản) and the conclusion notice (thông báo kết luận, HD 36-HD/VPTW) with
its numbered conclusions.

A meeting belongs to its host committee; a working delegation also names the visiting committee,
and both sides read the record. Only the host edits it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.lib.text import fold
from chidao.org.scope import ScopedQuerySet, visible_unit_ids

if TYPE_CHECKING:
    from chidao.org.scope import AnyUser


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Họp định kỳ")
    QUARTERLY_REVIEW = "quarterly_review", _("Đánh giá kết quả quý")
    MID_TERM_REVIEW = "mid_term_review", _("Sơ kết")
    FINAL_REVIEW = "final_review", _("Tổng kết")
    THEMATIC = "thematic", _("Chuyên đề")
    DELEGATION = "delegation", _("Đoàn công tác, trao đổi kinh nghiệm")
    TRAINING = "training", _("Tập huấn")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Dự kiến")
    HELD = "held", _("Đã tổ chức")
    CANCELLED = "cancelled", _("Đã hủy")


# Status changes a host may make: a held meeting can be reopened to correct its record, a cancelled
# one planned again.
TRANSITIONS: dict[str, set[str]] = {
    MeetingStatus.PLANNED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: {MeetingStatus.PLANNED},
    MeetingStatus.CANCELLED: {MeetingStatus.PLANNED},
}


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Chưa ghi nhận")
    PRESENT = "present", _("Có mặt")
    ABSENT = "absent", _("Vắng mặt")
    DELEGATED = "delegated", _("Cử người dự thay")


def _scope_q(user: AnyUser, prefix: str, *, minimum_role: str | None = None) -> Q:
    """Rows whose meeting's host or visiting committee sits under the user's grants."""
    units = visible_unit_ids(user, minimum_role=minimum_role)
    return Q(**{f"{prefix}host_committee__unit__in": units}) | Q(**{f"{prefix}visiting_committee__unit__in": units})


class _MeetingScoped[M: models.Model](ScopedQuerySet[M]):
    """Visibility follows the meeting: its host committee's unit or its visiting committee's unit."""

    meeting_prefix = "meeting__"

    def visible_to(self, user: AnyUser, *, minimum_role: str | None = None) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(_scope_q(user, self.meeting_prefix, minimum_role=minimum_role))


class MeetingQuerySet(_MeetingScoped["Meeting"]):
    scope_field = "host_committee__unit"
    meeting_prefix = ""

    def hosted_under(self, unit_ids: Any) -> MeetingQuerySet:
        return self.filter(host_committee__unit__in=unit_ids)

    def involving_committee(self, committee_id: int) -> MeetingQuerySet:
        return self.filter(Q(host_committee_id=committee_id) | Q(visiting_committee_id=committee_id))

    def in_year(self, year: int) -> MeetingQuerySet:
        start = dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
        end = dt.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def search(self, text: str) -> MeetingQuerySet:
        return self.filter(title_folded__contains=fold(text))


def minutes_upload_to(instance: Meeting, filename: str) -> str:
    return f"meetings/{instance.pk or 'new'}/minutes/{filename}"


def document_upload_to(instance: AgendaDocument, filename: str) -> str:
    return f"meetings/{instance.agenda_item.meeting_id}/agenda/{filename}"


class Meeting(models.Model):
    """Hội nghị, cuộc họp, đoàn công tác of a committee."""

    kind = models.CharField(_("loại"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(_("tên cuộc họp"), max_length=500)
    title_folded = models.CharField(max_length=500, editable=False, db_index=True)
    host_committee = models.ForeignKey(
        "org.Committee",
        verbose_name=_("ban chỉ đạo chủ trì"),
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    visiting_committee = models.ForeignKey(
        "org.Committee",
        verbose_name=_("ban chỉ đạo đến làm việc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visiting_meetings",
        help_text=_("Với đoàn công tác, trao đổi kinh nghiệm: ban chỉ đạo của đoàn."),
    )
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=500, blank=True)
    chair = models.ForeignKey(
        "org.Person",
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    description = models.TextField(_("nội dung, thành phần"), blank=True)
    invited_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("đơn vị được mời"), blank=True, related_name="meeting_invitations"
    )
    minutes_text = models.TextField(_("biên bản"), blank=True)
    minutes_file = models.FileField(_("tệp biên bản"), upload_to=minutes_upload_to, blank=True, max_length=300)
    minutes_file_name = models.CharField(max_length=255, blank=True)
    notice_number = models.CharField(
        _("số, ký hiệu thông báo kết luận"), max_length=100, blank=True, help_text=_("Ví dụ: 15-TB/BCĐ")
    )
    notice_date = models.DateField(_("ngày thông báo kết luận"), null=True, blank=True)
    notice_text = models.TextField(_("nội dung thông báo kết luận"), blank=True)
    invitation_number = models.CharField(_("số giấy mời"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc họp")
        verbose_name_plural = pgettext_lazy("plural", "cuộc họp")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["host_committee", "starts_at"]),
            models.Index(fields=["visiting_committee", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("Thời gian kết thúc không được trước thời gian bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(visiting_committee__isnull=True) | ~Q(visiting_committee=F("host_committee")),
                name="meeting_visiting_not_host",
                violation_error_message=_("Ban chỉ đạo đến làm việc phải khác ban chỉ đạo chủ trì."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title_folded = fold(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_folded"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_delegation(self) -> bool:
        return self.visiting_committee_id is not None


class AgendaItemQuerySet(_MeetingScoped["AgendaItem"]):
    scope_field = "meeting__host_committee__unit"


class AgendaItem(models.Model):
    """A point of the agenda (chương trình): what is presented and by whom."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nội dung"), max_length=500)
    presenter = models.ForeignKey(
        "org.Person",
        verbose_name=_("người trình bày"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    presenter_text = models.CharField(_("người, đơn vị trình bày (ghi tay)"), max_length=255, blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = pgettext_lazy("plural", "nội dung chương trình")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def presenter_label(self) -> str:
        return str(self.presenter) if self.presenter_id else self.presenter_text


class AgendaDocumentQuerySet(_MeetingScoped["AgendaDocument"]):
    scope_field = "agenda_item__meeting__host_committee__unit"
    meeting_prefix = "agenda_item__meeting__"


class AgendaDocument(models.Model):
    """A document attached to an agenda item (tài liệu hội nghị)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("tệp"), upload_to=document_upload_to, max_length=300)
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AgendaDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = pgettext_lazy("plural", "tài liệu")
        ordering = ["agenda_item", "id"]

    def __str__(self) -> str:
        return self.name


class InviteeQuerySet(_MeetingScoped["Invitee"]):
    scope_field = "meeting__host_committee__unit"


class Invitee(models.Model):
    """A person invited to the meeting and whether they came (điểm danh)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    person = models.ForeignKey(
        "org.Person", verbose_name=_("người được mời"), on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    attendance = models.CharField(_("tham dự"), max_length=12, choices=Attendance.choices, blank=True, default="")
    absence_reason = models.CharField(_("lý do vắng"), max_length=500, blank=True)
    delegate = models.ForeignKey(
        "org.Person",
        verbose_name=_("người dự thay"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delegate_name = models.CharField(_("người dự thay (ghi tay)"), max_length=255, blank=True)

    objects = InviteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("người được mời")
        verbose_name_plural = pgettext_lazy("plural", "người được mời")
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meeting_invitee_unique")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_attendance_display()}"

    @property
    def delegate_label(self) -> str:
        return str(self.delegate) if self.delegate_id else self.delegate_name


class ConclusionQuerySet(_MeetingScoped["Conclusion"]):
    scope_field = "meeting__host_committee__unit"


class Conclusion(models.Model):
    """One numbered direction of the conclusion notice ("Một là…", "1.")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="conclusions")
    number = models.PositiveIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung kết luận"))

    objects = ConclusionQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết luận")
        verbose_name_plural = pgettext_lazy("plural", "kết luận")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="meeting_conclusion_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"

    def get_absolute_url(self) -> str:
        return f"{reverse('meetings:detail', args=[self.meeting_id])}#conclusion-{self.number}"
