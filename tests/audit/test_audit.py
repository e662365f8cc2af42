import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from chidao.audit.models import AppendOnlyError, AuditEntry
from chidao.audit.queries import verify_chain
from chidao.org import services


@pytest.fixture
def entries(world):
    services.create_person(actor=world.province_admin, unit=world.province_a, full_name="Người Một")
    services.create_person(actor=world.commune_officer, unit=world.commune_a, full_name="Người Hai")
    services.create_person(actor=world.outsider, unit=world.province_b, full_name="Người Ba")
    return list(AuditEntry.objects.order_by("id"))


def test_chain_verifies_and_command_says_ok(entries, capsys):
    assert verify_chain().ok
    call_command("audit", "verify")
    assert "audit chain OK: 3 entries verified" in capsys.readouterr().out


def test_entries_cannot_be_changed_or_deleted_from_the_app(entries):
    entry = entries[0]
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="x")


def test_tampering_in_the_database_is_detected(entries):
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET target_repr = %s WHERE id = %s"  # noqa: S608  # table name from our own model
        cursor.execute(sql, ["Người Giả", entries[1].pk])
    report = verify_chain()
    assert not report.ok
    assert any(f"#{entries[1].pk}" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_removing_an_entry_is_detected(entries):
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entries[1].pk])  # noqa: S608
    assert not verify_chain().ok


def test_admin_sees_only_own_subtree_trail_and_officer_sees_none(world, entries, as_user):
    body = as_user(world.province_admin).get(reverse("audit:entry_list")).content.decode()
    assert "Người Một" in body and "Người Hai" in body
    assert "Người Ba" not in body
    officer = as_user(world.commune_officer).get(reverse("audit:entry_list")).content.decode()
    assert "Người Hai" not in officer


def test_trail_filters_by_actor(world, entries, as_user):
    body = as_user(world.system_admin).get(reverse("audit:entry_list"), {"actor": "outsider"}).content.decode()
    assert "Người Ba" in body and "Người Một" not in body


def test_entry_detail_shows_changes(world, entries, as_user):
    body = as_user(world.province_admin).get(reverse("audit:entry_detail", args=[entries[0].pk])).content.decode()
    assert "Người Một" in body and entries[0].hash in body


def test_entries_about_one_object_share_a_lane_and_objects_spread_over_lanes(world):
    from chidao.audit.models import AuditHead

    people = [
        services.create_person(actor=world.province_admin, unit=world.province_a, full_name=f"Người {n}")
        for n in range(12)
    ]
    services.update_person(actor=world.province_admin, person=people[0], full_name="Người Không")
    first = AuditEntry.objects.filter(target_type="org.person", target_id=str(people[0].pk)).order_by("id")
    assert first.count() == 2 and len({e.lane for e in first}) == 1
    assert first[1].prev_hash == first[0].hash  # one object's history is one ordered chain
    assert AuditEntry.objects.values("lane").distinct().count() > 1
    assert sum(AuditHead.objects.values_list("count", flat=True)) == AuditEntry.objects.count()
    assert verify_chain().ok


def test_moving_an_entry_to_another_lane_is_detected(entries):
    table = AuditEntry._meta.db_table
    entry = entries[0]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET lane = %s WHERE id = %s", [(entry.lane + 1) % 16, entry.pk])  # noqa: S608
    report = verify_chain()
    assert not report.ok
    assert any(f"lane {entry.lane}" in p for p in report.problems)
