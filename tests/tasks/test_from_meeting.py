import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from chidao.audit.models import AuditEntry
from chidao.tasks import services
from chidao.tasks.models import Source, Task
from tests.tasks.conftest import make_meeting

D = dt.timedelta
CONCLUSIONS = [
    "Một là, Ban Tuyên giáo chủ trì xây dựng kế hoạch tuyên truyền quý II.",
    "Hai là, các phường tổ chức hội nghị quán triệt Nghị quyết 35.",
    "Ba là, Tổ giúp việc tổng hợp báo cáo sơ kết 6 tháng.",
]


def _row(conclusion, lead, due, **extra):
    return services.ConclusionRow(conclusion=conclusion, title=conclusion.text, lead_unit=lead, due_date=due, **extra)


def test_chosen_conclusions_become_linked_tasks_in_one_step(tw):
    meeting = make_meeting(tw, CONCLUSIONS)
    first, second, _third = meeting.conclusions.order_by("number")
    due = timezone.localdate() + D(days=30)
    created = services.create_tasks_from_conclusions(
        actor=tw.province_admin,
        meeting=meeting,
        rows=[_row(first, tw.commune_a, due, coordinating_units=[tw.commune_b]), _row(second, tw.commune_b, due)],
    )
    assert [(t.conclusion, t.meeting, t.source, t.assigning_unit) for t in created] == [
        (first, meeting, Source.MEETING, tw.province_a),
        (second, meeting, Source.MEETING, tw.province_a),
    ]
    assert created[0].assigned_on == timezone.localtime(meeting.starts_at).date()
    assert AuditEntry.objects.filter(action="tasks.task.created_from_conclusion").count() == 2


def test_one_bad_row_saves_nothing_and_errors_name_the_row(tw):
    meeting = make_meeting(tw, CONCLUSIONS)
    first, second, third = meeting.conclusions.order_by("number")
    due = timezone.localdate() + D(days=30)
    with pytest.raises(ValidationError) as exc:
        services.create_tasks_from_conclusions(
            actor=tw.province_admin,
            meeting=meeting,
            rows=[
                _row(first, tw.commune_a, due),
                _row(second, tw.commune_c, due),  # another province
                _row(third, tw.commune_a, timezone.localdate() - D(days=10)),
            ],
        )
    messages = exc.value.message_dict["rows"]
    assert messages[0].startswith("Dòng 2 (kết luận số 2): Đơn vị chủ trì phải thuộc Thành phố Đà Nẵng")
    assert messages[1].startswith("Dòng 3 (kết luận số 3): Hạn hoàn thành")
    assert not Task.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="tasks.").exists()


def test_only_the_host_secretariat_turns_conclusions_into_tasks(tw):
    meeting = make_meeting(tw, CONCLUSIONS)
    with pytest.raises(PermissionDenied):
        services.create_tasks_from_conclusions(
            actor=tw.commune_officer,
            meeting=meeting,
            rows=[_row(meeting.conclusions.first(), tw.commune_a, timezone.localdate() + D(days=5))],
        )
    assert not Task.objects.exists()


def _post_data(meeting, rows):
    """The formset's POST: `rows` maps a 0-based row to its fields; other rows stay unticked."""
    conclusions = list(meeting.conclusions.order_by("number"))
    data = {"form-TOTAL_FORMS": str(len(conclusions)), "form-INITIAL_FORMS": str(len(conclusions))}
    for i, c in enumerate(conclusions):
        data[f"form-{i}-conclusion"] = str(c.pk)
        data[f"form-{i}-title"] = c.text
        for name, value in rows.get(i, {}).items():
            data[f"form-{i}-{name}"] = value
    return data


def test_the_page_turns_two_conclusions_into_tasks(tw, as_user):
    meeting = make_meeting(tw, CONCLUSIONS)
    client = as_user(tw.province_admin)
    url = reverse("tasks:from_meeting", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hai là, các phường tổ chức hội nghị" in body and 'name="form-2-due_date"' in body
    due = (timezone.localdate() + D(days=20)).isoformat()
    response = client.post(
        url,
        _post_data(
            meeting,
            {
                0: {"selected": "on", "lead_unit": tw.commune_a.pk, "due_date": due},
                1: {"selected": "on", "lead_unit": tw.commune_b.pk, "due_date": due, "title": "Hội nghị quán triệt"},
            },
        ),
    )
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert sorted(Task.objects.values_list("conclusion__number", "lead_unit__code", "title")) == [
        (1, "W20242", CONCLUSIONS[0]),
        (2, "W20209", "Hội nghị quán triệt"),
    ]
    again = client.get(url).content.decode()
    assert "Đã giao" in again  # the page shows what was already given


def test_the_page_shows_row_errors_and_saves_nothing(tw, as_user):
    meeting = make_meeting(tw, CONCLUSIONS)
    client = as_user(tw.province_admin)
    url = reverse("tasks:from_meeting", args=[meeting.pk])
    due = (timezone.localdate() + D(days=20)).isoformat()
    missing = client.post(
        url,
        _post_data(
            meeting,
            {
                0: {"selected": "on", "lead_unit": tw.commune_a.pk, "due_date": due},
                1: {"selected": "on", "due_date": due},
            },
        ),
    )
    assert "Dòng 2: Đơn vị chủ trì — Hãy chọn đơn vị chủ trì." in missing.content.decode()
    late = client.post(
        url,
        _post_data(
            meeting,
            {
                2: {
                    "selected": "on",
                    "lead_unit": tw.commune_a.pk,
                    "due_date": (timezone.localdate() - D(days=30)).isoformat(),
                }
            },
        ),
    )
    assert "Dòng 1 (kết luận số 3): Hạn hoàn thành" in late.content.decode()
    assert not Task.objects.exists()


def test_a_commune_officer_gets_403_and_the_other_province_404(tw, as_user):
    meeting = make_meeting(tw, CONCLUSIONS)
    url = reverse("tasks:from_meeting", args=[meeting.pk])
    assert as_user(tw.commune_officer).get(url).status_code == 404  # the province's meeting is not in scope
    assert as_user(tw.outsider).get(url).status_code == 404
    assert as_user(tw.viewer).get(url).status_code == 403
