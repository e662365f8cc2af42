"""Demo data drawn from three published news articles about Ban Chỉ đạo 35 (2022-2024).

Rules this module keeps:
- public officials appear with the names and titles the articles print, and nothing more: no
  e-mail, no phone; whatever the articles leave open (a year, a province, a start date) is said
  in the `note` of the row instead of being guessed silently;
- committees reported before the 2025 reform belong to the pre-reform units (OP.., valid until
  30/6/2025, with successor links); the commune examples under today's Đà Nẵng use fictional
  people whose names end in SAMPLE_MARK;
- every write goes through `org.services` and `accounts.services` with `actor=`; only two rows
  have no service and are written here: the first administrator (who must exist to be an actor)
  and, when the administrative units are not loaded, the national root (create_unit needs a parent);
- idempotent: rows are matched by natural keys (unit code; committee name + unit; group name +
  committee; person full name + unit; membership person + committee + role + start date; user
  name; grant user + unit + role), so a second run creates nothing and writes no audit entry.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from chidao.accounts import services as accounts
from chidao.accounts.models import AccessRole, RoleGrant, User
from chidao.lib.text import slug_code
from chidao.org import services
from chidao.org.loader import (
    LAST_PRE_REFORM_DAY,
    REFORM_DATE,
    ROOT_CODE,
    LoadResult,
    commune_code,
    load_administrative_units,
    old_province_code,
    province_code,
)
from chidao.org.models import (
    AgencyType,
    Committee,
    CommitteeKind,
    GroupKind,
    Membership,
    Person,
    Role,
    Unit,
    UnitKind,
)

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

SAMPLE_MARK = "(dữ liệu mẫu)"
DEMO_PASSWORD = "ChiDao-demo-2026"  # noqa: S105 -- printed on purpose; the command refuses to run in production

DA_NANG, OLD_DA_NANG = province_code(48), old_province_code(48)
OLD_QUANG_NAM = old_province_code(49)
QUANG_NINH, OLD_QUANG_NINH = province_code(22), old_province_code(22)
OLD_THANH_HOA, OLD_SON_LA = old_province_code(38), old_province_code(14)
HAI_CHAU, HOI_AN = commune_code(20242), commune_code(20410)

# --- sources and what they leave open ---------------------------------------------------------

NQ35 = (
    "Thực hiện Nghị quyết 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị về tăng cường bảo vệ nền tảng tư tưởng "
    "của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới."
)
SRC_DA_NANG = (
    "Nguồn: tin “Ban Chỉ đạo 35 TP Đà Nẵng trao đổi kinh nghiệm tại Quảng Ninh”, ngày 02/11/2022, tác giả Nguyễn Thanh."
)
SRC_QUANG_NAM = (
    "Nguồn: tin “Thanh Hóa và Quảng Nam trao đổi kinh nghiệm trong công tác bảo vệ nền tảng tư tưởng của Đảng”, "
    "Báo Quảng Nam (QNO), tác giả N.Đoan, “sáng nay 24/8”."
)
QUANG_NAM_YEAR = (
    "Bài không ghi năm. Theo Dân trí (17/9/2025), bà Nguyễn Thị Thu Lan giữ chức Trưởng ban Tuyên giáo Tỉnh ủy "
    "Quảng Nam từ tháng 7/2019 đến tháng 7/2024, nên bài đăng ngày 24/8 của một năm từ 2019 đến 2023. "
    "Ghi 24/8/2019, ngày sớm nhất khớp với bài; năm thực tế chưa xác minh."
)
QUANG_NAM_DAY = dt.date(2019, 8, 24)
SRC_SON_LA = (
    "Nguồn: tin “Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác quý II”, hội nghị ngày 22/3/2024, tác giả Phong Lưu."
)
SON_LA_GUESS = (
    "Bài không ghi tên tỉnh. Xác định là Sơn La vì đồng chí Lò Minh Hùng là Phó Bí thư Thường trực Tỉnh ủy Sơn La "
    "(Báo Sơn La, hội nghị Ban Chấp hành Đảng bộ tỉnh ngày 1/12/2023); chưa đối chiếu với nơi đăng bài."
)
SON_LA_DAY = dt.date(2024, 3, 22)
PUBLIC_OFFICIAL = "Cán bộ giữ chức vụ công; họ tên, chức danh ghi đúng như bài báo. Không lưu thông tin liên lạc."
KNOWN_ON = "Ngày bắt đầu là ngày của bài báo, ngày duy nhất biết chắc; ngày được phân công thực tế chưa rõ."
ENDED_WITH_UNIT = (
    "Ngày thôi ghi là ngày cuối cùng của đơn vị hành chính cũ (30/6/2025), mốc muộn nhất có thể, "
    "không phải ngày của một quyết định."
)
MERGED_BOARD = (
    "Năm 2025 (trước 01/7/2025) hợp nhất với Ban Dân vận thành Ban Tuyên giáo và Dân vận; "
    "ngày hết hiệu lực ghi theo ngày cuối của đơn vị hành chính cũ."
)
FICTIONAL = "Nhân vật hư cấu, dữ liệu mẫu."


@dataclass(frozen=True)
class AgencySpec:
    unit: str
    name: str
    type: str
    ended: bool = False
    successor: tuple[str, str] | None = None  # (unit code, agency name), created earlier in AGENCIES
    note: str = ""


@dataclass(frozen=True)
class SeatSpec:
    """A person and, when `role` is set, their seat; `agency` names an agency of the committee's unit."""

    name: str
    titles: str
    role: str = ""
    start: dt.date | None = None
    agency: str = ""
    group: str = ""
    person_note: str = ""
    note: str = ""


