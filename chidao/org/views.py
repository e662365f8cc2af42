"""Organisation pages: units, committees (org chart, history, reshuffle), people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chidao.forms import apply_errors
from chidao.http import AuthedRequest
from chidao.org import forms as org_forms
from chidao.org import imports, queries, services
from chidao.org.models import Committee, Membership, Person, Unit
from chidao.org.scope import get_visible_or_404, has_role
from chidao.pages import form_page

EDITOR = "secretariat"


def _parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _page(request: AuthedRequest, qs: Any, per_page: int = 50) -> Any:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _querystring_without_page(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    unit = queries.current_unit_for(request)
    context: dict[str, Any] = {"unit": unit}
    if unit is not None:
        context["summary"] = queries.unit_summary(request.user, unit)
        context["committees"] = queries.committees_for(request.user, under=unit)[:10]
        context["crumbs"] = queries.ancestors(unit, request.user)
    return render(request, "org/home.html", context)


@login_required
@require_POST
def switch_unit(request: AuthedRequest) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=request.POST.get("unit"))
    request.session[queries.SESSION_KEY] = unit.pk
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = unit.get_absolute_url()
    messages.info(request, _("Đang làm việc tại: %(unit)s") % {"unit": unit.name})
    return redirect(next_url)


# --- units -----------------------------------------------------------------------------------


@login_required
def unit_list(request: AuthedRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    if not text:
        unit = queries.current_unit_for(request)
        if unit is None:
            raise Http404(_("Bạn chưa được phân quyền tại đơn vị nào."))
        return redirect(unit)
    include_history = request.GET.get("history") == "1"
    page = _page(
        request,
        queries.units_for(request.user, text=text, include_history=include_history).select_related("parent"),
    )
    return render(
        request,
        "org/unit_list.html",
        {
            "page_obj": page,
            "q": text,
            "history": include_history,
            "querystring_base": _querystring_without_page(request),
        },
    )


@login_required
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.select_related("parent", "successor"), request.user, pk=pk)
    text = request.GET.get("q", "").strip()
    include_history = request.GET.get("history") == "1"
    children = queries.units_for(request.user, parent=unit, text=text, include_history=include_history)
    context = {
        "unit": unit,
        "crumbs": queries.ancestors(unit, request.user)[:-1],
        "summary": queries.unit_summary(request.user, unit),
        "page_obj": _page(request, children),
        "q": text,
        "history": include_history,
        "querystring_base": _querystring_without_page(request),
        "committees": queries.committees_for(request.user).filter(unit=unit),
        "predecessors": Unit.objects.visible_to(request.user).filter(successor=unit).order_by("name")[:200],
        "can_edit": has_role(request.user, unit, EDITOR),
    }
    template = "org/unit_detail.html#children" if request.htmx else "org/unit_detail.html"
    return render(request, template, context)


@login_required
def agency_create(request: AuthedRequest, pk: int) -> HttpResponse:
    parent = get_visible_or_404(Unit.objects.all(), request.user, pk=pk)
    return form_page(
        request,
        org_forms.AgencyForm(request.POST or None),
        save=lambda data: services.create_unit(actor=request.user, parent=parent, **data),
        message=lambda unit: _("Đã thêm %(unit)s.") % {"unit": unit.name},
        context=_form_context(request, _("Thêm cơ quan, đơn vị trực thuộc %(unit)s") % {"unit": parent.name}, parent),
    )


@login_required
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=pk)
    initial = {f: getattr(unit, f) for f in ("name", "code", "valid_from", "valid_until", "note")}
    return form_page(
        request,
        org_forms.UnitEditForm(request.POST or None, initial=initial),
        save=lambda data: services.update_unit(actor=request.user, unit=unit, **data),
        message=lambda _unit: _("Đã lưu thay đổi."),
        context=_form_context(request, _("Sửa %(unit)s") % {"unit": unit.name}, unit),
    )


# --- committees ------------------------------------------------------------------------------


def _searchable_list(request: AuthedRequest, template: str, search: Callable[[Unit | None, str], Any]) -> HttpResponse:
    """A list under the working unit with a search box; htmx requests get only the #rows region."""
    unit = queries.current_unit_for(request)
    text = request.GET.get("q", "").strip()
    context = {
        "page_obj": _page(request, search(unit, text)),
        "q": text,
        "unit": unit,
        "querystring_base": _querystring_without_page(request),
        "can_create": unit is not None and has_role(request.user, unit, EDITOR),
    }
    return render(request, f"{template}#rows" if request.htmx else template, context)


