from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chidao.audit.models import AuditEntry
from chidao.documents import services
from chidao.documents.models import Attachment, Document, DocumentKind, DocumentRelation, RelationKind, SearchEntry
from chidao.org.scope import ScopeDenied
from tests.documents.conftest import docx_bytes, pdf_bytes, register

pytestmark = pytest.mark.django_db


def test_registering_parses_the_symbol_indexes_and_audits(world):
    document = register(
        world.commune_officer,
        world.commune_a,
        symbol="05 - kh / đu",
        issuer="Đảng ủy phường Hải Châu",
        title="Kế hoạch bảo vệ nền tảng tư tưởng của Đảng năm 2024",
    )
    assert document.symbol == "05-KH/ĐU"
    assert (document.number, document.type_code, document.issuer_code) == (5, "KH", "ĐU")
    assert document.symbol_key == "05-KH/DU"
    entry = SearchEntry.objects.get(document=document)
    assert entry.title_folded == "ke hoach bao ve nen tang tu tuong cua dang nam 2024"
    assert entry.symbol_key == "05-KH/DU"
    audit = AuditEntry.objects.get(action="documents.document.registered")
    assert audit.actor_id == world.commune_officer.pk and audit.changes["symbol"] == "05-KH/ĐU"


def test_state_symbol_with_a_year_must_match_the_issue_year(world):
    with pytest.raises(ValidationError) as exc:
        register(
            world.province_admin,
            world.province_a,
            kind=DocumentKind.OTHER,
            symbol="12/2020/NĐ-CP",
            issuer="Chính phủ",
            title="Nghị định về công tác văn thư",
            issued_on=dt.date(2021, 3, 5),
        )
    assert "Năm trong số, ký hiệu (2020) khác năm ban hành (2021)" in exc.value.message_dict["issued_on"][0]
    assert not Document.objects.exists()


def test_a_type_code_that_does_not_match_the_kind_names_both(world):
    with pytest.raises(ValidationError) as exc:
        register(
            world.commune_officer,
            world.commune_a,
            kind=DocumentKind.RESOLUTION,
            symbol="45/KH-UBND",
            issuer="UBND phường Hải Châu",
            title="Kế hoạch",
        )
    message = exc.value.message_dict["symbol"][0]
    assert "“KH”" in message and "Kế hoạch" in message and "Nghị quyết" in message
    assert not Document.objects.exists() and not AuditEntry.objects.exists()


def test_a_malformed_symbol_is_refused_on_the_symbol_field(world):
    with pytest.raises(ValidationError) as exc:
        register(world.commune_officer, world.commune_a, symbol="KH-35", issuer="X", title="Y")
    assert "phải bắt đầu bằng số văn bản" in exc.value.message_dict["symbol"][0]


def test_the_same_symbol_of_the_same_issuer_and_year_is_refused_in_one_register(world):
    fields = {"symbol": "05-KH/ĐU", "issuer": "Đảng ủy phường Hải Châu", "title": "Kế hoạch A"}
    register(world.commune_officer, world.commune_a, **fields)
    with pytest.raises(ValidationError) as exc:
        register(world.commune_officer, world.commune_a, **{**fields, "issuer": "đảng ủy phường hải châu"})
    assert "đã có văn bản số 05-KH/ĐU của Đảng ủy phường Hải Châu năm 2024" in exc.value.message_dict["symbol"][0]
    # another year, another issuer, another unit's register: all fine
    register(world.commune_officer, world.commune_a, **fields, issued_on=dt.date(2025, 1, 2))
    register(world.commune_officer, world.commune_a, **{**fields, "issuer": "UBND phường Hải Châu"})
    register(world.sibling_officer, world.commune_b, **fields)
    assert Document.objects.count() == 4


def test_registering_needs_the_secretariat_role_on_the_unit(world):
    with pytest.raises(ScopeDenied):
        register(world.sibling_officer, world.commune_a, symbol="1-KH/ĐU", issuer="X", title="Y")
    with pytest.raises(ScopeDenied):
        register(world.viewer, world.province_a, symbol="1-KH/TU", issuer="X", title="Y")
    assert not Document.objects.exists()