@dataclass(frozen=True)
class CommitteeSpec:
    unit: str
    name: str
    short_name: str = ""
    description: str = ""
    standing_agency: str = ""
    founded_on: dt.date | None = None
    decision: str = ""
    groups: tuple[tuple[str, str], ...] = ()
    seats: tuple[SeatSpec, ...] = ()
    ends_with_unit: bool = False  # the unit merged away on 01/7/2025: seats close, the committee ends


PROPAGANDA_DN = "Ban Tuyên giáo và Dân vận Thành ủy Đà Nẵng"

AGENCIES = (
    AgencySpec(DA_NANG, "Thành ủy Đà Nẵng", AgencyType.PARTY_COMMITTEE),
    AgencySpec(DA_NANG, PROPAGANDA_DN, AgencyType.PARTY_BOARD),
    AgencySpec(
        OLD_DA_NANG,
        "Thành ủy Đà Nẵng",
        AgencyType.PARTY_COMMITTEE,
        ended=True,
        successor=(DA_NANG, "Thành ủy Đà Nẵng"),
        note="Trước khi hợp nhất Đảng bộ thành phố Đà Nẵng với Đảng bộ tỉnh Quảng Nam (01/7/2025).",
    ),
    AgencySpec(
        OLD_DA_NANG,
        "Ban Tuyên giáo Thành ủy Đà Nẵng",
        AgencyType.PARTY_BOARD,
        ended=True,
        successor=(DA_NANG, PROPAGANDA_DN),
        note=MERGED_BOARD,
    ),
    AgencySpec(
        OLD_QUANG_NAM,
        "Ban Tuyên giáo Tỉnh ủy Quảng Nam",
        AgencyType.PARTY_BOARD,
        ended=True,
        successor=(DA_NANG, PROPAGANDA_DN),
        note=MERGED_BOARD,
    ),
    AgencySpec(
        OLD_THANH_HOA, "Ban Tuyên giáo Tỉnh ủy Thanh Hóa", AgencyType.PARTY_BOARD, ended=True, note=MERGED_BOARD
    ),
    AgencySpec(OLD_SON_LA, "Tỉnh ủy Sơn La", AgencyType.PARTY_COMMITTEE, ended=True, note=SON_LA_GUESS),
    AgencySpec(
        OLD_SON_LA,
        "Ban Tuyên giáo Tỉnh ủy Sơn La",
        AgencyType.PARTY_BOARD,
        ended=True,
        note=f"{MERGED_BOARD} {SON_LA_GUESS}",
    ),
    AgencySpec(HAI_CHAU, "Đảng ủy phường Hải Châu", AgencyType.PARTY_COMMITTEE),
    AgencySpec(HOI_AN, "Đảng ủy phường Hội An", AgencyType.PARTY_COMMITTEE),
)

HAI_CHAU_FOUNDED = dt.date(2025, 7, 15)
HOI_AN_FOUNDED = dt.date(2025, 8, 1)