@login_required
def committee_list(request: AuthedRequest) -> HttpResponse:
    return _searchable_list(
        request,
        "org/committee_list.html",
        lambda unit, text: queries.committees_for(request.user, under=unit, text=text),
    )


def _form_context(request: AuthedRequest, title: str, unit: Unit, cancel_url: str = "") -> dict[str, Any]:
    return {
        "title": title,
        "crumbs": queries.ancestors(unit, request.user),
        "cancel_url": cancel_url or unit.get_absolute_url(),
    }


@login_required
def committee_create(request: AuthedRequest) -> HttpResponse:
    unit_id = request.GET.get("unit") or request.POST.get("unit")
    unit = (
        get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
        if unit_id
        else queries.current_unit_for(request)
    )
    if unit is None:
        raise Http404(_("Không tìm thấy."))
    return form_page(
        request,
        org_forms.CommitteeForm(request.POST or None, agencies=queries.agency_choices(request.user, unit)),
        save=lambda data: services.create_committee(actor=request.user, unit=unit, **data),
        message=lambda committee: _("Đã thành lập %(name)s.") % {"name": committee.name},
        context=_form_context(request, _("Thêm Ban Chỉ đạo tại %(unit)s") % {"unit": unit.name}, unit),
    )


def _committee_context(request: AuthedRequest, committee: Committee, title: str) -> dict[str, Any]:
    return _form_context(request, title, committee.unit, committee.get_absolute_url())


def _get_committee(request: AuthedRequest, pk: int) -> Committee:
    return get_visible_or_404(Committee.objects.select_related("unit", "standing_agency"), request.user, pk=pk)


@login_required
def committee_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = _get_committee(request, pk)
    day = _parse_day(request.GET.get("on"))
    context = {
        "committee": committee,
        "composition": queries.composition(committee, day),
        "is_today": day is None or day == timezone.localdate(),
        "crumbs": queries.ancestors(committee.unit, request.user),
        "can_edit": has_role(request.user, committee.unit, EDITOR),
    }
    return render(request, "org/committee_detail.html", context)


@login_required
def committee_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = _get_committee(request, pk)
    fields = (
        "name",
        "short_name",
        "kind",
        "founding_decision",
        "founded_on",
        "standing_agency",
        "description",
        "dissolved_on",
    )
    form = org_forms.CommitteeForm(
        request.POST or None,
        initial={f: getattr(committee, f) for f in fields},
        agencies=queries.agency_choices(request.user, committee.unit),
        editing=True,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_committee(actor=request.user, committee=committee, **data),
        message=lambda _c: _("Đã lưu thay đổi."),
        context=_committee_context(request, committee, _("Sửa %(name)s") % {"name": committee.name}),
    )


