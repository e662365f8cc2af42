"""Meeting pages: list, record, agenda and documents, invitees and attendance, minutes, conclusions,
and the invitation and conclusion notice as Word or PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chidao.forms import apply_errors
from chidao.http import AuthedRequest
from chidao.meetings import documents, files, queries, services
from chidao.meetings import forms as meeting_forms
from chidao.meetings.models import AgendaDocument, AgendaItem, Invitee, Meeting, MeetingKind
from chidao.org.scope import get_visible_or_404
from chidao.pages import form_page

FORM_TEMPLATE = "meetings/form_page.html"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _meeting(request: AuthedRequest, pk: int) -> Meeting:
    return get_visible_or_404(
        Meeting.objects.select_related("host_committee__unit", "visiting_committee__unit", "chair"),
        request.user,
        pk=pk,
    )


def _editable(request: AuthedRequest, pk: int) -> Meeting:
    """The meeting, for a page that changes it: 404 out of scope, 403 for the visiting side and readers."""
    meeting = _meeting(request, pk)
    services.require_host_editor(request.user, meeting)
    return meeting


def _context(meeting: Meeting, title: str) -> dict[str, Any]:
    return {"title": title, "meeting": meeting, "cancel_url": meeting.get_absolute_url()}


def tasks_url(meeting: Meeting) -> str | None:
    """The tasks app's "from conclusions" page, when that app provides it."""
    try:
        return reverse("tasks:from_meeting", args=[meeting.pk])
    except NoReverseMatch:
        return None


# --- list and record --------------------------------------------------------------------------


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    committee_id = _int(request.GET.get("committee"))
    kind = request.GET.get("kind", "") if request.GET.get("kind") in MeetingKind.values else ""
    year = _int(request.GET.get("year"))
    text = request.GET.get("q", "").strip()
    qs = queries.meetings_for(request.user, committee_id=committee_id, kind=kind, year=year, text=text)
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    context = {
        "page_obj": Paginator(qs, 30).get_page(request.GET.get("page")),
        "committees": [(c.pk, f"{c} — {c.unit.name}") for c in queries.filter_committees(request.user)],
        "kinds": MeetingKind.choices,
        "years": [(y, y) for y in queries.meeting_years(request.user)],
        "selected": {"committee": committee_id, "kind": kind, "year": year, "q": text},
        "querystring_base": f"{encoded}&" if encoded else "",
        "can_create": queries.host_committee_choices(request.user).exists(),
    }
    template = "meetings/meeting_list.html#rows" if request.htmx else "meetings/meeting_list.html"
    return render(request, template, context)


@login_required
def meeting_create(request: AuthedRequest) -> HttpResponse:
    hosts = queries.host_committee_choices(request.user)
    if not hosts.exists():
        raise Http404(_("Bạn chưa được phân quyền thư ký tại Ban Chỉ đạo nào."))
    initial: dict[str, Any] = {"kind": request.GET.get("kind", MeetingKind.REGULAR)}
    committee_id = _int(request.GET.get("committee"))
    if committee_id is not None:
        initial["host_committee"] = committee_id
    form = meeting_forms.MeetingForm(
        request.POST or None,
        initial=initial,
        hosts=hosts,
        visitors=queries.visiting_committee_choices(request.user),
        people=queries.people_choices(request.user),
    )
    return form_page(
        request,
        form,
        save=lambda data: services.create_meeting(actor=request.user, **data),
        message=lambda m: _("Đã tạo cuộc họp “%(title)s”.") % {"title": m.title},
        context={"title": _("Thêm cuộc họp, đoàn công tác"), "cancel_url": reverse("meetings:list")},
        template=FORM_TEMPLATE,
    )


