import pytest

from chidao.accounts.models import User
from chidao.org.demo import ADMIN_USERNAME, load_demo
from chidao.reporting.demo import FORM_CODE, load_reporting_demo
from chidao.reporting.models import Aggregate, Report, ReportForm, Status
from chidao.reporting.queries import verify_aggregates


@pytest.mark.django_db
def test_reporting_demo_has_approved_reports_rolled_up_and_loads_once():
    load_demo(with_units=False)
    admin = User.objects.get(username=ADMIN_USERNAME)
    first = load_reporting_demo(actor=admin)
    assert first.created_form
    assert Report.objects.filter(form__code=FORM_CODE, status=Status.APPROVED).count() == first.approved_reports > 0
    assert Aggregate.objects.filter(unit__code="P48", count__gt=0).exists()
    assert verify_aggregates().differences == []
    second = load_reporting_demo(actor=admin)
    assert not second.created_form
    assert ReportForm.objects.filter(code=FORM_CODE).count() == 1
