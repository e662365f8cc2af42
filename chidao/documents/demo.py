"""Demo registry on top of `chidao.org.demo`: the chain from a central resolution to the plans
that carry it out in Đà Nẵng and Hải Châu, with the notices and reports around them.

- Nghị quyết 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị (real: number, date, issuer and title as
  published), public, in the national register;
- Đà Nẵng's plan implementing it, the city committee's quarterly report (its text follows the
  wording of seed article 003, the Sơn La conference of 22/3/2024) and conclusion notice (the
  number the meetings demo gives it, 12-TB/BCĐ), kept to the city ("unit");
- Hải Châu's plan implementing the city's plan and its decision on the committee's reshuffle
  (45-QĐ/ĐU, named in the org demo);
- Quảng Ninh's plan implementing the resolution, which Đà Nẵng's users do not see.
Everything except the resolution is fictional and marked SAMPLE_MARK. Every write goes through the
services with `actor=`; a document is matched by unit and symbol: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from chidao.documents import services
from chidao.documents.models import Direction, Document, DocumentKind, RelationKind, Visibility
from chidao.org.demo import DA_NANG, HAI_CHAU, QUANG_NINH, SAMPLE_MARK, SRC_SON_LA
from chidao.org.loader import ROOT_CODE
from chidao.org.models import Unit

if TYPE_CHECKING:
    from chidao.accounts.models import User

NQ35_TITLE = (
    "Nghị quyết về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, "
    "thù địch trong tình hình mới"
)
NQ35_SUMMARY = (
    "Bộ Chính trị (khóa XII) ban hành Nghị quyết về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản "
    "bác các quan điểm sai trái, thù địch trong tình hình mới. Các cấp ủy, tổ chức đảng xây dựng kế hoạch, chương "
    "trình hành động thực hiện Nghị quyết."
)
# The quarterly report's text, worded after seed article 003 (Ban Chỉ đạo 35 tỉnh, 22/3/2024).
REPORT_TEXT = (
    "Trong quý I, Ban Chỉ đạo 35 thành phố chỉ đạo các cấp, các ngành triển khai thực hiện tốt công tác nắm tình "
    "hình tư tưởng, dư luận xã hội; chỉ đạo, hướng dẫn đội ngũ cộng tác viên chia sẻ, lan tỏa những thông tin tích "
    "cực, gương người tốt, việc tốt; đăng tải các tin, bài, tham gia bình luận, đấu tranh, phản bác lại thông tin "
    "sai trái, xuyên tạc, sai sự thật trên không gian mạng theo chỉ đạo, định hướng của Trung ương, của thành phố.\n"
    "Các cơ quan truyền thông bám sát nhiệm vụ chính trị, phối hợp chặt chẽ, mở chuyên trang, chuyên mục, đa dạng "
    "hóa các hình thức thông tin.\n"
    "Thành viên Ban Chỉ đạo 35 các cấp đã chủ động phối hợp, tham mưu, triển khai thực hiện công tác bảo vệ nền "
    "tảng tư tưởng của Đảng, đấu tranh, phản bác các quan điểm sai trái, thù địch theo chức năng, nhiệm vụ, rõ "
    "việc, rõ trách nhiệm được phân công. Đội ngũ cộng tác viên và tổ thư ký, nhóm chuyên gia được củng cố, kiện "
    f"toàn, hoạt động hiệu quả.\n{SAMPLE_MARK} Nội dung phỏng theo bài báo. {SRC_SON_LA}"
)
NOTICE_TEXT = (
    "Đồng chí Trưởng Ban Chỉ đạo đề nghị thành viên Ban Chỉ đạo 35 các cấp: một là, tiếp tục tham mưu giúp cấp ủy "
    "lãnh đạo, chỉ đạo thực hiện hiệu quả các nghị quyết, chỉ thị, kết luận của Trung ương, của thành phố về công "
    "tác bảo vệ nền tảng tư tưởng của Đảng; hai là, tiếp tục đổi mới, nâng cao công tác giáo dục lý luận, chính "
    "trị, tư tưởng; ba là, tăng cường công tác bảo vệ chính trị nội bộ, quy chế phát ngôn và cung cấp thông tin; "
    f"bốn là, các phường, xã gửi báo cáo kết quả quý II về cơ quan thường trực trước ngày 15/6/2026. {SAMPLE_MARK}"
)


@dataclass(frozen=True)
class Spec:
    key: str
    unit_code: str
    kind: str
    symbol: str
    issuer: str
    issued_on: dt.date
    title: str
    direction: str
    visibility: str = Visibility.SUBTREE
    signer: str = ""
    summary: str = ""
    full_text: str = ""
    received_number: int | None = None
    received_on: dt.date | None = None


SPECS = (
    Spec(
        "nq35",
        ROOT_CODE,
        DocumentKind.RESOLUTION,
        "35-NQ/TW",
        "Bộ Chính trị",
        dt.date(2018, 10, 22),
        NQ35_TITLE,
        Direction.INTERNAL,
        visibility=Visibility.PUBLIC,
        summary=NQ35_SUMMARY,
    ),
    Spec(
        "dn_plan",
        DA_NANG,
        DocumentKind.PLAN,
        "123-KH/TU",
        "Thành ủy Đà Nẵng",
        dt.date(2025, 9, 10),
        f"Kế hoạch thực hiện Nghị quyết 35-NQ/TW của Bộ Chính trị giai đoạn 2025 - 2030 {SAMPLE_MARK}",
        Direction.OUTGOING,
        signer=f"Trần Văn Q {SAMPLE_MARK}",
        summary=(
            "Xác định nhiệm vụ của các cấp ủy, tổ chức đảng, cơ quan, đơn vị trên địa bàn thành phố trong công tác "
            f"bảo vệ nền tảng tư tưởng của Đảng sau khi sắp xếp đơn vị hành chính. {SAMPLE_MARK}"
        ),
    ),
    Spec(
        "dn_report",
        DA_NANG,
        DocumentKind.REPORT,
        "45-BC/BCĐ",
        "Ban Chỉ đạo 35 thành phố Đà Nẵng",
        dt.date(2026, 3, 20),
        f"Báo cáo kết quả công tác quý I, nhiệm vụ trọng tâm quý II năm 2026 {SAMPLE_MARK}",
        Direction.INTERNAL,
        visibility=Visibility.UNIT,
        full_text=REPORT_TEXT,
    ),
    Spec(
        "dn_notice",
        DA_NANG,
        DocumentKind.NOTICE,
        "12-TB/BCĐ",
        "Ban Chỉ đạo 35 thành phố Đà Nẵng",
        dt.date(2026, 3, 26),
        f"Thông báo kết luận của đồng chí Trưởng Ban Chỉ đạo tại hội nghị quý I năm 2026 {SAMPLE_MARK}",
        Direction.OUTGOING,
        full_text=NOTICE_TEXT,
    ),
    Spec(
        "hc_incoming",
        HAI_CHAU,
        DocumentKind.PLAN,
        "123-KH/TU",
        "Thành ủy Đà Nẵng",
        dt.date(2025, 9, 10),
        f"Kế hoạch thực hiện Nghị quyết 35-NQ/TW của Bộ Chính trị giai đoạn 2025 - 2030 {SAMPLE_MARK}",
        Direction.INCOMING,
        received_number=214,
        received_on=dt.date(2025, 9, 12),
    ),
    Spec(
        "hc_plan",
        HAI_CHAU,
        DocumentKind.PLAN,
        "05-KH/ĐU",
        "Đảng ủy phường Hải Châu",
        dt.date(2025, 10, 2),
        f"Kế hoạch triển khai Kế hoạch 123-KH/TU của Thành ủy về bảo vệ nền tảng tư tưởng của Đảng {SAMPLE_MARK}",
        Direction.OUTGOING,
        signer=f"Nguyễn Văn A {SAMPLE_MARK}",
    ),
    Spec(
        "hc_decision",
        HAI_CHAU,
        DocumentKind.DECISION,
        "45-QĐ/ĐU",
        "Đảng ủy phường Hải Châu",
        dt.date(2026, 2, 25),
        f"Quyết định về kiện toàn Ban Chỉ đạo 35 phường Hải Châu {SAMPLE_MARK}",
        Direction.OUTGOING,
    ),
    Spec(
        "qn_plan",
        QUANG_NINH,
        DocumentKind.PLAN,
        "88-KH/TU",
        "Tỉnh ủy Quảng Ninh",
        dt.date(2025, 9, 25),
        f"Kế hoạch thực hiện Nghị quyết 35-NQ/TW tại tỉnh Quảng Ninh giai đoạn 2025 - 2030 {SAMPLE_MARK}",
        Direction.OUTGOING,
    ),
)
# (source, kind, target)
RELATIONS = (
    ("dn_plan", RelationKind.IMPLEMENTS, "nq35"),
    ("hc_plan", RelationKind.IMPLEMENTS, "dn_plan"),
    ("hc_plan", RelationKind.CITES, "hc_incoming"),
    ("dn_notice", RelationKind.CITES, "dn_report"),
    ("qn_plan", RelationKind.IMPLEMENTS, "nq35"),
)


@dataclass
class DocumentsDemoSummary:
    created: list[str] = field(default_factory=list)
    relations: int = 0

    def __str__(self) -> str:
        if not self.created and not self.relations:
            return "documents demo: nothing new"
        return f"documents demo: {len(self.created)} documents, {self.relations} relations created"


@transaction.atomic
def load(*, actor: User) -> DocumentsDemoSummary:
    """Register the demo documents that are missing; units missing from the org demo are skipped."""
    summary = DocumentsDemoSummary()
    units = {u.code: u for u in Unit.objects.filter(code__in={s.unit_code for s in SPECS})}
    found: dict[str, Document] = {}
    for spec in SPECS:
        unit = units.get(spec.unit_code)
        if unit is None:
            continue
        document = Document.objects.filter(unit=unit, symbol=spec.symbol, issuer=spec.issuer).first()
        if document is None:
            document = services.register_document(
                actor=actor,
                unit=unit,
                kind=spec.kind,
                symbol=spec.symbol,
                issuer=spec.issuer,
                issued_on=spec.issued_on,
                title=spec.title,
                direction=spec.direction,
                visibility=spec.visibility,
                signer=spec.signer,
                summary=spec.summary,
                full_text=spec.full_text,
                received_number=spec.received_number,
                received_on=spec.received_on,
            )
            summary.created.append(f"{spec.symbol} ({unit.code})")
        found[spec.key] = document
    for source_key, kind, target_key in RELATIONS:
        source, target = found.get(source_key), found.get(target_key)
        if source is None or target is None:
            continue
        if not source.outgoing_relations.filter(target=target, kind=kind).exists():
            services.relate_documents(actor=actor, source=source, target=target, kind=kind)
            summary.relations += 1
    return summary