def _cast(start: dt.date, agency: str, *rows: tuple[str, str, str, str]) -> tuple[SeatSpec, ...]:
    """Fictional people of a commune example: (name, titles, role, group); those outside a group work at `agency`."""
    return tuple(
        SeatSpec(
            f"{name} {SAMPLE_MARK}",
            titles,
            role,
            start,
            agency="" if group else agency,
            group=group,
            person_note=FICTIONAL,
        )
        for name, titles, role, group in rows
    )


COMMITTEES = (
    CommitteeSpec(
        OLD_DA_NANG,
        "Ban Chỉ đạo Bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái thù địch TP Đà Nẵng",
        short_name="Ban Chỉ đạo 35 TP Đà Nẵng",
        description=f"{NQ35}\n{SRC_DA_NANG} Bài không nêu cơ quan thường trực.",
        ends_with_unit=True,
        seats=(
            SeatSpec(
                "Đoàn Ngọc Hùng Anh",
                "Trưởng Ban Tuyên giáo Thành ủy Đà Nẵng",
                Role.MEMBER,
                dt.date(2022, 11, 2),
                agency="Ban Tuyên giáo Thành ủy Đà Nẵng",
                person_note=f"{PUBLIC_OFFICIAL} {SRC_DA_NANG}",
                note=(
                    "Theo tin ngày 02/11/2022: Trưởng đoàn công tác Ban Chỉ đạo 35 TP Đà Nẵng làm việc tại Quảng Ninh. "
                    f"Bài không nêu chức danh trong Ban Chỉ đạo nên ghi là Ủy viên. {KNOWN_ON} {ENDED_WITH_UNIT}"
                ),
            ),
        ),
    ),
    CommitteeSpec(
        OLD_QUANG_NINH,
        "Ban Chỉ đạo 35 tỉnh Quảng Ninh",
        description=(
            f"{NQ35}\n{SRC_DA_NANG} Đơn vị tiếp đoàn Đà Nẵng; bài không nêu tên thành viên. "
            "Quảng Ninh giữ nguyên địa giới khi sắp xếp năm 2025 (đơn vị kế thừa P22)."
        ),
    ),
    CommitteeSpec(
        OLD_THANH_HOA,
        "Ban Chỉ đạo 35 tỉnh Thanh Hóa",
        description=f"{NQ35}\n{SRC_QUANG_NAM} Đoàn công tác làm việc tại Quảng Nam. {QUANG_NAM_YEAR}",
        seats=(
            SeatSpec(
                "Phạm Văn Tuấn",
                "Phó Trưởng ban Tuyên giáo Tỉnh ủy",
                Role.MEMBER,
                QUANG_NAM_DAY,
                agency="Ban Tuyên giáo Tỉnh ủy Thanh Hóa",
                person_note=f"{PUBLIC_OFFICIAL} {SRC_QUANG_NAM}",
                note=f"Theo tin ngày 24/8: thành viên Ban Chỉ đạo 35 tỉnh Thanh Hóa. {QUANG_NAM_YEAR} {KNOWN_ON}",
            ),
        ),
    ),
    CommitteeSpec(
        OLD_QUANG_NAM,
        "Ban Chỉ đạo 35 tỉnh Quảng Nam",
        standing_agency="Ban Tuyên giáo Tỉnh ủy Quảng Nam",
        description=(
            f"{NQ35}\n{SRC_QUANG_NAM} {QUANG_NAM_YEAR}\n"
            "Tỉnh Quảng Nam hợp nhất vào thành phố Đà Nẵng từ 01/7/2025 (Nghị quyết 202/2025/QH15)."
        ),
        groups=((GroupKind.EXPERTS, "Nhóm chuyên gia"), (GroupKind.COLLABORATORS, "Cộng tác viên")),
        ends_with_unit=True,
        seats=(
            SeatSpec(
                "Nguyễn Thị Thu Lan",
                "Trưởng ban Tuyên giáo Tỉnh ủy",
                Role.DEPUTY,
                QUANG_NAM_DAY,
                agency="Ban Tuyên giáo Tỉnh ủy Quảng Nam",
                person_note=f"{PUBLIC_OFFICIAL} {SRC_QUANG_NAM}",
                note=(
                    f"Theo tin ngày 24/8: Phó Trưởng ban Chỉ đạo 35 tỉnh Quảng Nam. {QUANG_NAM_YEAR} {KNOWN_ON} "
                    f"{ENDED_WITH_UNIT} Theo Dân trí, tháng 7/2024 bà được điều động làm Bí thư Thành ủy Tam Kỳ, "
                    "nên vai trò này có thể đã kết thúc sớm hơn."
                ),
            ),
            SeatSpec(
                "Nguyễn Hữu Sáng",
                "Phó Trưởng ban Tuyên giáo Tỉnh ủy Quảng Nam",
                agency="Ban Tuyên giáo Tỉnh ủy Quảng Nam",
                person_note=(
                    f"{PUBLIC_OFFICIAL} {SRC_QUANG_NAM} Bài không nêu vai trò trong Ban Chỉ đạo nên không ghi thành viên."
                ),
            ),
        ),
    ),
    CommitteeSpec(
        OLD_SON_LA,
        "Ban Chỉ đạo 35 tỉnh Sơn La",
        description=(
            "Tên trong bài: “Ban Chỉ đạo 35 tỉnh về bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan "
            f"điểm sai trái, thù địch”.\n{SRC_SON_LA}\n{SON_LA_GUESS}"
        ),
        groups=((GroupKind.SECRETARIAT, "Tổ thư ký"), (GroupKind.EXPERTS, "Nhóm chuyên gia")),
        seats=(
            SeatSpec(
                "Lò Minh Hùng",
                "Phó Bí thư Thường trực Tỉnh ủy",
                Role.HEAD,
                SON_LA_DAY,
                agency="Tỉnh ủy Sơn La",
                person_note=f"{PUBLIC_OFFICIAL} {SRC_SON_LA} {SON_LA_GUESS}",
                note=f"Theo tin về hội nghị ngày 22/3/2024: Trưởng Ban Chỉ đạo 35 tỉnh, chủ trì hội nghị. {KNOWN_ON}",
            ),
            SeatSpec(
                "Đinh Thị Bích Thảo",
                "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Tuyên giáo Tỉnh ủy",
                Role.STANDING_DEPUTY,
                SON_LA_DAY,
                agency="Ban Tuyên giáo Tỉnh ủy Sơn La",
                person_note=f"{PUBLIC_OFFICIAL} {SRC_SON_LA} {SON_LA_GUESS}",
                note=f"Theo tin về hội nghị ngày 22/3/2024: Phó Trưởng ban Thường trực. {KNOWN_ON}",
            ),
        ),
    ),
    CommitteeSpec(
        DA_NANG,
        "Ban Chỉ đạo 35 thành phố Đà Nẵng",
        standing_agency=PROPAGANDA_DN,
        description=(
            f"{NQ35}\nBản ghi mẫu cho thành phố Đà Nẵng sau hợp nhất (từ 01/7/2025); chưa nhập thành phần vì "
            "các bài báo nguồn không công bố danh sách."
        ),
    ),
    CommitteeSpec(
        HAI_CHAU,
        "Ban Chỉ đạo 35 phường Hải Châu",
        description=f"Ban Chỉ đạo mẫu cấp xã. {SAMPLE_MARK}",
        founded_on=HAI_CHAU_FOUNDED,
        decision=f"Quyết định số 12-QĐ/ĐU ngày 15/7/2025 {SAMPLE_MARK}",
        groups=((GroupKind.SECRETARIAT, "Tổ giúp việc"), (GroupKind.EXPERTS, "Nhóm chuyên gia")),
        seats=_cast(
            HAI_CHAU_FOUNDED,
            "Đảng ủy phường Hải Châu",
            ("Nguyễn Văn A", "Bí thư Đảng ủy phường", Role.HEAD, ""),
            ("Trần Thị B", "Phó Bí thư Đảng ủy phường", Role.STANDING_DEPUTY, ""),
            ("Lê Văn C", "Chủ nhiệm Ủy ban Kiểm tra Đảng ủy phường", Role.MEMBER, ""),
            ("Phạm Thị D", "Chánh Văn phòng Đảng ủy phường", Role.MEMBER, ""),
            ("Hoàng Văn E", "Chuyên viên Văn phòng Đảng ủy phường", Role.SECRETARIAT, "Tổ giúp việc"),
            ("Võ Thị G", "Giáo viên trường trung học phổ thông", Role.EXPERT, "Nhóm chuyên gia"),
        ),
    ),
    CommitteeSpec(
        HOI_AN,
        "Ban Chỉ đạo 35 phường Hội An",
        description=f"Ban Chỉ đạo mẫu cấp xã, trên địa bàn tỉnh Quảng Nam cũ. {SAMPLE_MARK}",
        founded_on=HOI_AN_FOUNDED,
        decision=f"Quyết định số 20-QĐ/ĐU ngày 01/8/2025 {SAMPLE_MARK}",
        groups=((GroupKind.SECRETARIAT, "Tổ thư ký"),),
        seats=_cast(
            HOI_AN_FOUNDED,
            "Đảng ủy phường Hội An",
            ("Huỳnh Văn K", "Bí thư Đảng ủy phường", Role.HEAD, ""),
            ("Ngô Thị L", "Phó Bí thư Thường trực Đảng ủy phường", Role.STANDING_DEPUTY, ""),
            ("Bùi Văn M", "Ủy viên Ban Thường vụ Đảng ủy phường", Role.MEMBER, ""),
            ("Dương Thị N", "Chuyên viên Văn phòng Đảng ủy phường", Role.SECRETARIAT, "Tổ thư ký"),
        ),
    ),
)

