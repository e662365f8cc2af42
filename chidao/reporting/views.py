"""Reporting pages: catalogue (indicators, forms, assignments), what a unit owes, the data-entry
grid with autosave and the workflow, the report list and completeness with reminders."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chidao.forms import apply_errors
from chidao.http import AuthedRequest
from chidao.org import queries as org_queries
from chidao.org.models import AgencyType, Unit, UnitKind
from chidao.org.scope import get_visible_or_404, has_role, require_role
from chidao.pages import form_page
from chidao.reporting import entry, jobs, queries, services
from chidao.reporting import forms as rforms
from chidao.reporting.models import (
    FormSection,
    Indicator,
    Period,
    Report,
    ReportForm,
    SectionKind,
    Status,
)

EDITOR = services.EDITOR

ACTION_LABELS = {
    "reporting.report.opened": gettext_lazy("Mở báo cáo"),
    "reporting.report.values_saved": gettext_lazy("Lưu số liệu"),
    "reporting.report.submitted": gettext_lazy("Gửi báo cáo"),
    "reporting.report.returned": gettext_lazy("Trả lại"),
    "reporting.report.approved": gettext_lazy("Duyệt"),
    "reporting.report.correction_started": gettext_lazy("Bắt đầu điều chỉnh"),
}


def _page(request: AuthedRequest, qs: Any, per_page: int = 50) -> Any:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _querystring_without_page(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _working_unit(request: AuthedRequest) -> Unit:
    unit = org_queries.current_unit_for(request)
    if unit is None:
        raise Http404(_("Bạn chưa được phân quyền tại đơn vị nào."))
    return unit


def _get_form(request: AuthedRequest, pk: int) -> ReportForm:
    form: ReportForm = get_visible_or_404(ReportForm.objects.select_related("owner"), request.user, pk=pk)
    return form


# --- catalogue -------------------------------------------------------------------------------


@login_required
def indicator_list(request: AuthedRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    qs = Indicator.objects.visible_to(request.user).select_related("owner")
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    unit = org_queries.current_unit_for(request)
    context = {
        "page_obj": _page(request, qs.order_by("code", "id")),
        "q": text,
        "querystring_base": _querystring_without_page(request),
        "can_create": unit is not None and has_role(request.user, unit, EDITOR),
    }
    return render(
        request, "reporting/indicator_list.html#rows" if request.htmx else "reporting/indicator_list.html", context
    )


@login_required
def indicator_create(request: AuthedRequest) -> HttpResponse:
    unit = _working_unit(request)
    return form_page(
        request,
        rforms.IndicatorForm(request.POST or None),
        save=lambda data: services.create_indicator(actor=request.user, owner=unit, **data),
        message=lambda ind: _("Đã thêm chỉ tiêu %(code)s.") % {"code": ind.code},
        context={
            "title": _("Thêm chỉ tiêu — %(unit)s") % {"unit": unit.name},
            "crumbs": [],
            "cancel_url": reverse("reporting:indicator_list"),
        },
        then=lambda _ind: "reporting:indicator_list",
    )


@login_required
def form_list(request: AuthedRequest) -> HttpResponse:
    unit = org_queries.current_unit_for(request)
    report_forms = ReportForm.objects.visible_to(request.user).select_related("owner").order_by("code", "id")
    return render(
        request,
        "reporting/form_list.html",
        {
            "rows": [(f, rforms.PERIODICITY_LABELS.get(f.periodicity, f.periodicity)) for f in report_forms],
            "can_create": unit is not None and has_role(request.user, unit, EDITOR),
        },
    )


@login_required
def form_create(request: AuthedRequest) -> HttpResponse:
    unit = _working_unit(request)
    return form_page(
        request,
        rforms.ReportFormForm(request.POST or None),
        save=lambda data: services.create_form(actor=request.user, owner=unit, **data),
        message=lambda f: _("Đã tạo biểu mẫu %(code)s; hãy thêm các phần và chỉ tiêu rồi ban hành.") % {"code": f.code},
        context={
            "title": _("Tạo biểu mẫu báo cáo — %(unit)s") % {"unit": unit.name},
            "crumbs": [],
            "cancel_url": reverse("reporting:form_list"),
        },
    )


def _catalogue_forms(request: AuthedRequest, form: ReportForm, data: Any = None, which: str = "") -> dict[str, Any]:
    """The action forms of the form page; the one named `which` is bound to `data`."""
    version = form.versions.order_by("-number").first()
    sections = FormSection.objects.filter(version=version, kind=SectionKind.INDICATORS)
    in_form = Indicator.objects.filter(pk__in=sections.values("fields__indicator_id"))
    return {
        "section_form": rforms.SectionForm(data if which == "section" else None),
        "field_form": rforms.FieldForm(
            data if which == "field" else None,
            sections=sections,
            indicators=Indicator.objects.visible_to(request.user).order_by("code", "id"),
        ),
        "rule_form": rforms.RuleForm(data if which == "rule" else None, indicators=in_form.order_by("code")),
        "publish_form": rforms.PublishForm(data if which == "publish" else None),
    }


def _form_detail(request: AuthedRequest, form: ReportForm, **bound: Any) -> HttpResponse:
    version, sections, rules = entry.newest_version_content(form)
    working = org_queries.current_unit_for(request)
    can_edit = has_role(request.user, form.owner, EDITOR)
    context = {
        "rform": form,
        "periodicity_label": rforms.PERIODICITY_LABELS.get(form.periodicity, form.periodicity),
        "versions": list(form.versions.order_by("-number")),
        "version": version,
        "is_draft": version is not None and version.published_at is None,
        "sections": sections,
        "rules": rules,
        "assignments": [
            (
                a,
                UnitKind(a.unit_kind).label if a.unit_kind else "",
                AgencyType(a.agency_type).label if a.agency_type else "",
            )
            for a in form.assignments.select_related("parent").prefetch_related("units")
        ],
        "can_assign": working is not None and has_role(request.user, working, EDITOR),
        "periods": entry.recent_periods(form) if form.current_version() is not None else [],
        "can_edit": can_edit,
        **(_catalogue_forms(request, form) if can_edit else {}),
        **bound,
    }
    return render(request, "reporting/form_detail.html", context)


@login_required
def form_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_detail(request, _get_form(request, pk))


def _form_action(request: AuthedRequest, pk: int, which: str, save: Any, message: str) -> HttpResponse:
    """POST one action form of the form page: redirect on success, the page with errors otherwise."""
    form = _get_form(request, pk)
    require_role(request.user, form.owner, EDITOR)  # before parsing: a reader gets 403, not form errors
    bound = _catalogue_forms(request, form, request.POST, which)[f"{which}_form"]
    if bound.is_valid():
        try:
            save(form, bound.cleaned_data)
        except ValidationError as exc:
            apply_errors(bound, exc)
        else:
            messages.success(request, message)
            return redirect(form)
    return _form_detail(request, form, **{f"{which}_form": bound})


@login_required
@require_POST
def form_section_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "section",
        lambda form, data: services.add_section(actor=request.user, form=form, **data),
        _("Đã thêm phần."),
    )


@login_required
@require_POST
def form_field_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "field",
        lambda form, data: services.add_field(actor=request.user, **data),
        _("Đã thêm chỉ tiêu vào biểu mẫu."),
    )


@login_required
@require_POST
def form_rule_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "rule",
        lambda form, data: services.add_rule(actor=request.user, form=form, **data),
        _("Đã thêm quy tắc kiểm tra."),
    )


@login_required
@require_POST
def form_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "publish",
        lambda form, data: services.publish_form(actor=request.user, form=form, **data),
        _("Đã ban hành biểu mẫu."),
    )


@login_required
@require_POST
def form_version_new(request: AuthedRequest, pk: int) -> HttpResponse:
    form = _get_form(request, pk)
    try:
        version = services.new_version(actor=request.user, form=form)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã tạo phiên bản %(n)s (bản nháp).") % {"n": version.number})
    return redirect(form)


@login_required
def assignment_create(request: AuthedRequest, pk: int) -> HttpResponse:
    form = _get_form(request, pk)
    working = _working_unit(request)
    editable = Unit.objects.visible_to(request.user, minimum_role=EDITOR).current()
    return form_page(
        request,
        rforms.AssignmentForm(
            request.POST or None,
            initial={"parent": working.pk, "valid_from": timezone.localdate()},
            parents=editable.exclude(kind=UnitKind.AGENCY).order_by("depth", "name"),
            units=editable.subtree_of(working).order_by("depth", "name"),
        ),
        save=lambda data: services.assign_form(actor=request.user, form=form, **data),
        message=lambda a: _("Đã giao biểu mẫu cho các đơn vị thuộc %(unit)s.") % {"unit": a.parent.name},
        context={
            "title": _("Giao biểu mẫu %(code)s") % {"code": form.code},
            "crumbs": [],
            "cancel_url": form.get_absolute_url(),
        },
        then=lambda _a: form,
    )


# --- what a unit owes, opening a report ----------------------------------------------------------


@login_required
def owed(request: AuthedRequest) -> HttpResponse:
    unit = org_queries.current_unit_for(request)
    rows = queries.owed_by(unit) if unit is not None else []
    return render(
        request,
        "reporting/owed.html",
        {
            "unit": unit,
            "rows": rows,
            "can_open": unit is not None and has_role(request.user, unit, EDITOR),
        },
    )


@login_required
@require_POST
def report_open(request: AuthedRequest) -> HttpResponse:
    form = get_visible_or_404(ReportForm.objects.all(), request.user, pk=request.POST.get("form"))
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=request.POST.get("unit"))
    try:
        period = get_object_or_404(Period, pk=int(request.POST.get("period", "")))
    except ValueError as exc:
        raise Http404(_("Không tìm thấy.")) from exc
    try:
        report = services.open_report(actor=request.user, form=form, unit=unit, period=period)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:owed")
    return redirect(report)


# --- the report page -------------------------------------------------------------------------


def _get_report(request: AuthedRequest, pk: int) -> Report:
    return get_visible_or_404(
        Report.objects.select_related("form", "unit__parent", "period", "version"), request.user, pk=pk
    )


def _render_report(
    request: AuthedRequest,
    report: Report,
    *,
    posted: Any = None,
    errors: dict[str, list[str]] | None = None,
    return_form: rforms.ReasonForm | None = None,
    correction_form: rforms.ReasonForm | None = None,
) -> HttpResponse:
    user = request.user
    is_unit_editor = has_role(user, report.unit, EDITOR)
    reviewer_unit = report.unit.parent or report.unit
    revisions = entry.revisions(user, report)
    errors = errors or {}
    context = {
        "report": report,
        "sections": entry.grid(user, report, posted=posted, errors=errors),
        "top_errors": [m for k, ms in errors.items() if not k.startswith(("v", "n")) for m in ms],
        "can_edit": report.is_editable and is_unit_editor,
        "can_review": report.status == Status.SUBMITTED and has_role(user, reviewer_unit, EDITOR),
        "can_correct": (
            report.status == Status.APPROVED
            and report.is_current
            and is_unit_editor
            and not any(r.revision > report.revision for r in revisions)
        ),
        "is_late": report.is_late(timezone.localdate()),
        "revisions": revisions,
        "history": [(e, ACTION_LABELS.get(e.action, e.action)) for e in entry.history(user, revisions)],
        "return_form": return_form or rforms.ReasonForm(label=_("Lý do trả lại"), prefix="return"),
        "correction_form": correction_form or rforms.ReasonForm(label=_("Lý do điều chỉnh"), prefix="correction"),
    }
    return render(request, "reporting/report_detail.html", context)


def _posted_values(request: AuthedRequest) -> dict[str, dict[int, str]]:
    """Values, comments and narratives of a full-form POST, by indicator or section id."""
    found: dict[str, dict[int, str]] = {"values": {}, "comments": {}, "narratives": {}}
    names = {"v": "values", "c": "comments", "n": "narratives"}
    for key in request.POST:
        if key[:1] in names and key[1:].isdigit():
            found[names[key[:1]]][int(key[1:])] = request.POST.get(key, "")
    return found


def _save_posted(request: AuthedRequest, report: Report) -> dict[str, list[str]]:
    """Save every posted value at once; the errors by input name (nothing saved if any)."""
    posted = _posted_values(request)
    if not any(posted.values()):
        return {}
    try:
        services.save_values(actor=request.user, report=report, **posted)
    except ValidationError as exc:
        return _by_key(exc)
    return {}


def _by_key(exc: ValidationError) -> dict[str, list[str]]:
    """A service's errors by input name ("v<indicator id>", "n<section id>"), the rest under "__all__"."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The data-entry grid; a POST (the "Lưu" button, without JavaScript) saves every value."""
    report = _get_report(request, pk)
    if request.method == "POST":
        errors = _save_posted(request, report)
        if errors:
            messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi."))
            return _render_report(request, report, posted=request.POST, errors=errors)
        messages.success(request, _("Đã lưu số liệu."))
        return redirect(report)
    return _render_report(request, report)


