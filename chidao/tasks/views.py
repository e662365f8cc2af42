"""Task pages: my tasks, my unit's tasks (with counts by status over the subtree), tasks I
assigned, the export, a task's page with its follow-up (htmx for progress and comments), the
forms of each step, tasks from a meeting's conclusions, notifications and reminder settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chidao.forms import apply_errors
from chidao.http import AuthedRequest
from chidao.meetings.models import Meeting
from chidao.org import queries as org_queries
from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404, has_role, require_role
from chidao.pages import form_page
from chidao.tasks import excel, listing, queries, services
from chidao.tasks import forms as tforms
from chidao.tasks.models import Attachment, Extension, ExtensionState, Notification, Status, Task

PER_PAGE = 50
EDITOR = services.EDITOR


def _querystring_without_page(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("by_unit", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _querystring_with(request: AuthedRequest, **values: str) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in values.items():
        params[key] = value
    return params.urlencode()


def _get_task(request: AuthedRequest, pk: int) -> Task:
    task: Task = get_visible_or_404(queries.task_detail_queryset(), request.user, pk=pk)
    return task


# --- the three lists -------------------------------------------------------------------------


@dataclass
class ListQuery:
    """What a list page (and its export) shows: the base rows, the filters, the form."""

    view: str
    title: str
    base: Any
    filters: queries.TaskFilters
    form: tforms.FilterForm
    unit: Unit | None = None
    subtree: bool = True
    role: str = queries.LEAD


def _list_query(request: AuthedRequest, view: str) -> ListQuery:
    user = request.user
    if view == queries.UNIT:
        unit_id = request.GET.get("unit")
        unit = queries.unit_or_404(user, unit_id) if unit_id else org_queries.current_unit_for(request)
        if unit is None:
            raise Http404(_("Bạn chưa được phân quyền tại đơn vị nào."))
        form: tforms.FilterForm = tforms.UnitFilterForm(
            request.GET, units=queries.filter_units(user, unit), initial={"subtree": "1", "role": queries.LEAD}
        )
        form.is_valid()
        data = form.cleaned_data
        subtree = data.get("subtree") != "0"
        role = data.get("role") or queries.LEAD
        base = queries.unit_tasks(user, unit, subtree=subtree, role=role)
        title = _("Nhiệm vụ của %(unit)s") % {"unit": unit.name}
    elif view == queries.MINE:
        form = tforms.FilterForm(request.GET)
        form.is_valid()
        data = form.cleaned_data
        unit, subtree, role = None, True, queries.LEAD
        base, title = queries.my_tasks(user), _("Nhiệm vụ của tôi")
    else:
        form = tforms.AssignedFilterForm(request.GET, units=queries.assigned_lead_units(user))
        form.is_valid()
        data = form.cleaned_data
        unit, subtree, role = None, True, queries.LEAD
        base, title = queries.assigned_tasks(user), _("Nhiệm vụ tôi đã giao")
    filters = queries.TaskFilters(
        status=data.get("status") or "",
        source=data.get("source") or "",
        lead_unit=data.get("lead_unit"),
        due_from=data.get("due_from"),
        due_to=data.get("due_to"),
        text=(data.get("q") or "").strip(),
    )
    return ListQuery(view, title, base, filters, form, unit, subtree, role)


def _list_page(request: AuthedRequest, view: str) -> HttpResponse:
    """A list with its counts by status. A unit's list over its subtree counts the whole subtree
    and offers the same counts by child unit, which are fetched with a second request (htmx on
    load, or the plain link `by_unit=1`): the page itself needs only the totals."""
    today = timezone.localdate()
    lq = _list_query(request, view)
    list_url = reverse(f"tasks:{view}")
    whole_subtree = lq.unit is not None and lq.subtree and lq.role == queries.LEAD
    by_unit_loaded = whole_subtree and request.GET.get("by_unit") == "1"
    by_child: list[queries.UnitCounts] = []
    if lq.unit is not None and by_unit_loaded:
        counts, by_child = queries.subtree_counts(request.user, lq.unit, lq.filters, today)
    elif lq.unit is not None and whole_subtree:
        counts = queries.subtree_totals(request.user, lq.unit, lq.filters, today)
    else:
        counts = queries.status_counts(queries.apply_filters(lq.base, lq.filters.without_status(), today), today)
    context: dict[str, Any] = {
        "unit": lq.unit,
        "counts": counts,
        "by_child": by_child,
        "by_child_rows": listing.unit_rows(by_child, list_url),
        "by_unit_loaded": by_unit_loaded,
        "by_unit_url": f"{list_url}?{_querystring_with(request, by_unit='1')}" if whole_subtree else "",
    }
    if request.htmx and by_unit_loaded:
        return render(request, "tasks/task_list.html#by_unit", context)
    labels = {s.value: str(s.label) for s in Status}
    listed = queries.apply_filters(lq.base, lq.filters, today)
    page = queries.KnownCountPaginator(listed, PER_PAGE, count=counts.get(lq.filters.status), today=today).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    for key in ("page", "status", "by_unit"):
        params.pop(key, None)
    context |= {
        "view": view,
        "title": lq.title,
        "filter_form": lq.form,
        "page_obj": page,
        "task_rows": listing.task_rows(page.object_list, labels),
        "current_status": lq.filters.status,
        "status_base": params.urlencode(),
        "querystring_base": _querystring_without_page(request),
        "export_query": _querystring_without_page(request),
        "list_url": list_url,
        "can_create": org_queries.holds_role_somewhere(request, EDITOR),
        "today": today,
    }
    template = "tasks/task_list.html#results" if request.htmx else "tasks/task_list.html"
    return render(request, template, context)


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    return _list_page(request, queries.MINE)


@login_required
def unit(request: AuthedRequest) -> HttpResponse:
    return _list_page(request, queries.UNIT)


@login_required
def assigned(request: AuthedRequest) -> HttpResponse:
    return _list_page(request, queries.ASSIGNED)


@login_required
def export(request: AuthedRequest) -> HttpResponseBase:
    view = request.GET.get("view", queries.MINE)
    if view not in (queries.MINE, queries.UNIT, queries.ASSIGNED):
        raise Http404(_("Không tìm thấy."))
    today = timezone.localdate()
    lq = _list_query(request, view)
    data, _written = excel.export_tasks(queries.apply_filters(lq.base, lq.filters, today), title=lq.title, today=today)
    return FileResponse(
        iter([data]),
        as_attachment=True,
        filename=f"nhiem-vu-{today:%Y%m%d}.xlsx",
        content_type=excel.XLSX,
    )


# --- creating and editing --------------------------------------------------------------------


def _assigning_unit(request: AuthedRequest) -> Unit:
    """The unit that assigns: ?unit= (or the posted one), else the working unit when the user may
    assign there, else the first unit where they may."""
    unit_id = request.POST.get("assigning_unit") or request.GET.get("unit")
    if unit_id:
        unit: Unit = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
        return unit
    working = org_queries.current_unit_for(request)
    if working is not None and has_role(request.user, working, EDITOR):
        return working
    first = queries.assigning_units(request.user).first()
    if first is None:
        raise Http404(_("Bạn chưa có quyền giao nhiệm vụ tại đơn vị nào."))
    return first


def _task_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    fields["coordinating_units"] = list(fields.get("coordinating_units") or [])
    fields["recurrence"] = fields.get("recurrence") or ""
    return fields


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    assigning_unit = _assigning_unit(request)
    require_role(request.user, assigning_unit, EDITOR)
    form = tforms.TaskForm(
        request.POST or None,
        units=queries.unit_choices(request.user, assigning_unit),
        people=queries.people_choices(request.user, assigning_unit),
        initial={"due_date": tforms.default_due()},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_task(actor=request.user, assigning_unit=assigning_unit, **_task_fields(data)),
        message=lambda task: _("Đã giao nhiệm vụ “%(title)s”.") % {"title": task.title},
        context={
            "title": _("Giao nhiệm vụ — %(unit)s") % {"unit": assigning_unit.name},
            "crumbs": org_queries.ancestors(assigning_unit, request.user),
            "cancel_url": reverse("tasks:assigned"),
            "hidden": {"assigning_unit": assigning_unit.pk},
            "assigning_units": queries.assigning_units(request.user),
            "assigning_unit": assigning_unit,
        },
        template="tasks/task_form.html",
    )


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    require_role(request.user, task.assigning_unit, EDITOR)
    initial = {
        name: getattr(task, name)
        for name in ("title", "description", "document_reference", "document_title", "lead_person", "priority")
    }
    initial["coordinating_units"] = list(task.coordinating_units.all())
    form = tforms.TaskEditForm(
        request.POST or None,
        initial=initial,
        units=queries.unit_choices(request.user, task.assigning_unit),
        people=queries.people_choices(request.user, task.assigning_unit),
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_task(actor=request.user, task=task, **_task_fields(data)),
        message=lambda _t: _("Đã lưu thay đổi."),
        context=_step_context(request, task, _("Sửa nhiệm vụ")),
        template="tasks/task_form.html",
    )


@login_required
def subtask_create(request: AuthedRequest, pk: int) -> HttpResponse:
    parent = _get_task(request, pk)
    require_role(request.user, parent.lead_unit, EDITOR)
    form = tforms.SubtaskForm(
        request.POST or None,
        units=queries.unit_choices(request.user, parent.lead_unit, include_root=False),
        people=queries.people_choices(request.user, parent.lead_unit),
        initial={"due_date": parent.due_date, "title": parent.title, "priority": parent.priority},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_subtask(actor=request.user, parent=parent, **_task_fields(data)),
        message=lambda task: _("Đã giao nhiệm vụ con cho %(unit)s.") % {"unit": task.lead_unit.name},
        context=_step_context(request, parent, _("Chia nhiệm vụ cho đơn vị trực thuộc")),
        template="tasks/task_form.html",
        then=lambda _t: parent,
    )


# --- one task --------------------------------------------------------------------------------


def _step_context(request: AuthedRequest, task: Task, heading: str) -> dict[str, Any]:
    return {
        "title": heading,
        "task": task,
        "crumbs": org_queries.ancestors(task.lead_unit, request.user),
        "cancel_url": task.get_absolute_url(),
    }


def _detail_context(request: AuthedRequest, task: Task, **bound: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    can_lead = services.can_lead(user, task)
    can_assign = services.can_assign(user, task)
    history = queries.history(task, today)
    pending = next((e for e in history.extensions if e.state == ExtensionState.PENDING), None)
    return {
        "task": task,
        "status": task.status_on(today),
        "history": history,
        "pending_extension": pending,
        "can_lead": can_lead,
        "can_assign": can_assign,
        "can_contribute": can_lead or can_assign or services.can_contribute(user, task),
        "can_split": not task.is_done and has_role(user, task.lead_unit, EDITOR),
        "progress_form": bound.get("progress_form") or tforms.ProgressForm(initial={"percent": task.progress}),
        "comment_form": bound.get("comment_form") or tforms.CommentForm(),
        "attachment_form": bound.get("attachment_form") or tforms.AttachmentForm(),
        "decision_form": bound.get("decision_form") or tforms.ExtensionDecisionForm(),
        "crumbs": org_queries.ancestors(task.lead_unit, user),
        "max_upload_mb": services.max_attachment_bytes() // (1024 * 1024),
    }


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    return render(request, "tasks/task_detail.html", _detail_context(request, task))


def _region(request: AuthedRequest, task: Task, region: str, **bound: Any) -> HttpResponse:
    """After a POST: the updated region for htmx, the page (with errors) or a redirect otherwise."""
    if request.htmx:
        return render(request, f"tasks/task_detail.html#{region}", _detail_context(request, task, **bound))
    if any(form.errors for form in bound.values()):
        return render(request, "tasks/task_detail.html", _detail_context(request, task, **bound), status=200)
    return redirect(f"{task.get_absolute_url()}#{region}")


@login_required
@require_POST
def progress(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    services.require_lead(request.user, task)  # a reader gets 403 before parsing
    form = tforms.ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.record_progress(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            task = _get_task(request, pk)
            if not request.htmx:  # htmx shows the new entry in place
                messages.success(request, _("Đã cập nhật tiến độ."))
            return _region(request, task, "progress")
    return _region(request, task, "progress", progress_form=form)


@login_required
@require_POST
def comment(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    form = tforms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(actor=request.user, task=task, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _region(request, task, "comments")
    return _region(request, task, "comments", comment_form=form)


@login_required
@require_POST
def attachment_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    form = tforms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(actor=request.user, task=task, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã đính kèm %(name)s.") % {"name": attachment.original_name})
            return redirect(f"{task.get_absolute_url()}#files")
    return render(request, "tasks/task_detail.html", _detail_context(request, task, attachment_form=form))


@login_required
def attachment_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    attachment: Attachment = get_visible_or_404(Attachment.objects.all(), request.user, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def extension_request(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    services.require_lead(request.user, task)  # a reader gets 403 before parsing
    return form_page(
        request,
        tforms.ExtensionRequestForm(
            request.POST or None, initial={"requested_due_date": task.due_date + dt.timedelta(days=15)}
        ),
        save=lambda data: services.request_extension(actor=request.user, task=task, **data),
        message=lambda _e: _("Đã gửi đề nghị gia hạn."),
        context=_step_context(request, task, _("Đề nghị gia hạn")),
        template="tasks/task_form.html",
        then=lambda e: e.task,
    )


@login_required
@require_POST
def extension_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    extension: Extension = get_visible_or_404(Extension.objects.select_related("task"), request.user, pk=pk)
    task = _get_task(request, extension.task_id)
    require_role(request.user, task.assigning_unit, EDITOR)
    form = tforms.ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_extension(
                actor=request.user,
                extension=extension,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi ý kiến về đề nghị gia hạn."))
            return redirect(task)
    return render(request, "tasks/task_detail.html", _detail_context(request, task, decision_form=form))


@login_required
def complete(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    services.require_lead(request.user, task)  # a reader gets 403 before parsing
    return form_page(
        request,
        tforms.CompletionForm(request.POST or None),
        save=lambda data: services.complete_task(actor=request.user, task=task, **data),
        message=lambda t: _("Đã báo cáo hoàn thành: %(status)s.") % {"status": t.status_on().label},
        context=_step_context(request, task, _("Báo cáo hoàn thành")),
        template="tasks/task_form.html",
    )


@login_required
def evaluate(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _get_task(request, pk)
    require_role(request.user, task.assigning_unit, EDITOR)
    initial = {"rating": task.rating, "comment": task.evaluation_comment} if task.rating else {}
    return form_page(
        request,
        tforms.EvaluationForm(request.POST or None, initial=initial),
        save=lambda data: services.evaluate_task(actor=request.user, task=task, **data),
        message=lambda _t: _("Đã ghi đánh giá."),
        context=_step_context(request, task, _("Đánh giá kết quả")),
        template="tasks/task_form.html",
    )


# --- from a meeting's conclusions --------------------------------------------------------------


@login_required
def from_meeting(request: AuthedRequest, meeting_pk: int) -> HttpResponse:
    """One row per conclusion; the ticked rows become tasks together, or none does."""
    meeting: Meeting = get_visible_or_404(
        Meeting.objects.select_related("host_committee__unit"), request.user, pk=meeting_pk
    )
    host = meeting.host_committee.unit
    require_role(request.user, host, EDITOR)
    conclusions = list(meeting.conclusions.order_by("number", "pk"))
    existing = queries.tasks_by_conclusion(request.user, meeting)
    default_due = tforms.default_due()
    initial = [
        {"conclusion": c.pk, "title": c.text[:1000], "due_date": default_due, "selected": not existing.get(c.pk)}
        for c in conclusions
    ]
    formset = tforms.ConclusionFormSet(
        request.POST or None,
        initial=initial,
        form_kwargs={
            "units": queries.unit_choices(request.user, host),
            "people": queries.people_choices(request.user, host),
        },
    )
    row_errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        by_id = {c.pk: c for c in conclusions}
        chosen = [f.cleaned_data for f in formset if f.cleaned_data.get("selected")]
        if any(data["conclusion"] not in by_id for data in chosen):
            raise Http404(_("Không tìm thấy."))
        rows = [
            services.ConclusionRow(
                conclusion=by_id[data["conclusion"]],
                title=data["title"],
                lead_unit=data["lead_unit"],
                due_date=data["due_date"],
                lead_person=data.get("lead_person"),
                coordinating_units=list(data.get("coordinating_units") or []),
            )
            for data in chosen
        ]
        try:
            created = services.create_tasks_from_conclusions(actor=request.user, meeting=meeting, rows=rows)
        except ValidationError as exc:
            row_errors = exc.message_dict.get("rows", exc.messages) if hasattr(exc, "error_dict") else exc.messages
        else:
            messages.success(request, _("Đã giao %(n)s nhiệm vụ từ kết luận cuộc họp.") % {"n": len(created)})
            return redirect(_meeting_url(meeting))
    elif request.method == "POST":
        for number, form in enumerate(formset, start=1):
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                row_errors += [
                    _("Dòng %(n)s: %(field)s — %(error)s") % {"n": number, "field": label, "error": e} for e in errors
                ]
    return render(
        request,
        "tasks/from_meeting.html",
        {
            "meeting": meeting,
            "rows": [(form, c, existing.get(c.pk, [])) for form, c in zip(formset.forms, conclusions, strict=False)],
            "formset": formset,
            "row_errors": row_errors,
            "meeting_url": _meeting_url(meeting),
            "crumbs": org_queries.ancestors(host, request.user),
        },
    )


def _meeting_url(meeting: Meeting) -> str:
    get_url = getattr(meeting, "get_absolute_url", None)
    return str(get_url()) if callable(get_url) else reverse("tasks:assigned")


# --- notifications and settings ----------------------------------------------------------------


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    qs = queries.notifications_for(request.user)
    if only_unread:
        qs = qs.unread()
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/notification_list.html",
        {"page_obj": page, "only_unread": only_unread, "querystring_base": _querystring_without_page(request)},
    )


def _next_url(request: AuthedRequest, default: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return default


@login_required
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification: Notification | None = queries.notifications_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("Không tìm thấy."))
    services.mark_read(actor=request.user, notification_ids=[notification.pk])
    return redirect(_next_url(request, reverse("tasks:notifications")))


@login_required
@require_POST
def notifications_read_all(request: AuthedRequest) -> HttpResponse:
    n = services.mark_read(actor=request.user)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": n})
    return redirect(_next_url(request, reverse("tasks:notifications")))


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    current = services.preference_for(request.user)
    form = tforms.PreferenceForm(
        request.POST or None,
        initial={"days_before": current.days_before, "daily_digest": current.daily_digest, "email": current.email},
    )
    return form_page(
        request,
        form,
        save=lambda data: services.save_preference(actor=request.user, **data),
        message=lambda _p: _("Đã lưu cài đặt nhắc việc."),
        context={"title": _("Cài đặt nhắc việc"), "crumbs": [], "cancel_url": reverse("tasks:notifications")},
        template="tasks/task_form.html",
        then=lambda _p: "tasks:notifications",
    )
