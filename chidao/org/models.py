"""Organisation: administrative units and agencies, committees, people and memberships.

Terms and their sources are listed in docs/glossary.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.lib.text import fold
from chidao.org.scope import ScopedQuerySet


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("Trung ương")
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Quận, huyện, thị xã (trước 01/7/2025)")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    AGENCY = "agency", _("Cơ quan, đơn vị")


class AgencyType(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Cấp ủy Đảng")
    PARTY_BOARD = "party_board", _("Ban Đảng")
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    MASS_ORGANISATION = "mass_organisation", _("Mặt trận Tổ quốc, đoàn thể")
    PRESS = "press", _("Cơ quan báo chí")
    ARMED_FORCES = "armed_forces", _("Công an, quân sự")
    SCHOOL = "school", _("Trường chính trị, cơ sở đào tạo")
    OTHER = "other", _("Khác")


class UnitQuerySet(ScopedQuerySet["Unit"]):
    scope_field = "id"

    def current(self, on: dt.date | None = None) -> UnitQuerySet:
        """Units valid on `on` (today when omitted)."""
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def historical(self) -> UnitQuerySet:
        return self.filter(valid_until__isnull=False, valid_until__lt=timezone.localdate())

    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        """Everything under `unit`: one join on the indexed closure table."""
        qs = self.filter(ancestor_links__ancestor=unit)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def ancestors_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(descendant_links__descendant=unit).order_by("depth")
        return qs if include_self else qs.exclude(pk=unit.pk)

    def search(self, text: str) -> UnitQuerySet:
        folded = fold(text)
        return self.filter(Q(name_folded__contains=folded) | Q(code__iexact=text.strip()))


class Unit(models.Model):
    """An administrative unit (đơn vị hành chính) or an agency (cơ quan) attached under one."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("loại"), max_length=16, choices=UnitKind.choices)
    agency_type = models.CharField(_("loại cơ quan"), max_length=32, choices=AgencyType.choices, blank=True)
    division_type = models.CharField(_("loại đơn vị hành chính"), max_length=64, blank=True)
    official_code = models.PositiveIntegerField(_("mã thống kê"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = pgettext_lazy("plural", "đơn vị")
        ordering = ["depth", "name"]
        indexes = [
            models.Index(fields=["parent", "kind"]),
            models.Index(fields=["kind", "official_code"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="unit_validity_ordered",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
            ),
            models.CheckConstraint(condition=~Q(successor=F("id")), name="unit_not_own_successor"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("org:unit_detail", args=[self.pk])

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )


class UnitClosure(models.Model):
    """Closure table of the unit tree: one row per (ancestor, descendant) pair, self included.

    Chosen over a materialized path because prefix matching on text needs collation-specific
    index classes on PostgreSQL and LIKE-optimisation rules on SQLite; integer joins are indexed
    the same way on both.
    """

    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="descendant_links")
    descendant = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ancestor_links")
    distance = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="unit_closure_pair")]
        indexes = [models.Index(fields=["descendant", "ancestor"])]

    def __str__(self) -> str:
        return f"{self.ancestor_id} > {self.descendant_id} ({self.distance})"


class CommitteeKind(models.TextChoices):
    """Decides the document layout: Party bodies (HD 36-HD/VPTW) or state bodies (NĐ 30/2020)."""

    PARTY = "party", _("Thuộc cấp ủy Đảng")
    STATE = "state", _("Thuộc cơ quan nhà nước")


class CommitteeQuerySet(ScopedQuerySet["Committee"]):
    scope_field = "unit"

    def active(self, on: dt.date | None = None) -> CommitteeQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


class Committee(models.Model):
    """Ban Chỉ đạo: a steering committee of a unit."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="committees",
    )
    name = models.CharField(_("tên"), max_length=500)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(
        _("loại"),
        max_length=8,
        choices=CommitteeKind.choices,
        default=CommitteeKind.PARTY,
    )
    founding_decision = models.CharField(_("quyết định thành lập"), max_length=255, blank=True)
    founded_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    standing_agency = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan thường trực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standing_for",
    )
    description = models.TextField(_("chức năng, nhiệm vụ"), blank=True)
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("ban chỉ đạo")
        verbose_name_plural = pgettext_lazy("plural", "ban chỉ đạo")
        ordering = ["unit__depth", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("org:committee_detail", args=[self.pk])


class GroupKind(models.TextChoices):
    SECRETARIAT = "secretariat", _("Tổ thư ký, tổ giúp việc")
    EXPERTS = "experts", _("Nhóm chuyên gia")
    COLLABORATORS = "collaborators", pgettext_lazy("group", "Cộng tác viên")
    OTHER = "other", _("Nhóm khác")


class CommitteeGroupQuerySet(ScopedQuerySet["CommitteeGroup"]):
    scope_field = "committee__unit"


class CommitteeGroup(models.Model):
    """An internal team of a committee: tổ thư ký / tổ giúp việc, nhóm chuyên gia, cộng tác viên."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("loại"), max_length=16, choices=GroupKind.choices)
    name = models.CharField(_("tên"), max_length=255)

    objects = CommitteeGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổ, nhóm")
        verbose_name_plural = pgettext_lazy("plural", "tổ, nhóm")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="committee_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(ScopedQuerySet["Person"]):
    scope_field = "unit"

    def search(self, text: str) -> PersonQuerySet:
        return self.filter(name_folded__contains=fold(text))


class Person(models.Model):
    """A person who takes part in a committee's work (thành viên, chuyên gia, cán bộ)."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("Đơn vị quản lý hồ sơ; quyết định ai được xem."),
    )
    full_name = models.CharField(_("họ và tên"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    titles = models.CharField(_("chức vụ"), max_length=500, blank=True)
    agency = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("cá nhân")
        verbose_name_plural = pgettext_lazy("plural", "cá nhân")
        ordering = ["name_folded"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("org:person_detail", args=[self.pk])


class Role(models.TextChoices):
    """Roles in a committee, in the order a decision lists them."""

    HEAD = "head", _("Trưởng ban")
    STANDING_DEPUTY = "standing_deputy", _("Phó Trưởng ban Thường trực")
    DEPUTY = "deputy", _("Phó Trưởng ban")
    MEMBER = "member", _("Ủy viên")
    SECRETARIAT = "secretariat", _("Thành viên Tổ giúp việc")
    EXPERT = "expert", _("Chuyên gia")
    COLLABORATOR = "collaborator", _("Cộng tác viên")


ROLE_ORDER = {role.value: index for index, role in enumerate(Role)}


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    scope_field = "committee__unit"

    def active_on(self, day: dt.date) -> MembershipQuerySet:
        """Memberships in force on `day`: the committee's composition on that date."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)

    def current(self) -> MembershipQuerySet:
        return self.active_on(timezone.localdate())


class Membership(models.Model):
    """A person's seat in a committee, from the decision that appointed them to the one that ended it."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        Person,
        verbose_name=_("cá nhân"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    group = models.ForeignKey(
        CommitteeGroup,
        verbose_name=_("tổ, nhóm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    position = models.CharField(
        _("chức vụ khi được phân công"),
        max_length=500,
        blank=True,
        help_text=_("Ví dụ: Trưởng ban Tuyên giáo Tỉnh ủy"),
    )
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    decision = models.CharField(_("quyết định phân công"), max_length=255, blank=True)
    end_decision = models.CharField(_("quyết định thôi"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = pgettext_lazy("plural", "thành viên")
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["committee", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("Ngày kết thúc không được trước ngày bắt đầu."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    @property
    def role_rank(self) -> int:
        return ROLE_ORDER.get(self.role, len(ROLE_ORDER))
