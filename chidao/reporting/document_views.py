"""The report as a Word or PDF file in the official layout (NĐ 30/2020/NĐ-CP or HD 36-HD/VPTW)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from chidao.http import AuthedRequest
from chidao.org.scope import get_visible_or_404
from chidao.reporting import documents
from chidao.reporting.models import Report


def _report(request: AuthedRequest, pk: int) -> Report:
    return get_visible_or_404(
        Report.objects.select_related("form", "version", "unit__parent", "period"), request.user, pk=pk
    )


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@login_required
def report_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return _file(documents.build_report_docx(report), documents.DOCX_TYPE, documents.filename(report, "docx"))


@login_required
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        data = documents.docx_to_pdf(documents.build_report_docx(report))
    except documents.PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _file(data, "application/pdf", documents.filename(report, "pdf"))
