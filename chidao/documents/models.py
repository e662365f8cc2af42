"""The document registry (sổ đăng ký văn bản): official documents received, issued or kept by a
unit, their attachments, the relations between them and the search index.

Document types and their abbreviations follow Nghị định 30/2020/NĐ-CP, Phụ lục III (state bodies)
and Hướng dẫn 36-HD/VPTW (Party bodies); the number and symbol ("35-NQ/TW", "45/KH-UBND") are kept
as written and parsed into their parts by `chidao.lib.docnumbers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.org.scope import ScopedQuerySet, grant_unit_ids, visible_unit_ids

if TYPE_CHECKING:
    from chidao.org.scope import AnyUser


class DocumentKind(models.TextChoices):
    """Loại văn bản. The value is stable; the label is what offices write on the document."""

    RESOLUTION = "resolution", _("Nghị quyết")
    DIRECTIVE = "directive", _("Chỉ thị")
    CONCLUSION = "conclusion", _("Kết luận")
    REGULATION = "regulation", _("Quy định")
    RULES = "rules", _("Quy chế")
    DECISION = "decision", _("Quyết định")
    PLAN = "plan", _("Kế hoạch")
    PROGRAMME = "programme", _("Chương trình")
    SCHEME = "scheme", _("Đề án")
    GUIDANCE = "guidance", _("Hướng dẫn")
    NOTICE = "notice", _("Thông báo")
    REPORT = "report", _("Báo cáo")
    SUBMISSION = "submission", _("Tờ trình")
    OFFICIAL_LETTER = "letter", _("Công văn")
    MINUTES = "minutes", _("Biên bản")
    OTHER = "other", _("Văn bản khác")


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Văn bản đến")
    OUTGOING = "outgoing", _("Văn bản đi")
    INTERNAL = "internal", _("Văn bản nội bộ")


class Visibility(models.TextChoices):
    """Who may read a document besides those who hold a role on its unit or above."""

    UNIT = "unit", _("Chỉ đơn vị sở hữu (và cấp trên)")
    SUBTREE = "subtree", _("Đơn vị sở hữu và các đơn vị trực thuộc")
    PUBLIC = "public", _("Mọi người dùng hệ thống")


class RelationKind(models.TextChoices):
    """How the source document relates to the target: "123-KH/TU implements 35-NQ/TW"."""

    IMPLEMENTS = "implements", _("Triển khai thực hiện")
    GUIDES = "guides", _("Hướng dẫn thực hiện")
    AMENDS = "amends", _("Sửa đổi, bổ sung")
    REPLACES = "replaces", _("Thay thế")
    CITES = "cites", _("Căn cứ, viện dẫn")


# The same relation read from the target's side, for the document page.
INVERSE_LABELS: dict[str, Any] = {
    RelationKind.IMPLEMENTS: _("Được triển khai bởi"),
    RelationKind.GUIDES: _("Được hướng dẫn bởi"),
    RelationKind.AMENDS: _("Được sửa đổi, bổ sung bởi"),
    RelationKind.REPLACES: _("Bị thay thế bởi"),
    RelationKind.CITES: _("Được viện dẫn bởi"),
}


def visible_document_q(user: AnyUser, prefix: str = "") -> Q:
    """Documents of units under the user's grants, "subtree" documents of the units above them, and
    public documents."""
    from chidao.org.models import UnitClosure

    granted = grant_unit_ids(user)
    above_grants = UnitClosure.objects.filter(descendant_id__in=granted).values("ancestor_id")
    return (
        Q(**{f"{prefix}unit__in": visible_unit_ids(user)})
        | Q(**{f"{prefix}visibility": Visibility.SUBTREE, f"{prefix}unit__in": above_grants})
        | Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    )


# A reader's scope is carried as lists of unit ids up to this many units (`DocumentScope`), as
# the subqueries of `visible_document_q` beyond (an administrator of a province and its history).
SCOPE_LIST_MAX = 1000


@dataclass(frozen=True)
class DocumentScope:
    """`visible_document_q` of one user, read once, for a request that applies it many times (a
    search: each of its statements, then the page's documents). The ORM then builds and the
    database plans two short lists of unit ids instead of the rule's nested subqueries each time.
    Build it with `document_scope`; `q()` is the same set of documents as `visible_document_q`."""

    user: AnyUser
    everything: bool  # a superuser
    granted: frozenset[int]  # the units of the user's grants
    above: frozenset[int]  # the units of the grants and their ancestors
    units: frozenset[int] | None  # `visible_unit_ids`; None when more than SCOPE_LIST_MAX

    def reads(self, unit_id: int, visibility: str) -> bool:
        """Whether the scope holds a document of `unit_id` with `visibility`: the rule of `q()`
        from the lists, for rows already read (a scope without lists answers through `q()`)."""
        if self.everything:
            return True
        if self.units is None:
            raise ValueError("a scope without lists of units answers through q()")
        return (
            unit_id in self.units
            or visibility == Visibility.PUBLIC
            or (visibility == Visibility.SUBTREE and unit_id in self.above)
        )

    def q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        if self.units is None:
            return visible_document_q(self.user, prefix)
        return (
            Q(**{f"{prefix}unit__in": sorted(self.units)})
            | Q(**{f"{prefix}visibility": Visibility.SUBTREE, f"{prefix}unit__in": sorted(self.above)})
            | Q(**{f"{prefix}visibility": Visibility.PUBLIC})
        )


def document_scope(user: AnyUser) -> DocumentScope | None:
    """The user's `DocumentScope`; None when the user may read nothing (anonymous, inactive)."""
    from chidao.org.models import UnitClosure

    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return DocumentScope(user, True, frozenset(), frozenset(), None)
    # Every closure holds its unit's link to itself: the grants and what is above them, at once.
    links = UnitClosure.objects.filter(descendant_id__in=grant_unit_ids(user)).values_list(
        "descendant_id", "ancestor_id"
    )
    granted: set[int] = set()
    above: set[int] = set()
    for descendant, ancestor in links:
        granted.add(descendant)
        above.add(ancestor)
    # A unit under two grants comes twice: more than SCOPE_LIST_MAX rows may still be fewer
    # units, and is taken as too many.
    rows = list(visible_unit_ids(user).values_list("descendant_id", flat=True)[: SCOPE_LIST_MAX + 1]) if granted else []
    units = frozenset(rows) if len(rows) <= SCOPE_LIST_MAX else None
    return DocumentScope(user, False, frozenset(granted), frozenset(above), units)


class DocumentQuerySet(ScopedQuerySet["Document"]):
    scope_field = "unit"

    def visible_to(self, user: AnyUser, *, minimum_role: str | None = None) -> Self:
        """Readers see as `visible_document_q` says; a `minimum_role` (for editing) asks for that
        role on the owning unit or above, whatever the visibility."""
        if minimum_role is not None:
            return super().visible_to(user, minimum_role=minimum_role)
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(visible_document_q(user))

    def of_kind(self, kind: str) -> DocumentQuerySet:
        return self.filter(kind=kind)

    def in_year(self, year: int) -> DocumentQuerySet:
        return self.filter(issued_on__year=year)


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # The stored name is a random token: the display name lives in the row, never on disk.
    return f"documents/{instance.document_id}/{filename}"


class Document(models.Model):
    """Văn bản: one official document in a unit's register."""

    kind = models.CharField(_("loại văn bản"), max_length=16, choices=DocumentKind.choices)
    # Số, ký hiệu as written: "35-NQ/TW", "45/KH-UBND", "12/2020/NĐ-CP"; blank for drafts and
    # documents without a number.
    symbol = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    # Parsed parts of the symbol (chidao.lib.docnumbers): the number as an integer for sorting, the
    # type abbreviation ("NQ", "KH") and the issuer's abbreviation ("TW", "UBND").
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    type_code = models.CharField(_("ký hiệu loại văn bản"), max_length=20, blank=True)
    issuer_code = models.CharField(_("ký hiệu cơ quan ban hành"), max_length=50, blank=True)
    # Folded, upper-cased, without spaces ("35-NQ/TW"); what a number/symbol query is matched on.
    symbol_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    issued_on = models.DateField(_("ngày ban hành"))
    signer = models.CharField(_("người ký"), max_length=255, blank=True)
    title = models.CharField(_("trích yếu"), max_length=1000)
    summary = models.TextField(_("tóm tắt nội dung"), blank=True)
    full_text = models.TextField(_("toàn văn"), blank=True)
    direction = models.CharField(_("loại sổ"), max_length=10, choices=Direction.choices, default=Direction.INCOMING)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="documents",
        db_index=False,
    )
    visibility = models.CharField(
        _("phạm vi xem"), max_length=10, choices=Visibility.choices, default=Visibility.SUBTREE
    )
    # Incoming register: số đến and ngày đến, kept by the receiving unit's văn thư.
    received_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True)
    received_on = models.DateField(_("ngày đến"), null=True, blank=True)
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = pgettext_lazy("plural", "văn bản")
        ordering = ["-issued_on", "-id"]
        indexes = [
            # A unit's register, newest first; the scope filter lands on unit.
            models.Index(fields=["unit", "-issued_on", "-id"], name="document_unit_issued"),
            models.Index(fields=["kind", "-issued_on"], name="document_kind_issued"),
            models.Index(fields=["visibility", "-issued_on"], name="document_visibility_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.title}".strip() if self.symbol else self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])