@login_required
@require_POST
def report_save_value(request: AuthedRequest, pk: int) -> HttpResponse:
    """Autosave of one input (htmx): the status region with a tick or the error."""
    report = _get_report(request, pk)
    indicator, section = request.POST.get("indicator", ""), request.POST.get("section", "")
    if indicator.isdigit():
        key = f"v{indicator}"
        arguments: dict[str, Any] = {"values": {int(indicator): request.POST.get(key, "")}}
        if f"c{indicator}" in request.POST:
            arguments["comments"] = {int(indicator): request.POST[f"c{indicator}"]}
    elif section.isdigit():
        key = f"n{section}"
        arguments = {"values": {}, "narratives": {int(section): request.POST.get(key, "")}}
    else:
        raise Http404(_("Không tìm thấy."))
    cell = entry.Cell(key=key)
    try:
        services.save_values(actor=request.user, report=report, **arguments)
    except ValidationError as exc:
        cell.errors = exc.messages
    except PermissionDenied as exc:
        cell.errors = [str(exc)]
    else:
        cell.saved = True
    if not request.htmx:
        if cell.errors:
            messages.error(request, " ".join(cell.errors))
        return redirect(report)
    return render(request, "reporting/report_detail.html#status", {"cell": cell})


@login_required
@require_POST
def report_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Gửi báo cáo: save what the form carries, then submit; errors are shown beside their inputs."""
    report = _get_report(request, pk)
    errors = _save_posted(request, report) if report.is_editable else {}
    if errors:
        messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi."))
        return _render_report(request, report, posted=request.POST, errors=errors)
    try:
        services.submit_report(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, _("Chưa gửi được: hãy hoàn thiện các ô báo lỗi."))
        report.refresh_from_db()
        return _render_report(request, report, errors=_by_key(exc))
    messages.success(request, _("Đã gửi báo cáo tới %(unit)s.") % {"unit": (report.unit.parent or report.unit).name})
    return redirect(report)


@login_required
@require_POST
def report_return(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    form = rforms.ReasonForm(request.POST, label=_("Lý do trả lại"), prefix="return")
    if form.is_valid():
        try:
            services.return_report(actor=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã trả lại báo cáo cho %(unit)s.") % {"unit": report.unit.name})
            return redirect(report)
    return _render_report(request, report, return_form=form)


@login_required
@require_POST
def report_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    try:
        services.approve_report(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã duyệt báo cáo của %(unit)s.") % {"unit": report.unit.name})
    return redirect(report)


@login_required
@require_POST
def report_correction(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    form = rforms.ReasonForm(request.POST, label=_("Lý do điều chỉnh"), prefix="correction")
    if form.is_valid():
        try:
            correction = services.start_correction(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã mở lần điều chỉnh %(n)s; báo cáo đã duyệt vẫn có hiệu lực đến khi bản điều chỉnh được duyệt.")
                % {"n": correction.revision},
            )
            return redirect(correction)
    return _render_report(request, report, correction_form=form)


# --- lists -----------------------------------------------------------------------------------


@login_required
def report_list(request: AuthedRequest) -> HttpResponse:
    unit = _working_unit(request)
    visible = queries.reports_for(request.user, unit=unit)
    filters = rforms.ReportFilterForm(
        request.GET or None,
        report_forms=ReportForm.objects.visible_to(request.user).order_by("code", "id"),
        periods=Period.objects.filter(pk__in=visible.values("period_id")).order_by("-start", "-end"),
    )
    qs = visible
    if filters.is_valid():
        data = filters.cleaned_data
        qs = queries.reports_for(request.user, unit=unit, status=data["status"], period=data["period"])
        if data["form"] is not None:
            qs = qs.filter(form=data["form"])
    context = {
        "unit": unit,
        "filters": filters,
        "page_obj": _page(request, qs.order_by("-period__start", "unit__name", "-revision", "id")),
        "querystring_base": _querystring_without_page(request),
    }
    return render(request, "reporting/report_list.html#rows" if request.htmx else "reporting/report_list.html", context)


@login_required
def completeness(request: AuthedRequest, pk: int, period_pk: int) -> HttpResponse:
    form = _get_form(request, pk)
    period = get_object_or_404(Period, pk=period_pk)
    unit_id = request.GET.get("unit")
    parent = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id) if unit_id else _working_unit(request)
    result = queries.completeness(form, period, parent)
    return render(
        request,
        "reporting/completeness.html",
        {
            "rform": form,
            "period": period,
            "parent": parent,
            "result": result,
            "rows": [
                (u, r, r is not None and r.submitted_at is not None and timezone.localdate(r.submitted_at) > r.due_date)
                for u, r in result.rows
            ],
            "due": services.due_date(form, period),
            "today": timezone.localdate(),
            "can_remind": bool(result.missing) and has_role(request.user, parent, EDITOR),
        },
    )


@login_required
@require_POST
def completeness_remind(request: AuthedRequest, pk: int, period_pk: int) -> HttpResponse:
    """Nhắc nhở: e-mail the secretariat of every unit that has not sent, after this request commits."""
    form = _get_form(request, pk)
    period = get_object_or_404(Period, pk=period_pk)
    parent = get_visible_or_404(Unit.objects.all(), request.user, pk=request.POST.get("unit"))
    require_role(request.user, parent, EDITOR)
    transaction.on_commit(partial(jobs.send_reminders.enqueue, form.pk, period.pk, parent.pk, request.user.pk))
    messages.success(request, _("Đã gửi nhắc nhở tới các đơn vị chưa nộp báo cáo."))
    response = redirect("reporting:completeness", pk=form.pk, period_pk=period.pk)
    response["Location"] += f"?unit={parent.pk}"
    return response
