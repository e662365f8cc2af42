import pytest

from chidao.accounts.models import User
from chidao.meetings import demo
from chidao.meetings.models import Meeting, MeetingStatus
from chidao.org.demo import ADMIN_USERNAME, load_demo


@pytest.mark.django_db
def test_meetings_demo_loads_once_and_each_side_sees_its_meetings():
    load_demo(with_units=False)
    admin = User.objects.get(username=ADMIN_USERNAME)
    first = demo.load(actor=admin)
    assert len(first.created) == 3
    review = Meeting.objects.get(title=demo.QUARTERLY_TITLE)
    assert review.status == MeetingStatus.HELD and review.notice_number == "12-TB/BCĐ"
    assert [c.number for c in review.conclusions.all()] == [1, 2, 3, 4]
    assert review.conclusions.last().text.startswith("Các phường, xã hoàn thành kiện toàn Ban Chỉ đạo")
    assert review.invitees.filter(attendance="absent").get().absence_reason == "Đi công tác tại Hà Nội"
    assert review.agenda_items.count() == 3 and review.invited_units.count() == 2
    thanh_hoa = Meeting.objects.get(title=demo.QN_DELEGATION_TITLE)
    assert thanh_hoa.chair.full_name == "Nguyễn Thị Thu Lan"
    assert list(thanh_hoa.conclusions.values_list("text", flat=True)) == demo.QN_CONCLUSIONS

    da_nang = User.objects.get(username="thuky.danang")
    assert set(Meeting.objects.visible_to(da_nang).values_list("title", flat=True)) == {
        demo.QUARTERLY_TITLE,
        demo.QN_DELEGATION_TITLE,
        demo.DN_DELEGATION_TITLE,
    }
    quang_ninh = User.objects.get(username="xem.quangninh")
    assert list(Meeting.objects.visible_to(quang_ninh).values_list("title", flat=True)) == [demo.DN_DELEGATION_TITLE]
    assert not Meeting.objects.visible_to(User.objects.get(username="thuky.haichau")).exists()

    second = demo.load(actor=admin)
    assert second.created == [] and str(second) == "meetings demo: nothing new"
    assert Meeting.objects.count() == 3