# Kiện toàn in Hải Châu: C leaves, D moves up from member to deputy, H joins.
RESHUFFLE_DECISION = f"Quyết định số 45-QĐ/ĐU ngày 25/02/2026 về kiện toàn Ban Chỉ đạo 35 phường {SAMPLE_MARK}"
RESHUFFLE_DATE = dt.date(2026, 3, 2)
NEWCOMER = SeatSpec(f"Đặng Văn H {SAMPLE_MARK}", "Phó Chủ tịch Ủy ban nhân dân phường", person_note=FICTIONAL)

# (username, full name, role, unit code); the secretariat login comes first: it needs no second factor.
ACCOUNTS = (
    ("thuky.haichau", "Thư ký Ban Chỉ đạo phường Hải Châu", AccessRole.SECRETARIAT, HAI_CHAU),
    ("thuky.danang", "Thư ký Ban Chỉ đạo thành phố Đà Nẵng", AccessRole.SECRETARIAT, DA_NANG),
    ("xem.quangninh", "Cán bộ theo dõi tỉnh Quảng Ninh", AccessRole.VIEWER, QUANG_NINH),
    ("bcd.danang", "Quản trị Ban Chỉ đạo thành phố Đà Nẵng", AccessRole.COMMITTEE_ADMIN, DA_NANG),
    ("quantri", "Quản trị hệ thống", AccessRole.SYSTEM_ADMIN, ROOT_CODE),
)
ADMIN_USERNAME = "quantri"

