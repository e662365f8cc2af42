"""Excel pages of periodic reporting: a report's fill-in template, loading it back, bulk export and
loading an edited bulk export back."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chidao.forms import StyledFormMixin
from chidao.http import AuthedRequest
from chidao.org import queries as org_queries
from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404, require_role
from chidao.reporting import bulk_import, excel, services
from chidao.reporting.models import Period, Report, ReportForm, Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel đã điền (.xlsx)"),
        help_text=gettext_lazy("Dùng đúng tệp mẫu tải về cho báo cáo này; tối đa 5 MB."),
    )


class ExportForm(StyledFormMixin, forms.Form):
    form = forms.ModelChoiceField(queryset=ReportForm.objects.none(), label=gettext_lazy("Biểu mẫu"))
    period = forms.ModelChoiceField(
        queryset=Period.objects.order_by("-start", "end"),
        required=False,
        label=gettext_lazy("Kỳ báo cáo"),
        empty_label=gettext_lazy("Tất cả các kỳ"),
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=gettext_lazy("Đơn vị (gồm các đơn vị trực thuộc)"),
        empty_label=gettext_lazy("Đơn vị đang làm việc"),
    )
    status = forms.ChoiceField(
        # Exports hold current reports only, so "superseded" would always be empty.
        choices=[("", gettext_lazy("Mọi trạng thái")), *(c for c in Status.choices if c[0] != Status.SUPERSEDED)],
        required=False,
        label=gettext_lazy("Trạng thái"),
    )
    format = forms.ChoiceField(
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")], initial="xlsx", label=gettext_lazy("Định dạng")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = ReportForm.objects.visible_to(user)  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["unit"].queryset = Unit.objects.visible_to(user).order_by("depth", "name")  # type: ignore[attr-defined]  # ModelChoiceField


def _report(request: AuthedRequest, pk: int) -> Report:
    return get_visible_or_404(Report.objects.select_related("form", "unit", "period", "version"), request.user, pk=pk)


@login_required
def report_xlsx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    report = _report(request, pk)
    data = excel.build_template(report)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=excel.filename(report), content_type=XLSX)


@login_required
def report_xlsx_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    require_role(request.user, report.unit, services.EDITOR)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if not report.is_editable:
        errors.append(
            _("Báo cáo ở trạng thái “%(status)s”: không nhận tệp Excel.") % {"status": report.get_status_display()}
        )
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size is not None and upload.size > excel.MAX_BYTES:
                raise excel.UploadFailed([_("Tệp lớn hơn 5 MB.")])
            parsed = excel.parse_upload(upload.read(excel.MAX_BYTES + 1), report)
            try:
                changed = services.save_values(
                    actor=request.user,
                    report=report,
                    values=parsed.values,
                    comments=parsed.comments,
                    narratives=parsed.narratives,
                )
            except ValidationError as exc:
                raise excel.UploadFailed(parsed.located(exc)) from exc
        except excel.UploadFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Đã nhận tệp Excel: %(n)s số liệu được cập nhật.") % {"n": len(changed)})
            return redirect(report)
    if errors and request.method == "POST":
        form.add_error("file", _("Tệp có %(n)s lỗi; chưa có dữ liệu nào được lưu.") % {"n": len(errors)})
    return render(
        request,
        "reporting/excel_upload.html",
        {
            "report": report,
            "form": form,
            "errors": errors,
            "crumbs": org_queries.ancestors(report.unit, request.user),
        },
    )


@login_required
def export(request: AuthedRequest) -> HttpResponseBase:
    form = ExportForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        unit = data["unit"] or org_queries.current_unit_for(request)
        values = excel.export_values(
            request.user, form=data["form"], unit=unit, period=data["period"], status=data["status"]
        )
        rows = excel.export_rows(values)
        name = excel.export_filename(data["form"], unit, data["period"], data["format"])
        if data["format"] == "csv":
            response = StreamingHttpResponse(excel.export_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return FileResponse(io.BytesIO(excel.export_xlsx(rows)), as_attachment=True, filename=name, content_type=XLSX)
    return render(request, "reporting/excel_export.html", {"form": form})


class ImportForm(StyledFormMixin, forms.Form):
    form = forms.ModelChoiceField(queryset=ReportForm.objects.none(), label=gettext_lazy("Biểu mẫu"))
    period = forms.ModelChoiceField(
        queryset=Period.objects.order_by("-start", "end"),
        required=False,
        label=gettext_lazy("Kỳ báo cáo"),
        empty_label=gettext_lazy("Theo cột “Kỳ báo cáo” của tệp"),
        help_text=gettext_lazy("Chọn khi tệp không có cột “Kỳ báo cáo”: mọi dòng phải thuộc kỳ này."),
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        help_text=gettext_lazy("Tệp xuất từ trang Xuất số liệu, đã sửa; tối đa 40 MB, 200.000 dòng."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = ReportForm.objects.visible_to(user)  # type: ignore[attr-defined]  # ModelChoiceField


@login_required
def import_values(request: AuthedRequest) -> HttpResponse:
    """Load an edited bulk export back: every row checked, nothing saved unless all are valid."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = bulk_import.import_values(
                actor=request.user,
                data=bulk_import.read_upload(data["file"]),
                form=data["form"],
                period=data["period"],
            )
        except bulk_import.ImportFailed as exc:
            errors = exc.errors
            form.add_error("file", _("Tệp có %(n)s lỗi; chưa có dữ liệu nào được lưu.") % {"n": exc.total})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã nhập tệp Excel: %(changed)s số liệu được cập nhật trong %(reports)s báo cáo, "
                    "%(unchanged)s số liệu không đổi."
                )
                % {"changed": result.changed, "reports": result.reports, "unchanged": result.unchanged},
            )
            return redirect("reporting:import_values")
    return render(request, "reporting/excel_import.html", {"form": form, "errors": errors})
