"""Document registry fixtures on top of the shared personas (tests/conftest.py).

Documents: Nghị quyết 35-NQ/TW of the centre (public, on the root), Đà Nẵng's plan implementing it
(province A, "subtree"), Hải Châu's plan implementing the city's plan (commune A, "subtree"), a
city notice kept to the city itself ("unit"), and Quảng Ninh's plan implementing the resolution
(province B, "subtree").
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest

from chidao.documents import services
from chidao.documents.models import Direction, Document, DocumentKind, RelationKind, Visibility
from tests.conftest import World

# A small valid one-page PDF with the text "Ke hoach bao ve nen tang tu tuong" (built by hand).
PDF_TEXT = "Ke hoach bao ve nen tang tu tuong"


def pdf_bytes(text: str = PDF_TEXT) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx_bytes(paragraphs: tuple[str, ...] = ("Đảng ủy phường Hải Châu",), table: tuple[str, ...] = ()) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=1, cols=len(table))
        for cell, text in zip(grid.rows[0].cells, table, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Số", "Trích yếu"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A DOCX-looking package whose document part unpacks to 300 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                part.write(chunk)
    return out.getvalue()


@dataclass
class DocWorld:
    world: World
    resolution: Document
    city_plan: Document
    ward_plan: Document
    city_notice: Document
    other_plan: Document

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def register(actor: Any, unit: Any, **fields: Any) -> Document:
    fields.setdefault("kind", DocumentKind.PLAN)
    fields.setdefault("issued_on", dt.date(2024, 3, 1))
    return services.register_document(actor=actor, unit=unit, **fields)


@pytest.fixture
def dw(world: World) -> DocWorld:
    return _doc_world(world)


def _doc_world(world: World) -> DocWorld:
    resolution = register(
        world.system_admin,
        world.root,
        kind=DocumentKind.RESOLUTION,
        symbol="35-NQ/TW",
        issuer="Bộ Chính trị",
        issued_on=dt.date(2018, 10, 22),
        title=(
            "Nghị quyết về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, "
            "thù địch trong tình hình mới"
        ),
        visibility=Visibility.PUBLIC,
        direction=Direction.INTERNAL,
    )
    city_plan = register(
        world.province_admin,
        world.province_a,
        symbol="123-KH/TU",
        issuer="Thành ủy Đà Nẵng",
        title="Kế hoạch thực hiện Nghị quyết 35-NQ/TW năm 2024 của Bộ Chính trị",
        direction=Direction.OUTGOING,
        signer="Trần Văn Q (dữ liệu mẫu)",
    )
    ward_plan = register(
        world.commune_officer,
        world.commune_a,
        symbol="05-KH/ĐU",
        issuer="Đảng ủy phường Hải Châu",
        issued_on=dt.date(2024, 3, 15),
        title="Kế hoạch triển khai Kế hoạch 123-KH/TU về bảo vệ nền tảng tư tưởng của Đảng",
        direction=Direction.OUTGOING,
    )
    city_notice = register(
        world.province_admin,
        world.province_a,
        kind=DocumentKind.NOTICE,
        symbol="12-TB/BCĐ",
        issuer="Ban Chỉ đạo 35 thành phố Đà Nẵng",
        title="Thông báo kết luận hội nghị Ban Chỉ đạo quý I năm 2024",
        visibility=Visibility.UNIT,
        direction=Direction.INTERNAL,
    )
    other_plan = register(
        world.outsider,
        world.province_b,
        symbol="88-KH/TU",
        issuer="Tỉnh ủy Quảng Ninh",
        title="Kế hoạch thực hiện Nghị quyết 35-NQ/TW tại tỉnh Quảng Ninh",
        direction=Direction.OUTGOING,
    )
    services.relate_documents(
        actor=world.province_admin, source=city_plan, target=resolution, kind=RelationKind.IMPLEMENTS
    )
    services.relate_documents(
        actor=world.commune_officer, source=ward_plan, target=city_plan, kind=RelationKind.IMPLEMENTS
    )
    services.relate_documents(actor=world.outsider, source=other_plan, target=resolution, kind=RelationKind.IMPLEMENTS)
    return DocWorld(
        world=world,
        resolution=resolution,
        city_plan=city_plan,
        ward_plan=ward_plan,
        city_notice=city_notice,
        other_plan=other_plan,
    )
