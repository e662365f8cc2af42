import pytest

from chidao.audit.models import AuditEntry
from chidao.org.loader import load_administrative_units
from chidao.org.models import Unit, UnitClosure, UnitKind


@pytest.mark.django_db
def test_loading_units_builds_the_2025_tree_with_history_and_is_idempotent():
    first = load_administrative_units()
    assert Unit.objects.current().filter(kind=UnitKind.PROVINCE).count() == 34
    assert Unit.objects.current().filter(kind=UnitKind.COMMUNE).count() == 3321
    assert Unit.objects.filter(kind=UnitKind.PROVINCE, valid_until__isnull=False).count() == 63
    assert Unit.objects.filter(kind=UnitKind.DISTRICT).count() == 696
    assert Unit.objects.filter(kind=UnitKind.COMMUNE, valid_until__isnull=False).count() == 10051
    assert first.created == Unit.objects.count()

    quang_nam = Unit.objects.get(code="OP49")
    assert quang_nam.successor.code == "P48"
    assert str(quang_nam.valid_until) == "2025-06-30"
    da_nang = Unit.objects.get(code="P48")
    assert Unit.objects.subtree_of(da_nang).filter(kind=UnitKind.COMMUNE).count() == 94
    assert UnitClosure.objects.filter(descendant__code="P48").count() == 2

    entries = AuditEntry.objects.count()
    second = load_administrative_units()
    assert second.created == 0
    assert second.updated == 0
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_a_unit_moved_by_the_source_is_announced_after_the_closure_is_rebuilt(monkeypatch):
    from dataclasses import replace

    from chidao.org import loader
    from chidao.org.signals import units_moved

    rows = loader.source_rows(include_history=False)
    load_administrative_units(include_history=False)
    ward = next(r for r in rows if r.kind == UnitKind.COMMUNE and r.parent_code == "P48")
    moved = [replace(r, parent_code="P01") if r is ward else r for r in rows]
    monkeypatch.setattr(loader, "source_rows", lambda include_history=True: moved)
    heard: list[list[int]] = []

    def listener(sender, unit_ids, **kwargs):
        heard.append(list(unit_ids))
        # the closure already places the unit under its new parent
        assert UnitClosure.objects.filter(descendant_id__in=unit_ids, ancestor__code="P01").exists()

    units_moved.connect(listener)
    try:
        load_administrative_units(include_history=False)
    finally:
        units_moved.disconnect(listener)
    assert heard == [[Unit.objects.get(code=ward.code).pk]]