def test_update_reparses_reindexes_and_audits_the_change(dw):
    document = services.update_document(
        actor=dw.commune_officer, document=dw.ward_plan, symbol="06-kh/đu", title="Kế hoạch sửa đổi"
    )
    assert document.symbol == "06-KH/ĐU" and document.number == 6
    assert SearchEntry.objects.get(document=document).title_folded == "ke hoach sua doi"
    entry = AuditEntry.objects.filter(action="documents.document.updated").get()
    assert entry.changes["symbol"] == ["05-KH/ĐU", "06-KH/ĐU"]


def test_update_refuses_unknown_fields_and_other_units(dw):
    with pytest.raises(ValidationError, match="created_by"):
        services.update_document(actor=dw.commune_officer, document=dw.ward_plan, created_by=None)
    with pytest.raises(ScopeDenied):
        services.update_document(actor=dw.sibling_officer, document=dw.ward_plan, title="X")
    with pytest.raises(ScopeDenied):
        services.update_document(actor=dw.commune_officer, document=dw.ward_plan, unit=dw.commune_b)
    dw.ward_plan.refresh_from_db()
    assert dw.ward_plan.title.startswith("Kế hoạch triển khai") and dw.ward_plan.unit_id == dw.commune_a.pk


def test_delete_removes_attachments_relations_and_search_entry(dw, django_capture_on_commit_callbacks):
    attachment = services.attach_bytes(
        actor=dw.commune_officer, document=dw.ward_plan, content=pdf_bytes(), name="ke-hoach.pdf"
    )
    path = Path(attachment.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_document(actor=dw.commune_officer, document=dw.ward_plan)
    assert not path.exists()
    assert not Document.objects.filter(symbol="05-KH/ĐU").exists()
    assert not DocumentRelation.objects.filter(source__symbol="05-KH/ĐU").exists()
    assert not SearchEntry.objects.filter(symbol_key="05-KH/DU").exists()
    entry = AuditEntry.objects.get(action="documents.document.deleted")
    assert entry.changes["attachments"] == ["ke-hoach.pdf"] and entry.changes["relations"] == 1


def test_relations_need_an_editable_source_and_a_visible_target(dw):
    # commune A's officer sees the city's "subtree" plan but cannot edit it
    with pytest.raises(ScopeDenied):
        services.relate_documents(
            actor=dw.commune_officer, source=dw.city_plan, target=dw.ward_plan, kind=RelationKind.CITES
        )
    # the city's "unit" notice is not visible to the commune
    with pytest.raises(ValidationError) as exc:
        services.relate_documents(
            actor=dw.commune_officer, source=dw.ward_plan, target=dw.city_notice, kind=RelationKind.CITES
        )
    assert exc.value.message_dict["target"] == ["Không tìm thấy văn bản liên quan."]
    with pytest.raises(ValidationError, match="chính nó"):
        services.relate_documents(
            actor=dw.commune_officer, source=dw.ward_plan, target=dw.ward_plan, kind=RelationKind.CITES
        )
    with pytest.raises(ValidationError, match="Đã ghi quan hệ “Triển khai thực hiện”"):
        services.relate_documents(
            actor=dw.commune_officer, source=dw.ward_plan, target=dw.city_plan, kind=RelationKind.IMPLEMENTS
        )
    relation = services.relate_documents(
        actor=dw.commune_officer, source=dw.ward_plan, target=dw.resolution, kind=RelationKind.CITES, note=" căn cứ "
    )
    assert relation.note == "căn cứ"
    assert AuditEntry.objects.filter(action="documents.relation.added", target_id=str(dw.ward_plan.pk)).count() == 2


def test_unrelate_needs_the_source_editor(dw):
    relation = DocumentRelation.objects.get(source=dw.ward_plan)
    with pytest.raises(ScopeDenied):
        services.unrelate_documents(actor=dw.sibling_officer, relation=relation)
    services.unrelate_documents(actor=dw.province_admin, relation=relation)
    assert not DocumentRelation.objects.filter(source=dw.ward_plan).exists()
    assert AuditEntry.objects.filter(action="documents.relation.removed").count() == 1


def test_attach_file_detects_type_extracts_text_and_indexes_it(dw):
    upload = SimpleUploadedFile(
        "Kế hoạch.docx", docx_bytes(("Đảng ủy phường Hải Châu",), table=("Nhiệm vụ", "Tổ 35")), "text/plain"
    )
    attachment = services.attach_file(actor=dw.commune_officer, document=dw.ward_plan, upload=upload)
    assert attachment.name == "Kế_hoạch.docx"
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert "Đảng ủy phường Hải Châu" in attachment.text and "Nhiệm vụ | Tổ 35" in attachment.text
    assert len(attachment.sha256) == 64 and attachment.size == upload.size
    stored = Path(attachment.file.name)
    assert stored.parts[:2] == ("documents", str(dw.ward_plan.pk)) and len(stored.stem) == 32
    assert "dang uy phuong hai chau" in SearchEntry.objects.get(document=dw.ward_plan).body_folded
    assert AuditEntry.objects.get(action="documents.attachment.added").changes["name"] == attachment.name


def test_attach_bytes_keeps_generated_files(dw):
    attachment = services.attach_bytes(
        actor=dw.province_admin, document=dw.city_plan, content=pdf_bytes(), name="ke-hoach-123.pdf"
    )
    assert attachment.name == "ke-hoach-123.pdf" and attachment.content_type == "application/pdf"
    assert "bao ve nen tang" in attachment.text
    with attachment.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")


def test_remove_attachment_deletes_the_file_after_commit_and_reindexes(dw, django_capture_on_commit_callbacks):
    attachment = services.attach_bytes(
        actor=dw.commune_officer, document=dw.ward_plan, content=pdf_bytes(), name="a.pdf"
    )
    path = Path(attachment.file.path)
    with pytest.raises(ScopeDenied):
        services.remove_attachment(actor=dw.sibling_officer, attachment=attachment)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(actor=dw.commune_officer, attachment=attachment)
    assert not path.exists() and not Attachment.objects.exists()
    assert "bao ve" not in SearchEntry.objects.get(document=dw.ward_plan).body_folded
    assert AuditEntry.objects.filter(action="documents.attachment.removed").count() == 1


# --- register_documents: many rows at once (an imported register) -----------------------------


def _rows(count: int, **fields: object) -> list[dict[str, object]]:
    return [
        {
            "kind": DocumentKind.PLAN,
            "symbol": f"{n}-KH/ĐU",
            "issuer": "Đảng ủy phường Hải Châu",
            "issued_on": dt.date(2024, 3, 1),
            "title": f"Kế hoạch số {n} về bảo vệ nền tảng tư tưởng của Đảng",
            **fields,
        }
        for n in range(1, count + 1)
    ]


def test_register_documents_enters_every_row_audits_and_indexes_each(world):
    created = services.register_documents(
        actor=world.commune_officer, unit=world.commune_a, rows=[*_rows(2), {**_rows(3)[2], "symbol": "3 - kh / đu"}]
    )
    assert [d.symbol for d in created] == ["01-KH/ĐU", "02-KH/ĐU", "03-KH/ĐU"]
    assert all(d.pk and d.unit == world.commune_a and d.created_by == world.commune_officer for d in created)
    assert [(d.number, d.type_code, d.symbol_key) for d in created][2] == (3, "KH", "03-KH/DU")
    entries = AuditEntry.objects.filter(action="documents.document.registered").order_by("id")
    assert [e.target_id for e in entries] == [str(d.pk) for d in created]
    assert entries[2].changes["symbol"] == "03-KH/ĐU" and entries[2].actor_id == world.commune_officer.pk
    assert SearchEntry.objects.get(document=created[1]).title_folded == (
        "ke hoach so 2 ve bao ve nen tang tu tuong cua dang"
    )


def test_register_documents_reports_every_row_by_number_and_saves_nothing(world):
    register(world.commune_officer, world.commune_a, symbol="09-KH/ĐU", issuer="Đảng ủy phường Hải Châu", title="A")
    rows = _rows(5)
    rows[1]["kind"] = DocumentKind.RESOLUTION  # "KH" is a plan's abbreviation
    rows[2]["title"] = "  "
    rows[3]["symbol"] = "09-KH/ĐU"  # already in the register
    rows[4]["symbol"] = "1-kh/đu"  # repeats row 1
    with pytest.raises(services.RowsInvalid) as exc:
        services.register_documents(actor=world.commune_officer, unit=world.commune_a, rows=rows)
    errors = exc.value.message_dict
    assert errors["title"] == ["Dòng 3: Hãy nhập trích yếu nội dung văn bản."]
    assert errors["symbol"][0].startswith("Dòng 2: Ký hiệu “KH” trong “02-KH/ĐU” là của loại “Kế hoạch”")
    assert errors["symbol"][1].startswith("Dòng 4: Sổ văn bản của đơn vị đã có văn bản số 09-KH/ĐU")
    assert errors["symbol"][2] == "Dòng 5: trùng với dòng 1 (cùng số ký hiệu, cơ quan ban hành và năm)."
    assert [(p.index, p.field) for p in exc.value.problems] == [
        (1, "symbol"),
        (2, "title"),
        (3, "symbol"),
        (4, "symbol"),
    ]
    assert Document.objects.count() == 1 and SearchEntry.objects.count() == 1
    assert AuditEntry.objects.filter(action="documents.document.registered").count() == 1


def test_register_documents_allows_the_same_symbol_in_another_year_or_of_another_issuer(world):
    rows = [*_rows(1), {**_rows(1)[0], "issued_on": dt.date(2025, 1, 2)}, {**_rows(1)[0], "issuer": "UBND phường"}]
    assert len(services.register_documents(actor=world.commune_officer, unit=world.commune_a, rows=rows)) == 3


def test_register_documents_refuses_unknown_fields(world):
    with pytest.raises(services.RowsInvalid) as exc:
        services.register_documents(actor=world.commune_officer, unit=world.commune_a, rows=[{**_rows(1)[0], "x": 1}])
    assert exc.value.messages == ["Dòng 1: Không thể ghi các trường: x."]


def test_register_documents_needs_the_secretariat_role_on_the_unit(world):
    with pytest.raises(ScopeDenied):
        services.register_documents(actor=world.sibling_officer, unit=world.commune_a, rows=_rows(2))
    assert not Document.objects.exists()


def test_register_documents_costs_the_same_queries_for_ten_rows_as_for_two_hundred(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chidao.audit.models import AuditHead

    with CaptureQueriesContext(connection) as few:
        services.register_documents(actor=world.commune_officer, unit=world.commune_a, rows=_rows(10))
    with CaptureQueriesContext(connection) as many:
        services.register_documents(
            actor=world.commune_officer, unit=world.commune_a, rows=_rows(200, issued_on=dt.date(2025, 1, 2))
        )
    # Rows add no queries; only the audit trail's lanes (a hash chain each, at most 16) vary with
    # the ids the new documents happen to get.
    heads = AuditHead._meta.db_table

    def without_lanes(captured: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if heads not in q["sql"]]

    # From 100 rows on, PostgreSQL's search entries are written by COPY (the stored digests read,
    # the COPY in a savepoint: two statements more than the small batch's single INSERT; the
    # COPY itself is not logged), whatever the number beyond.
    extra = 2 if connection.vendor == "postgresql" else 0
    assert len(without_lanes(few)) + extra == len(without_lanes(many)) < 17
    assert Document.objects.count() == 210