class RelatedToDocumentQuerySet(ScopedQuerySet[Any]):
    """Rows that belong to a document are visible exactly when their document is."""

    scope_field = "document__unit"

    def visible_to(self, user: AnyUser, *, minimum_role: str | None = None) -> Any:
        return self.filter(document__in=Document.objects.visible_to(user, minimum_role=minimum_role).values("pk"))


class DocumentRelation(models.Model):
    """A typed link from one document to another ("source implements target")."""

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="outgoing_relations")
    target = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="incoming_relations")
    kind = models.CharField(_("quan hệ"), max_length=12, choices=RelationKind.choices)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quan hệ văn bản")
        verbose_name_plural = pgettext_lazy("plural", "quan hệ văn bản")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="document_relation_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="document_relation_not_self"),
        ]
        indexes = [models.Index(fields=["target", "kind"], name="document_relation_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class Attachment(models.Model):
    """Tệp đính kèm of a document; the type is checked from the content when uploaded."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("tệp"), upload_to=attachment_upload_to, max_length=255)
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)
    # Text extracted from PDF and DOCX for search; empty for images and spreadsheets.
    text = models.TextField(blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = RelatedToDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = pgettext_lazy("plural", "tệp đính kèm")
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.name


class SearchEntry(models.Model):
    """One document as the search sees it: folded text and the columns the filters need, so a
    query never joins the registry before it has its page of ids. Written only by
    `chidao.documents.search`; the full-text structures of each database (FTS5 tables kept by
    triggers on SQLite, tsvector columns with GIN indexes on PostgreSQL) are built by migration
    0002. A later migration that alters this table must keep them: on SQLite Django rebuilds the
    table for most changes, which drops the triggers (recreate them from search/sqlite.py)."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    unit = models.ForeignKey("org.Unit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    kind = models.CharField(max_length=16)
    visibility = models.CharField(max_length=10)
    issuer_folded = models.CharField(max_length=255)
    issued_on = models.DateField()
    # Newest first is (issued_on, document id) descending; one integer holding both is the FTS5
    # rowid on SQLite, so the full-text index itself yields matches newest first.
    recency_key = models.BigIntegerField(unique=True)
    symbol_key = models.CharField(max_length=100, blank=True)
    # The symbol reduced to its parts ("35-NQ/TW" → 35, "NQ", "TW"), matched whatever the separators.
    symbol_number = models.PositiveIntegerField(null=True)
    symbol_type = models.CharField(max_length=20, blank=True)
    symbol_issuer = models.CharField(max_length=50, blank=True)
    # Folded words separated by single spaces (chidao.documents.search.text.index_fold).
    title_folded = models.TextField()
    body_folded = models.TextField(blank=True)
    # Scope and filter tokens ("vpublic kplan y2024 a1 a22 s22 itinh iuy"), indexed as words of
    # their own (chidao.documents.search.tokens).
    tags = models.TextField(blank=True)
    # PostgreSQL: 64 bits of a hash of the row, the columns above and the tsvectors
    # (chidao.documents.search.index.entry_digest); an entry whose digest matches is not written
    # again. Null on SQLite (which compares the columns) and for entries written before digests.
    digest = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["symbol_number", "symbol_type"], name="search_entry_number"),
        ]

    def __str__(self) -> str:
        return f"search entry {self.document_id}"