@login_required
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_edit = services.can_edit(request.user, meeting)
    context = {
        "meeting": meeting,
        "detail": queries.meeting_detail(meeting),
        "can_edit": can_edit,
        "chair_position": queries.chair_position(meeting),
        "tasks_url": tasks_url(meeting) if can_edit else None,
        "pdf_available": documents.office_binary() is not None,
        "upload_form": meeting_forms.DocumentForm(),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _editable(request, pk)
    fields = (
        "kind",
        "title",
        "visiting_committee",
        "starts_at",
        "ends_at",
        "place",
        "chair",
        "status",
        "invitation_number",
        "description",
    )
    initial = {f: getattr(meeting, f) for f in fields}
    for name in ("starts_at", "ends_at"):
        if initial[name] is not None:
            initial[name] = timezone.localtime(initial[name])
    form = meeting_forms.MeetingForm(
        request.POST or None,
        initial=initial,
        hosts=queries.host_committee_choices(request.user),
        visitors=queries.visiting_committee_choices(request.user),
        people=queries.people_choices(request.user, meeting),
        editing=True,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_meeting(actor=request.user, meeting=meeting, **data),
        message=lambda _m: _("Đã lưu thay đổi."),
        context=_context(meeting, _("Sửa %(title)s") % {"title": meeting.title}),
        template=FORM_TEMPLATE,
    )


# --- agenda and documents ---------------------------------------------------------------------


def _item(request: AuthedRequest, pk: int) -> AgendaItem:
    item = get_visible_or_404(
        AgendaItem.objects.select_related("meeting__host_committee__unit", "meeting__visiting_committee"),
        request.user,
        pk=pk,
    )
    services.require_host_editor(request.user, item.meeting)
    return item


def _detail_anchor(meeting: Meeting, anchor: str) -> str:
    return f"{meeting.get_absolute_url()}#{anchor}"


@login_required
def agenda_add(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _editable(request, pk)
    form = meeting_forms.AgendaItemForm(
        request.POST or None, request.FILES or None, people=queries.people_choices(request.user, meeting)
    )
    return form_page(
        request,
        form,
        save=lambda data: services.add_agenda_item(actor=request.user, meeting=meeting, **data),
        message=lambda item: _("Đã thêm nội dung “%(title)s”.") % {"title": item.title},
        context=_context(meeting, _("Thêm nội dung chương trình")),
        template=FORM_TEMPLATE,
        then=lambda _item: _detail_anchor(meeting, "agenda"),
    )


@login_required
def agenda_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    meeting = item.meeting
    form = meeting_forms.AgendaItemForm(
        request.POST or None,
        initial={f: getattr(item, f) for f in ("title", "presenter", "presenter_text", "order")},
        people=queries.people_choices(request.user, meeting),
        with_file=False,
    )

    def save(data: dict[str, Any]) -> AgendaItem:
        if data.get("order") is None:
            data["order"] = item.order
        return services.update_agenda_item(actor=request.user, item=item, **data)

    return form_page(
        request,
        form,
        save=save,
        message=lambda _i: _("Đã lưu thay đổi."),
        context=_context(meeting, _("Sửa nội dung chương trình")),
        template=FORM_TEMPLATE,
        then=lambda _i: _detail_anchor(meeting, "agenda"),
    )


@login_required
@require_POST
def agenda_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    meeting = item.meeting
    services.remove_agenda_item(actor=request.user, item=item)
    messages.success(request, _("Đã xóa nội dung “%(title)s”.") % {"title": item.title})
    return redirect(_detail_anchor(meeting, "agenda"))


@login_required
def document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    meeting = item.meeting
    return form_page(
        request,
        meeting_forms.DocumentForm(request.POST or None, request.FILES or None),
        save=lambda data: services.attach_document(actor=request.user, item=item, upload=data["upload"]),
        message=lambda d: _("Đã đính kèm “%(name)s”.") % {"name": d.name},
        context=_context(meeting, _("Đính kèm tài liệu — %(item)s") % {"item": item.title}),
        template=FORM_TEMPLATE,
        then=lambda _d: _detail_anchor(meeting, "agenda"),
    )


def _document(request: AuthedRequest, pk: int) -> AgendaDocument:
    return get_visible_or_404(
        AgendaDocument.objects.select_related("agenda_item__meeting__host_committee__unit"), request.user, pk=pk
    )


@login_required
@require_POST
def document_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    meeting = document.agenda_item.meeting
    services.remove_document(actor=request.user, document=document)
    messages.success(request, _("Đã xóa tài liệu “%(name)s”.") % {"name": document.name})
    return redirect(_detail_anchor(meeting, "agenda"))


def _download(field_file: Any, name: str, content_type: str) -> FileResponse:
    """A stored file as an attachment the browser must not sniff or render in place."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Không tìm thấy tệp.")) from exc
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def document_download(request: AuthedRequest, pk: int) -> FileResponse:
    document = _document(request, pk)
    return _download(document.file, document.name, document.content_type)


# --- invitees and attendance ------------------------------------------------------------------


@login_required
def invitees(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _editable(request, pk)
    form = meeting_forms.InviteForm(
        request.POST if request.method == "POST" else None,
        people=queries.people_choices(request.user, meeting).exclude(pk__in=meeting.invitees.values("person_id")),
        units=queries.unit_choices(request.user, meeting).exclude(pk__in=meeting.invited_units.values("pk")),
    )
    if request.method == "POST" and form.is_valid():
        try:
            added = services.invite(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm %(n)d người, đơn vị được mời.") % {"n": added})
            return redirect("meetings:invitees", pk=meeting.pk)
    context = {
        **_context(meeting, _("Thành phần mời — %(title)s") % {"title": meeting.title}),
        "form": form,
        "detail": queries.meeting_detail(meeting),
    }
    return render(request, "meetings/invitees.html", context)


@login_required
@require_POST
def invitee_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    invitee = get_visible_or_404(
        Invitee.objects.select_related("meeting__host_committee__unit", "person"), request.user, pk=pk
    )
    meeting = invitee.meeting
    services.require_host_editor(request.user, meeting)
    services.remove_invitee(actor=request.user, invitee=invitee)
    messages.success(request, _("Đã bỏ %(person)s khỏi danh sách mời.") % {"person": invitee.person})
    return redirect("meetings:invitees", pk=meeting.pk)


@login_required
@require_POST
def invited_unit_remove(request: AuthedRequest, pk: int, unit_pk: int) -> HttpResponse:
    meeting = _editable(request, pk)
    unit = meeting.invited_units.filter(pk=unit_pk).first()
    if unit is None:
        raise Http404(_("Không tìm thấy."))
    services.remove_invited_unit(actor=request.user, meeting=meeting, unit=unit)
    messages.success(request, _("Đã bỏ %(unit)s khỏi danh sách mời.") % {"unit": unit.name})
    return redirect("meetings:invitees", pk=meeting.pk)


@login_required
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _editable(request, pk)
    people = queries.people_choices(request.user, meeting)
    rows = [
        meeting_forms.AttendanceRowForm(request.POST or None, invitee=invitee, people=people)
        for invitee in queries.meeting_detail(meeting).invitees
    ]
    if request.method == "POST" and all(row.is_valid() for row in rows):
        entries = [services.AttendanceRow(person_id=row.invitee.person_id, **row.cleaned_data) for row in rows]
        try:
            services.record_attendance(actor=request.user, meeting=meeting, rows=entries)
        except ValidationError as exc:
            # The service names the person in its message; show it on top and on that row's field.
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã lưu điểm danh."))
            return redirect(_detail_anchor(meeting, "attendance"))
    context = {**_context(meeting, _("Điểm danh — %(title)s") % {"title": meeting.title}), "rows": rows}
    return render(request, "meetings/attendance.html", context)


# --- minutes ----------------------------------------------------------------------------------


@login_required
def minutes(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _editable(request, pk)
    form = meeting_forms.MinutesForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": meeting.minutes_text},
        has_file=bool(meeting.minutes_file),
    )
    return form_page(
        request,
        form,
        save=lambda data: services.save_minutes(
            actor=request.user,
            meeting=meeting,
            text=data["text"],
            upload=data.get("upload"),
            remove_file=bool(data.get("remove_file")),
        ),
        message=lambda _m: _("Đã lưu biên bản."),
        context=_context(meeting, _("Biên bản — %(title)s") % {"title": meeting.title}),
        template=FORM_TEMPLATE,
        then=lambda _m: _detail_anchor(meeting, "minutes"),
    )


@login_required
def minutes_download(request: AuthedRequest, pk: int) -> FileResponse:
    meeting = _meeting(request, pk)
    if not meeting.minutes_file:
        raise Http404(_("Cuộc họp chưa có tệp biên bản."))
    name = meeting.minutes_file_name or f"bien-ban-{meeting.pk}"
    content_type = next(
        (t.content_type for t in files.ALLOWED if name.lower().endswith(t.extension)),
        "application/octet-stream",
    )
    return _download(meeting.minutes_file, name, content_type)


# --- conclusions ------------------------------------------------------------------------------


@login_required
def conclusions(request: AuthedRequest, pk: int) -> HttpResponse:
    """Paste the notice → preview the numbered items (editable) → save."""
    meeting = _editable(request, pk)
    initial = {"notice_number": meeting.notice_number, "notice_date": meeting.notice_date, "text": meeting.notice_text}
    form = meeting_forms.NoticeForm(request.POST or None, initial=initial)
    items = [c.text for c in meeting.conclusions.order_by("number")]
    preview = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST or (request.htmx and "save" not in request.POST):
            items = services.split_conclusions(data["text"])
            preview = True
            if not items:
                form.add_error("text", _("Không tìm thấy kết luận nào trong nội dung đã dán."))
        else:
            items = request.POST.getlist("item")
            try:
                saved = services.save_conclusions(
                    actor=request.user,
                    meeting=meeting,
                    items=items,
                    notice_number=data["notice_number"],
                    notice_date=data["notice_date"],
                    notice_text=data["text"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu %(n)d kết luận.") % {"n": len(saved)})
                return redirect(_detail_anchor(meeting, "conclusions"))
    context = {
        **_context(meeting, _("Thông báo kết luận — %(title)s") % {"title": meeting.title}),
        "form": form,
        "items": items,
        "preview": preview,
    }
    template = "meetings/conclusions.html#items" if request.htmx and preview else "meetings/conclusions.html"
    return render(request, template, context)


# --- Word and PDF -----------------------------------------------------------------------------


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    try:
        pdf = documents.docx_to_pdf(data)
    except documents.PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _file(pdf, "application/pdf", name)


@login_required
def invitation_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    name = documents.filename(meeting, documents.INVITATION, "docx")
    return _file(documents.build_invitation(meeting), documents.DOCX_TYPE, name)


@login_required
def invitation_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _pdf(documents.build_invitation(meeting), documents.filename(meeting, documents.INVITATION, "pdf"))


@login_required
def notice_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    name = documents.filename(meeting, documents.NOTICE, "docx")
    return _file(documents.build_notice(meeting), documents.DOCX_TYPE, name)


@login_required
def notice_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _pdf(documents.build_notice(meeting), documents.filename(meeting, documents.NOTICE, "pdf"))
