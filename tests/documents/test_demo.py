import pytest

from chidao.accounts.models import User
from chidao.documents import demo, queries
from chidao.documents.models import Document
from chidao.org.demo import ADMIN_USERNAME, load_demo


@pytest.mark.django_db
def test_documents_demo_loads_once_and_each_side_sees_its_documents():
    load_demo(with_units=False)
    admin = User.objects.get(username=ADMIN_USERNAME)
    first = demo.load(actor=admin)
    assert len(first.created) == len(demo.SPECS) and first.relations == len(demo.RELATIONS)
    resolution = Document.objects.get(symbol="35-NQ/TW")
    assert resolution.issuer == "Bộ Chính trị" and resolution.issued_on.isoformat() == "2018-10-22"
    assert all("(dữ liệu mẫu)" in d.title for d in Document.objects.exclude(pk=resolution.pk))

    da_nang = User.objects.get(username="thuky.danang")
    detail = queries.document_detail(resolution, da_nang)
    assert [(d.symbol, level) for d, level in detail.implementations] == [("123-KH/TU", 1), ("05-KH/ĐU", 2)]
    quang_ninh = User.objects.get(username="xem.quangninh")
    detail = queries.document_detail(resolution, quang_ninh)
    assert [d.symbol for d, _level in detail.implementations] == ["88-KH/TU"]
    hai_chau = User.objects.get(username="thuky.haichau")
    seen = set(queries.documents_for(hai_chau).values_list("symbol", flat=True))
    assert {"35-NQ/TW", "123-KH/TU", "05-KH/ĐU", "45-QĐ/ĐU", "12-TB/BCĐ"} <= seen
    assert "45-BC/BCĐ" not in seen  # the city's own report
    assert "88-KH/TU" not in seen

    second = demo.load(actor=admin)
    assert second.created == [] and second.relations == 0 and str(second) == "documents demo: nothing new"
    assert Document.objects.count() == len(demo.SPECS)