@login_required
def committee_history(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = _get_committee(request, pk)
    return render(
        request,
        "org/committee_history.html",
        {
            "committee": committee,
            "history": queries.history(committee),
            "crumbs": queries.ancestors(committee.unit, request.user),
        },
    )


@login_required
def group_create(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = _get_committee(request, pk)
    return form_page(
        request,
        org_forms.GroupForm(request.POST or None),
        save=lambda data: services.create_group(actor=request.user, committee=committee, **data),
        message=lambda _g: _("Đã thêm tổ, nhóm."),
        context=_committee_context(request, committee, _("Thêm tổ, nhóm — %(name)s") % {"name": committee}),
        then=lambda _g: committee,
    )


@login_required
def member_appoint(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = _get_committee(request, pk)
    form = org_forms.AppointForm(
        request.POST or None,
        initial={"start_date": timezone.localdate()},
        people=queries.people_choices(request.user, committee.unit),
        groups=committee.groups.all(),
    )
    return form_page(
        request,
        form,
        save=lambda data: services.appoint_member(actor=request.user, committee=committee, **data),
        message=lambda m: _("Đã phân công %(person)s.") % {"person": m.person},
        context=_committee_context(request, committee, _("Phân công thành viên — %(name)s") % {"name": committee}),
        then=lambda _m: committee,
    )


@login_required
def membership_end(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_visible_or_404(Membership.objects.select_related("committee__unit", "person"), request.user, pk=pk)
    committee = membership.committee
    return form_page(
        request,
        org_forms.EndMembershipForm(request.POST or None, initial={"end_date": timezone.localdate()}),
        save=lambda data: services.end_membership(actor=request.user, membership=membership, **data),
        message=lambda m: _("%(person)s đã thôi tham gia.") % {"person": m.person},
        context=_committee_context(request, committee, _("Thôi tham gia: %(m)s") % {"m": membership}),
        then=lambda _m: committee,
    )


ROWS = 5


@login_required
def committee_reshuffle(request: AuthedRequest, pk: int) -> HttpResponse:
    """Kiện toàn: end some seats and open others under one decision, all or nothing."""
    committee = _get_committee(request, pk)
    current = queries.committee_memberships(committee, current_only=True)
    people = queries.people_choices(request.user, committee.unit)
    groups = committee.groups.all()
    data = request.POST or None
    form = org_forms.ReshuffleForm(data, current=current, initial={"effective_date": timezone.localdate()})
    rows = [org_forms.AppointmentRowForm(data, prefix=f"row{i}", people=people, groups=groups) for i in range(ROWS)]
    if request.method == "POST" and form.is_valid() and all(r.is_valid() for r in rows):
        appointments = [
            services.Appointment(
                person=r.cleaned_data["person"],
                role=r.cleaned_data["role"],
                position=r.cleaned_data["position"],
                group=r.cleaned_data["group"],
            )
            for r in rows
            if r.cleaned_data.get("person")
        ]
        try:
            services.reshuffle_committee(
                actor=request.user,
                committee=committee,
                decision=form.cleaned_data["decision"],
                effective_date=form.cleaned_data["effective_date"],
                ending=list(form.cleaned_data["ending"]),
                appointments=appointments,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã kiện toàn %(name)s.") % {"name": committee})
            return redirect("org:committee_history", pk=committee.pk)
    return render(
        request,
        "org/committee_reshuffle.html",
        {
            "committee": committee,
            "form": form,
            "rows": rows,
            "crumbs": queries.ancestors(committee.unit, request.user),
        },
    )


@login_required
def member_import(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = _get_committee(request, pk)
    form = org_forms.MemberImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                created = imports.import_members(
                    actor=request.user,
                    committee=committee,
                    upload=form.cleaned_data["file"],
                )
        except imports.ImportFailed as exc:
            row_errors = exc.errors
            form.add_error(
                "file",
                _("Tệp có %(n)s lỗi; chưa có dữ liệu nào được lưu.") % {"n": len(exc.errors)},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã nhập %(n)s thành viên.") % {"n": len(created)})
            return redirect(committee)
    return render(
        request,
        "org/member_import.html",
        {
            "committee": committee,
            "form": form,
            "row_errors": row_errors,
            "crumbs": queries.ancestors(committee.unit, request.user),
        },
    )


# --- people ----------------------------------------------------------------------------------


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    return _searchable_list(
        request, "org/person_list.html", lambda unit, text: queries.people_for(request.user, under=unit, text=text)
    )


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    unit = queries.current_unit_for(request)
    if unit is None:
        raise Http404(_("Không tìm thấy."))
    return form_page(
        request,
        org_forms.PersonForm(request.POST or None, agencies=queries.agency_choices(request.user, unit)),
        save=lambda data: services.create_person(actor=request.user, unit=unit, **data),
        message=lambda person: _("Đã thêm %(person)s.") % {"person": person},
        context=_form_context(
            request, _("Thêm cá nhân tại %(unit)s") % {"unit": unit.name}, unit, reverse("org:person_list")
        ),
    )


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.select_related("unit", "agency"), request.user, pk=pk)
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "memberships": queries.memberships_of(person),
            "crumbs": queries.ancestors(person.unit, request.user),
            "can_edit": has_role(request.user, person.unit, EDITOR),
        },
    )


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.select_related("unit"), request.user, pk=pk)
    fields = ("full_name", "titles", "agency", "email", "phone", "note")
    form = org_forms.PersonForm(
        request.POST or None,
        initial={f: getattr(person, f) for f in fields},
        agencies=queries.agency_choices(request.user, person.unit),
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_person(actor=request.user, person=person, **data),
        message=lambda _p: _("Đã lưu thay đổi."),
        context=_form_context(
            request, _("Sửa %(person)s") % {"person": person}, person.unit, person.get_absolute_url()
        ),
    )
