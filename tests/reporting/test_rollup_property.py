"""Random sequences of open/save/submit/return/approve/correct keep every aggregate equal to the
sum of the approved source values (the invariant `chidao reporting verify` checks)."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from chidao.reporting import services
from chidao.reporting.models import Report
from chidao.reporting.queries import verify_aggregates
from tests.conftest import World

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["save", "submit", "return", "approve", "correct"]),
        st.sampled_from(["a", "b"]),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=25,
)


class RollUpInvariant(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ACTIONS)
    def test_aggregates_always_match_source_values(self, actions):
        from tests.conftest import _world
        from tests.reporting.conftest import _setup

        world: World = _world()
        rp = _setup(world)
        officers = {"a": (world.commune_a, world.commune_officer), "b": (world.commune_b, world.sibling_officer)}
        for action, who, x, y in actions:
            unit, officer = officers[who]
            report = Report.objects.filter(form=rp.form, unit=unit, period=rp.period).order_by("-revision").first()
            try:
                if report is None:
                    report = services.open_report(actor=officer, form=rp.form, unit=unit, period=rp.period)
                if action == "save":
                    services.save_values(
                        actor=officer, report=report, values={rp.registered.pk: max(x, y), rp.trained.pk: min(x, y)}
                    )
                elif action == "submit":
                    services.submit_report(actor=officer, report=report)
                elif action == "return":
                    services.return_report(actor=world.province_admin, report=report, reason="Kiểm tra lại")
                elif action == "approve":
                    services.approve_report(actor=world.province_admin, report=report)
                else:
                    services.start_correction(actor=officer, report=report, reason="Điều chỉnh")
            except ValidationError:
                pass  # an action the workflow refuses changes nothing
            assert verify_aggregates().differences == []