SUMMARY_KINDS = (
    "units", "committees", "groups", "people", "memberships", "ended memberships", "reshuffles", "users",
    "role grants", "authenticators",
)  # fmt: skip


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str
    totp_secret: str = ""  # base32, for an authenticator app; empty for roles without a second factor


@dataclass
class DemoSummary:
    units: LoadResult | None = None
    created: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)

    def __str__(self) -> str:
        units = f"administrative units: {self.units}; " if self.units is not None else ""
        counts = ", ".join(f"{self.created.get(kind, 0)} {kind}" for kind in SUMMARY_KINDS)
        return f"{units}demo: {counts} created" + (" (nothing new)" if self.is_empty else "")

    @property
    def is_empty(self) -> bool:
        return not any(self.created.values())

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n


@transaction.atomic
def load_demo(*, actor: User | None = None, with_units: bool = True) -> DemoSummary:
    """Load the administrative units (unless `with_units` is false) and the demo; a second call creates nothing."""
    summary = DemoSummary()
    demo = _Demo(actor=actor or _first_admin(summary), summary=summary)
    if with_units:
        summary.units = load_administrative_units(actor=demo.actor)
    for agency in AGENCIES:
        demo.agency(agency)
    for spec in COMMITTEES:
        demo.committee(spec)
    demo.reshuffle_hai_chau()
    for username, full_name, role, code in ACCOUNTS:
        demo.account(username, f"{full_name} {SAMPLE_MARK}", role, demo.admin_unit(code))
    return summary


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for the base32 `secret`."""
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret)):06d}"


def _first_admin(summary: DemoSummary) -> User:
    # The first administrator has no one to create them, like `createsuperuser`; the system
    # administrator grant on the root is given later through accounts.services.
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            username=ADMIN_USERNAME,
            password=DEMO_PASSWORD,
            full_name=f"Quản trị hệ thống {SAMPLE_MARK}",
            is_superuser=True,
            is_staff=True,
        )
        summary.count("users")
    return user


@dataclass(frozen=True)
class _UnitSpec:
    name: str
    kind: str
    parent_code: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    successor_code: str = ""


def _unit_spec(code: str) -> _UnitSpec:
    """Name, parent and validity of one administrative unit, as the loader would write them."""
    from vietnam_provinces import Province, ProvinceCode, Ward, WardCode
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW
    from vietnam_provinces.legacy import Province as OldProvince
    from vietnam_provinces.legacy import ProvinceCode as OldProvinceCode

    if code.startswith("OP"):
        old = OldProvince.from_code(OldProvinceCode(int(code[2:])))
        entry = OLD_TO_NEW.get(old.code.value)
        successor = province_code(entry.new_provinces[0].code) if entry and entry.new_provinces else ""
        return _UnitSpec(
            old.name, UnitKind.PROVINCE, ROOT_CODE, valid_until=LAST_PRE_REFORM_DAY, successor_code=successor
        )
    if code.startswith("P"):
        return _UnitSpec(
            Province.from_code(ProvinceCode(int(code[1:]))).name, UnitKind.PROVINCE, ROOT_CODE, valid_from=REFORM_DATE
        )
    if code.startswith("W"):
        ward = Ward.from_code(WardCode(int(code[1:])))
        return _UnitSpec(ward.name, UnitKind.COMMUNE, province_code(ward.province_code.value), valid_from=REFORM_DATE)
    raise ValueError(f"the demo does not create unit {code!r}")


class _Demo:
    """Idempotent wrappers: each finds its row by natural key, or creates it through a service."""

    def __init__(self, *, actor: User, summary: DemoSummary) -> None:
        self.actor = actor
        self.summary = summary

    def admin_unit(self, code: str) -> Unit:
        """An administrative unit by loader code; made from package data when the units were not loaded."""
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
        if code == ROOT_CODE:
            # No service creates a tree root (create_unit needs a parent); the loader writes it directly too.
            unit = Unit(code=ROOT_CODE, name="Việt Nam", kind=UnitKind.NATIONAL, depth=0)
            unit.full_clean()
            unit.save()
            services.add_closure_rows(unit)
        else:
            spec = _unit_spec(code)
            parent = self.admin_unit(spec.parent_code)
            successor = self.admin_unit(spec.successor_code) if spec.successor_code else None
            unit = services.create_unit(
                actor=self.actor, parent=parent, name=spec.name, kind=spec.kind, code=code, valid_from=spec.valid_from
            )
            if spec.valid_until or successor:
                unit = services.update_unit(
                    actor=self.actor, unit=unit, valid_until=spec.valid_until, successor=successor
                )
        self.summary.count("units")
        return unit

    def agency_named(self, unit_code: str, name: str) -> Unit:
        return Unit.objects.get(code=_agency_code(unit_code, name))

    def agency(self, spec: AgencySpec) -> Unit:
        parent = self.admin_unit(spec.unit)
        code = _agency_code(spec.unit, spec.name)
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = services.create_unit(
                actor=self.actor,
                parent=parent,
                name=spec.name,
                agency_type=spec.type,
                code=code,
                valid_from=None if spec.ended else REFORM_DATE,
                note=spec.note,
            )
            self.summary.count("units")
        wanted = {
            "valid_until": LAST_PRE_REFORM_DAY if spec.ended else None,
            "successor": self.agency_named(*spec.successor) if spec.successor else None,
        }
        changed = {name: value for name, value in wanted.items() if getattr(unit, name) != value}
        if changed:
            unit = services.update_unit(actor=self.actor, unit=unit, **changed)
        return unit

    def committee(self, spec: CommitteeSpec) -> Committee:
        unit = self.admin_unit(spec.unit)
        committee = Committee.objects.filter(unit=unit, name=spec.name).first()
        if committee is None:
            committee = services.create_committee(
                actor=self.actor,
                unit=unit,
                name=spec.name,
                short_name=spec.short_name,
                kind=CommitteeKind.PARTY,
                founding_decision=spec.decision,
                founded_on=spec.founded_on,
                description=spec.description,
                standing_agency=self.agency_named(spec.unit, spec.standing_agency) if spec.standing_agency else None,
            )
            self.summary.count("committees")
        for kind, name in spec.groups:
            if not committee.groups.filter(name=name).exists():
                services.create_group(actor=self.actor, committee=committee, kind=kind, name=name)
                self.summary.count("groups")
        seats = [self.seat(committee, seat, decision=spec.decision) for seat in spec.seats]
        if spec.ends_with_unit:
            for membership in seats:
                if membership is not None and membership.end_date is None:
                    services.end_membership(actor=self.actor, membership=membership, end_date=LAST_PRE_REFORM_DAY)
                    self.summary.count("ended memberships")
            if committee.dissolved_on is None:
                committee = services.update_committee(actor=self.actor, committee=committee, dissolved_on=REFORM_DATE)
        return committee

    def person(self, unit: Unit, spec: SeatSpec) -> Person:
        person = Person.objects.filter(unit=unit, full_name=spec.name).first()
        if person is None:
            agency = self.agency_named(unit.code, spec.agency) if spec.agency else None
            person = services.create_person(
                actor=self.actor,
                unit=unit,
                full_name=spec.name,
                titles=spec.titles,
                agency=agency,
                note=spec.person_note,
            )
            self.summary.count("people")
        return person

    def seat(self, committee: Committee, spec: SeatSpec, *, decision: str) -> Membership | None:
        person = self.person(committee.unit, spec)
        if not spec.role or spec.start is None:
            return None
        membership = Membership.objects.filter(
            committee=committee, person=person, role=spec.role, start_date=spec.start
        ).first()
        if membership is None:
            membership = services.appoint_member(
                actor=self.actor,
                committee=committee,
                person=person,
                role=spec.role,
                start_date=spec.start,
                group=committee.groups.get(name=spec.group) if spec.group else None,
                decision=decision,
                note=spec.note,
            )
            self.summary.count("memberships")
        return membership

    def reshuffle_hai_chau(self) -> None:
        committee = Committee.objects.get(unit__code=HAI_CHAU, name="Ban Chỉ đạo 35 phường Hải Châu")
        if committee.memberships.filter(decision=RESHUFFLE_DECISION).exists():
            return
        newcomer = self.person(committee.unit, NEWCOMER)
        seats = committee.memberships.filter(end_date__isnull=True, role=Role.MEMBER).select_related("person")
        leaving = {m.person.full_name: m for m in seats}
        promoted = leaving[f"Phạm Thị D {SAMPLE_MARK}"]
        ending = [leaving[f"Lê Văn C {SAMPLE_MARK}"], promoted]
        appointments = [
            services.Appointment(person=promoted.person, role=Role.DEPUTY),
            services.Appointment(person=newcomer, role=Role.MEMBER),
        ]
        services.reshuffle_committee(
            actor=self.actor,
            committee=committee,
            decision=RESHUFFLE_DECISION,
            effective_date=RESHUFFLE_DATE,
            ending=ending,
            appointments=appointments,
        )
        self.summary.count("reshuffles")
        self.summary.count("ended memberships", len(ending))
        self.summary.count("memberships", len(appointments))

    def account(self, username: str, full_name: str, role: str, unit: Unit) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.create_user(
                actor=self.actor, username=username, full_name=full_name, email="", password=DEMO_PASSWORD
            )
            self.summary.count("users")
        if not RoleGrant.objects.filter(user=user, unit=unit, role=role).exists():
            accounts.grant_role(actor=self.actor, user=user, unit=unit, role=role)
            self.summary.count("role grants")
        device = self.authenticator(user) if role in (AccessRole.SYSTEM_ADMIN, AccessRole.COMMITTEE_ADMIN) else None
        secret = base64.b32encode(device.bin_key).decode() if device is not None else ""
        self.summary.logins.append(DemoLogin(username, str(AccessRole(role).label), unit.name, secret))

    def authenticator(self, user: User) -> TOTPDevice:
        """A confirmed TOTP device, enrolled the way a user would: start, then confirm with a current code."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = accounts.start_totp_enrolment(actor=user)
            accounts.confirm_totp_device(
                actor=user, device=device, token=current_totp_code(base64.b32encode(device.bin_key).decode())
            )
            self.summary.count("authenticators")
        return device


def _agency_code(unit_code: str, name: str) -> str:
    """The unit code plus the folded name, cut at a word boundary to fit the 40-character column."""
    code = f"{unit_code}-{slug_code(name)}"
    return code if len(code) <= 40 else code[:41].rsplit("-", 1)[0]
