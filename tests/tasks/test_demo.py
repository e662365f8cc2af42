from chidao.accounts.models import User
from chidao.org.demo import load_demo
from chidao.tasks import demo
from chidao.tasks.models import Status, Task


def test_demo_tasks_cover_every_status_and_load_once(db):
    load_demo(with_units=False)
    admin = User.objects.get(username="quantri")
    first = demo.load(actor=admin)
    assert first.created >= 7
    statuses = {t.status_on() for t in Task.objects.all()}
    assert statuses == set(Status)
    assert Task.objects.filter(parent__isnull=False).exists()
    assert Task.objects.filter(recurrence="quarterly").exists()
    assert Task.objects.filter(extensions__state="pending").exists()
    count = Task.objects.count()
    second = demo.load(actor=admin)
    assert second.created == 0 and str(second) == "tasks demo: nothing new"
    assert Task.objects.count() == count


def test_demo_turns_the_city_committee_meeting_conclusions_into_tasks(db):
    import datetime as dt

    from django.utils import timezone

    from chidao.meetings.models import Conclusion, Meeting
    from chidao.org.models import Committee

    load_demo(with_units=False)
    admin = User.objects.get(username="quantri")
    committee = Committee.objects.filter(unit__code="P48").first()
    assert committee is not None
    meeting = Meeting.objects.create(
        title="Hội nghị đánh giá kết quả quý I (dữ liệu mẫu)",
        host_committee=committee,
        starts_at=timezone.now() - dt.timedelta(days=3),
    )
    for number, text in enumerate(["Một là, tuyên truyền.", "Hai là, tập huấn.", "Ba là, báo cáo."], start=1):
        Conclusion.objects.create(meeting=meeting, number=number, text=text)
    summary = demo.load(actor=admin)
    assert summary.from_conclusions == 2
    assert set(Task.objects.filter(meeting=meeting).values_list("conclusion__number", flat=True)) == {1, 2}
    assert demo.load(actor=admin).from_conclusions == 0
