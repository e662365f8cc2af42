"""The search benchmark's corpus (bench/search.py): Vietnamese committee documents, generated.

Documents of the ten common types (nghị quyết, chỉ thị, kết luận, kế hoạch, thông báo, báo cáo,
công văn, hướng dẫn, quyết định, tờ trình), numbered as Party bodies (Hướng dẫn 36-HD/VPTW:
"123-KH/TU") and state bodies (Nghị định 30/2020/NĐ-CP: "45/KH-UBND", "15/2024/NQ-HĐND",
"2157/UBND-VX") number them, issued by the centre, provinces and communes of the current unit tree
(`load_administrative_units(include_history=False)`) over ten years. Titles and bodies are built
from the phrases of real committee news (/work/shared/seeds, copied below without the names of
the people in it), so the words the issue warns about ("Đảng", "ban chỉ đạo", "tỉnh ủy", "bảo vệ
nền tảng tư tưởng") occur in a large share of the documents, and a few phrases are rare.

Bulk written in SQL like bench/reporting_data.py: COPY on PostgreSQL, `executemany` on SQLite,
never the ORM per row. The search index is not written here: `reindex_all` builds it, timed.
Deterministic: one seeded generator, the same corpus on every run of a scale.

A few landmark documents carry symbols that no generated document repeats ("35-NQ/TW",
"45/KH-UBND"...): a number/symbol query must return them at rank 1.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from bench.harness import BenchError, Laps
from bench.reporting_data import bulk_insert, copy_lines
from chidao.lib.docnumbers import symbol_key
from chidao.org.loader import ROOT_CODE, load_administrative_units, province_code
from chidao.org.models import Unit, UnitKind

if TYPE_CHECKING:
    from chidao.accounts.models import User

SEED = 35_2018
FIRST_DAY = dt.date(2016, 11, 1)
LAST_DAY = dt.date(2026, 10, 31)  # ten years of registers
PROVINCE = province_code(48)  # Thành phố Đà Nẵng: the `province` scale's subtree
# Share of the corpus owned by the root (central documents) and by provinces; communes hold the rest.
CENTRAL_SHARE = 0.01
PROVINCE_SHARE = {"national": 0.25, "province": 0.30, "small": 0.25}

# --- vocabulary ------------------------------------------------------------------------------

# (kind value, label, Party abbreviation, weight). State bodies use the same abbreviations
# (Nghị định 30/2020, Phụ lục III); công văn has none in state symbols ("2157/UBND-VX").
KINDS = [
    ("letter", "Công văn", "CV", 25),
    ("plan", "Kế hoạch", "KH", 18),
    ("report", "Báo cáo", "BC", 15),
    ("notice", "Thông báo", "TB", 12),
    ("decision", "Quyết định", "QĐ", 10),
    ("guidance", "Hướng dẫn", "HD", 5),
    ("submission", "Tờ trình", "TTr", 5),
    ("resolution", "Nghị quyết", "NQ", 4),
    ("directive", "Chỉ thị", "CT", 3),
    ("conclusion", "Kết luận", "KL", 3),
]
# Resolutions of state bodies come from People's Councils only.
STATE_RESOLUTION_ISSUER = "HĐND"

# What committee documents are about. The first topics are the committee's own and by far the most
# frequent, as in a Ban Chỉ đạo 35's register.
TOPICS = [
    ("bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch", 30),
    ("bảo vệ nền tảng tư tưởng của Đảng trên không gian mạng", 10),
    ("hoạt động của Ban Chỉ đạo 35", 10),
    ("kiện toàn Ban Chỉ đạo 35, Tổ thư ký và nhóm chuyên gia", 4),
    ("công tác tuyên truyền, định hướng dư luận xã hội", 8),
    ("nắm bắt tình hình tư tưởng của cán bộ, đảng viên và nhân dân", 6),
    ("xử lý thông tin xấu độc trên mạng xã hội", 5),
    ("xây dựng, chỉnh đốn Đảng và hệ thống chính trị", 6),
    ("công tác dân vận, vận động nhân dân thực hiện đường lối của Đảng", 4),
    ("sinh hoạt chuyên đề tại các chi bộ", 4),
    ("học tập, quán triệt nghị quyết của Đảng", 5),
    ("bảo vệ chính trị nội bộ", 3),
    ("quy chế phát ngôn và cung cấp thông tin cho báo chí", 2),
    ("phát triển đội ngũ cộng tác viên dư luận xã hội", 2),
    ("phòng, chống tham nhũng, tiêu cực", 3),
    ("cải cách hành chính và chuyển đổi số", 3),
    ("xây dựng nông thôn mới", 2),
    ("công tác quốc phòng, an ninh trên địa bàn", 2),
    ("công tác dân tộc, tôn giáo", 2),
    ("kỷ niệm ngày thành lập Đảng Cộng sản Việt Nam", 2),
]
# Rare phrases: each in about one document in 20,000 (title or body), and in one landmark.
RARE = [
    "tam giác mạch",
    "cá ngừ đại dương",
    "sâm Ngọc Linh",
    "nghệ thuật bài chòi",
    "không gian văn hóa cồng chiêng",
    "đờn ca tài tử",
    "ruộng bậc thang",
    "khèn Mông",
    "hát then của người Tày",
    "làng nghề gốm Bàu Trúc",
]
RARE_RATE = 1 / 20_000

# Clauses from real committee news (the seed texts), without the names of the people in them.
SEED_CLAUSES = [
    "tập trung lãnh đạo, chỉ đạo các ngành, địa phương triển khai thực hiện tốt công tác bảo vệ nền tảng "
    "tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái thù địch",
    "kịp thời thông tin đến cán bộ, đảng viên và các tầng lớp nhân dân về chủ trương, đường lối của Đảng, "
    "chính sách, pháp luật của Nhà nước",
    "tình hình chính trị, kinh tế - xã hội; âm mưu, hoạt động diễn biến hòa bình của các thế lực thù địch",
    "tăng cường các hoạt động vận động nhân dân thực hiện đường lối, chủ trương của Đảng, chính sách, "
    "pháp luật của Nhà nước về dân tộc, tôn giáo",
    "giữ vững an ninh, trật tự an toàn xã hội trên địa bàn",
    "hệ thống tuyên giáo, thông tin truyền thông đã chủ động nắm bắt tình hình tư tưởng, dư luận xã hội",
    "kịp thời tuyên truyền, cung cấp thông tin, định hướng dư luận xã hội",
    "xây dựng lực lượng, tuyên truyền có chiều sâu",
    "tăng cường nắm bắt thông tin dư luận từ mạng lưới cộng tác viên ở cơ sở",
    "phối hợp chặt chẽ giữa các lực lượng; xử lý thông tin xấu độc trên mạng xã hội; quản lý báo chí",
    "tiếp tục tăng cường việc hợp tác, trao đổi để triển khai hiệu quả hoạt động của Ban Chỉ đạo 35",
    "là nhiệm vụ chính trị vô cùng hệ trọng, vừa cấp bách, vừa thường xuyên và lâu dài, có ý nghĩa sống còn "
    "của Đảng ta, đặc biệt trong tình hình hiện nay",
    "học hỏi, trao đổi kinh nghiệm, cách làm hay trong công tác tổ chức, hoạt động của Ban Chỉ đạo 35",
    "tham mưu lãnh đạo, chỉ đạo triển khai Nghị quyết 35 của Bộ Chính trị trên địa bàn tỉnh",
    "mối quan hệ giữa các thành viên trong Ban Chỉ đạo 35 tỉnh",
    "hoạt động của nhóm chuyên gia, cộng tác viên và sự phối hợp, hiệu quả hoạt động của Ban Chỉ đạo 35 cấp huyện",
    "xây dựng lực lượng Ban Chỉ đạo 35 từ tỉnh đến cơ sở đảm bảo cơ cấu thành phần, số lượng",
    "thiết lập kênh thông tin giữa cơ quan thường trực Ban Chỉ đạo 35 tỉnh với các cơ quan thành viên nhằm "
    "trao đổi, phối hợp triển khai nhiệm vụ",
    "khai thác ưu thế của mạng xã hội, phục vụ cho hoạt động của Ban Chỉ đạo 35 tỉnh",
    "nâng cao nhận thức của cán bộ, đảng viên trong việc bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản "
    "bác các quan điểm sai trái, thù địch trên không gian mạng",
    "tham mưu chỉ đạo các tổ chức cơ sở đảng trên địa bàn triển khai đến các chi bộ trực thuộc tổ chức sinh "
    "hoạt chuyên đề",
    "nâng cao ý thức trách nhiệm của cán bộ, đảng viên khi sử dụng mạng xã hội phục vụ cho công tác tuyên truyền",
    "đấu tranh phản bác các luận điệu sai trái, thông tin xuyên tạc chủ trương, đường lối, chính sách của "
    "Đảng và Nhà nước",
    "đánh giá kết quả công tác quý I; triển khai nhiệm vụ công tác quý II",
    "chỉ đạo các cấp, các ngành triển khai thực hiện tốt công tác nắm tình hình tư tưởng, dư luận xã hội",
    "chỉ đạo, hướng dẫn đội ngũ cộng tác viên chia sẻ, lan tỏa những thông tin tích cực, gương người tốt, việc tốt",
    "đăng tải các tin, bài, tham gia bình luận, đấu tranh, phản bác lại thông tin sai trái, xuyên tạc, sai "
    "sự thật trên không gian mạng theo chỉ đạo, định hướng của Trung ương, của tỉnh",
    "các cơ quan truyền thông bám sát nhiệm vụ chính trị, phối hợp chặt chẽ, mở chuyên trang, chuyên mục, "
    "đa dạng hóa các hình thức thông tin",
    "đăng, phát nhiều tin, bài, phóng sự tuyên truyền, đấu tranh phản bác các thông tin sai trái, thiếu khách quan",
    "các luận điệu xuyên tạc trước các vấn đề phức tạp, nhạy cảm trong triển khai chủ trương, đường lối của "
    "Đảng, chính sách, pháp luật của Nhà nước",
    "các chương trình, dự án phát triển kinh tế - xã hội, quốc phòng - an ninh, đối ngoại của tỉnh",
    "thành viên Ban Chỉ đạo 35 các cấp đã chủ động phối hợp, tham mưu, triển khai thực hiện công tác bảo vệ "
    "nền tảng tư tưởng của Đảng",
    "theo chức năng, nhiệm vụ, rõ việc, rõ trách nhiệm được phân công",
    "đội ngũ cộng tác viên và tổ thư ký, nhóm chuyên gia được củng cố, kiện toàn, hoạt động hiệu quả và "
    "trách nhiệm, tích cực tuyên truyền trên không gian mạng",
    "tiếp tục tham mưu giúp cấp ủy lãnh đạo, chỉ đạo thực hiện hiệu quả các nghị quyết, chỉ thị, kết luận "
    "của Trung ương, của tỉnh",
    "tiếp tục đổi mới, nâng cao công tác giáo dục lý luận, chính trị, tư tưởng, bồi dưỡng lý tưởng cách "
    "mạng, đạo đức, lối sống cho cán bộ, đảng viên và thế hệ trẻ",
    "nâng cao chất lượng công tác nghiên cứu, nắm bắt, điều tra dư luận xã hội",
    "tăng cường công tác bảo vệ chính trị nội bộ, các quy định về bảo mật quốc gia, quy chế phát ngôn, "
    "cung cấp thông tin, tài liệu",
    "nêu cao tinh thần trách nhiệm của cấp ủy, tổ chức đảng, cán bộ, đảng viên trong sử dụng internet, mạng xã hội",
    "chia sẻ, bình luận những thông tin tích cực, chính thống và một số nhiệm vụ trọng tâm khác",
]
# Clauses of the administrative register itself (openings, tasks, closings).
ADMIN_CLAUSES = [
    "các cấp ủy, tổ chức đảng, chính quyền, Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội quán "
    "triệt sâu sắc nội dung",
    "cơ quan thường trực Ban Chỉ đạo có trách nhiệm theo dõi, đôn đốc, kiểm tra việc thực hiện",
    "định kỳ 6 tháng, hằng năm báo cáo kết quả về Thường trực cấp ủy",
    "trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời phản ánh về cơ quan thường trực để "
    "tổng hợp, báo cáo",
    "bố trí kinh phí bảo đảm cho hoạt động của Ban Chỉ đạo theo quy định",
    "các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ xây dựng kế hoạch cụ thể để triển khai thực hiện",
    "gắn việc thực hiện nhiệm vụ với đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên hằng năm",
    "phát huy vai trò nêu gương của cán bộ, đảng viên, trước hết là người đứng đầu",
    "kết quả thực hiện là tiêu chí đánh giá mức độ hoàn thành nhiệm vụ của tập thể, cá nhân",
    "đẩy mạnh ứng dụng công nghệ thông tin trong quản lý, chỉ đạo, điều hành",
    "tổ chức sơ kết, tổng kết, kịp thời biểu dương, khen thưởng tập thể, cá nhân có thành tích tiêu biểu",
    "Văn phòng cấp ủy chủ trì, phối hợp với các cơ quan liên quan theo dõi, tổng hợp tình hình",
    "tổ chức hội nghị học tập, quán triệt, triển khai đến cán bộ chủ chốt và đảng viên",
    "lồng ghép nội dung tuyên truyền vào sinh hoạt chi bộ định kỳ hằng tháng",
    "rà soát, bổ sung quy chế hoạt động của Ban Chỉ đạo, Tổ thư ký và nhóm chuyên gia",
    "thực hiện nghiêm chế độ thông tin, báo cáo theo quy định",
]
# Outside the Ban Chỉ đạo 35's own work, a committee's register is mostly Party building and the
# locality's government business: these keep "Ban Chỉ đạo" and "bảo vệ nền tảng" out of about half
# of the documents, as in a real register.
PARTY_TOPICS = [
    "công tác xây dựng tổ chức cơ sở đảng",
    "phát triển đảng viên mới",
    "công tác kiểm tra, giám sát của Ủy ban Kiểm tra",
    "chuẩn bị đại hội đảng bộ các cấp",
    "đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên",
    "thu, nộp và quản lý đảng phí",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "công tác cán bộ và quy hoạch cán bộ",
]
SOCIO_TOPICS = [
    "phát triển kinh tế - xã hội",
    "giải ngân vốn đầu tư công",
    "cải cách thủ tục hành chính",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "bảo đảm trật tự an toàn giao thông",
    "quản lý đất đai và trật tự xây dựng",
    "chăm sóc sức khỏe nhân dân",
    "tuyển sinh và phát triển giáo dục",
    "thực hiện chính sách an sinh xã hội",
    "bảo vệ môi trường và thu gom rác thải",
    "phát triển sản phẩm OCOP",
    "phòng cháy, chữa cháy",
    "triển khai Đề án 06 về dữ liệu dân cư",
    "quản lý thu, chi ngân sách",
]
PARTY_CLAUSES = [
    "nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và chất lượng đội ngũ đảng viên",
    "làm tốt công tác phát triển đảng viên, nhất là trong đoàn viên thanh niên",
    "thực hiện nghiêm nguyên tắc tập trung dân chủ, tự phê bình và phê bình",
    "đổi mới nội dung, phương thức sinh hoạt chi bộ, nâng cao chất lượng sinh hoạt",
    "kiểm tra, giám sát việc thực hiện nhiệm vụ của tổ chức đảng và đảng viên",
    "chuẩn bị tốt các điều kiện tổ chức đại hội đảng bộ các cấp",
    "thu, nộp, quản lý và sử dụng đảng phí theo quy định",
    "đánh giá, xếp loại chất lượng tổ chức cơ sở đảng và đảng viên cuối năm",
    "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "thực hiện tốt công tác quy hoạch, đào tạo, bồi dưỡng, luân chuyển cán bộ",
]
SOCIO_CLAUSES = [
    "đẩy mạnh phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh trên địa bàn",
    "tập trung giải quyết dứt điểm các vụ việc khiếu nại, tố cáo kéo dài",
    "rà soát, hoàn thiện hồ sơ giao đất, cho thuê đất theo quy định",
    "nâng cao chất lượng dịch vụ công trực tuyến, giảm thời gian giải quyết thủ tục hành chính",
    "bảo đảm vệ sinh an toàn thực phẩm tại các bếp ăn tập thể, trường học",
    "chủ động phòng, chống thiên tai, tìm kiếm cứu nạn trong mùa mưa bão",
    "huy động các nguồn lực xã hội hóa đầu tư xây dựng cơ sở hạ tầng giao thông nông thôn",
    "kiểm tra, xử lý nghiêm các trường hợp vi phạm trật tự xây dựng, lấn chiếm hành lang an toàn giao thông",
    "thực hiện tốt chính sách an sinh xã hội, chăm lo gia đình chính sách, hộ nghèo, hộ cận nghèo",
    "tổ chức tiêm chủng mở rộng, khám sức khỏe định kỳ cho người cao tuổi",
    "triển khai kế hoạch tuyển sinh, bảo đảm đủ giáo viên, phòng học cho năm học mới",
    "quản lý chặt chẽ nguồn thu, thực hành tiết kiệm, chống lãng phí trong chi tiêu ngân sách",
    "đẩy nhanh tiến độ giải ngân vốn đầu tư công, không để tồn đọng cuối năm",
    "phát triển sản phẩm OCOP, hỗ trợ hợp tác xã tiêu thụ nông sản",
    "tăng cường công tác bảo vệ môi trường, thu gom, xử lý rác thải sinh hoạt",
    "cập nhật, làm sạch dữ liệu dân cư phục vụ triển khai Đề án 06",
    "tổ chức các hoạt động văn hóa, thể thao chào mừng các ngày lễ lớn",
    "kiểm tra công tác phòng cháy, chữa cháy tại các cơ sở kinh doanh",
    "hỗ trợ người dân chuyển đổi cơ cấu cây trồng, vật nuôi phù hợp",
]
IDEOLOGY, PARTY, SOCIO = "ideology", "party", "socio"
# The ideology markers a title template may carry; other documents get a plain template instead.
IDEOLOGY_MARKERS = ("Nghị quyết số 35", "Nghị quyết 35", "Ban Chỉ đạo", "tư tưởng")

SECTIONS = {
    "plan": ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG, NHIỆM VỤ", "III. TỔ CHỨC THỰC HIỆN"],
    "report": ["I. KẾT QUẢ ĐẠT ĐƯỢC", "II. HẠN CHẾ, NGUYÊN NHÂN", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"],
    "resolution": ["I. TÌNH HÌNH VÀ NGUYÊN NHÂN", "II. QUAN ĐIỂM, MỤC TIÊU", "III. NHIỆM VỤ, GIẢI PHÁP"],
    "directive": ["Để tiếp tục tăng cường sự lãnh đạo của Đảng, yêu cầu các cấp ủy, tổ chức đảng:"],
    "guidance": ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG HƯỚNG DẪN", "III. TỔ CHỨC THỰC HIỆN"],
}
# Fictional signers, from common Vietnamese name parts (as bench/org.py).
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Đức", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Sơn"]
QUARTERS = ["quý I", "quý II", "quý III", "quý IV", "6 tháng đầu", "6 tháng cuối"]


@dataclass(frozen=True)
class Issuer:
    """A body that issues documents: its name, the abbreviation in its symbols and its kind."""

    name: str
    code: str
    party: bool
    short: str  # how the body names itself in a sentence ("Tỉnh ủy", "UBND xã Hòa Vang")


@dataclass(frozen=True)
class Landmark:
    """A document with a symbol no generated document repeats; `queries` must find it at rank 1."""

    symbol: str
    kind: str
    issuer: str
    owner: str  # "root", "province" or "commune": which unit of the scope owns it
    issued_on: dt.date
    title: str
    queries: tuple[str, ...]
    visibility: str = "subtree"


@dataclass
class Corpus:
    """What the benchmark measures against; `facts` go into the results' .meta.json."""

    admin: User
    scope: Unit  # the country (national, small) or the province
    province: Unit  # the province of the landmarks and the filters
    commune: Unit  # a commune of `province`
    documents: int
    landmark_ids: dict[str, int]  # symbol -> document id
    landmarks: list[Landmark]
    rare_counts: dict[str, int]
    facts: dict[str, Any] = field(default_factory=dict)


def landmarks(province: str, commune: str) -> list[Landmark]:
    """The issue's examples and a few more, in the scope's province `province` ("Đà Nẵng")."""
    return [
        Landmark(
            "35-NQ/TW",
            "resolution",
            "Bộ Chính trị",
            "root",
            dt.date(2018, 10, 22),
            "Nghị quyết về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai "
            "trái, thù địch trong tình hình mới",
            ("35-NQ/TW", "35-nq/tw", "35/NQ-TW"),
            "public",
        ),
        Landmark(
            "36-HD/VPTW",
            "guidance",
            "Văn phòng Trung ương Đảng",
            "root",
            dt.date(2018, 4, 3),
            "Hướng dẫn thể thức và kỹ thuật trình bày văn bản của Đảng",
            ("36-HD/VPTW", "36-hd/vptw"),
            "public",
        ),
        Landmark(
            "123-KH/TU",
            "plan",
            f"Thành ủy {province}",
            "province",
            dt.date(2024, 3, 15),
            "Kế hoạch thực hiện Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị năm 2024 về bảo vệ nền "
            "tảng tư tưởng của Đảng",
            ("123-KH/TU", "123-kh/tu"),
        ),
        Landmark(
            "45/KH-UBND",
            "plan",
            f"UBND thành phố {province}",
            "province",
            dt.date(2023, 2, 20),
            f"Kế hoạch tuyên truyền, quảng bá {RARE[1]} và ngư dân bám biển năm 2023",
            ("45/KH-UBND", "45/kh-ubnd"),
        ),
        Landmark(
            "15/2024/NQ-HĐND",
            "resolution",
            f"HĐND thành phố {province}",
            "province",
            dt.date(2024, 7, 12),
            "Nghị quyết quy định mức chi hỗ trợ cộng tác viên dư luận xã hội trên địa bàn thành phố",
            ("15/2024/NQ-HĐND", "15/2024/nq-hdnd"),
        ),
        Landmark(
            "2157/UBND-VX",
            "letter",
            f"UBND thành phố {province}",
            "province",
            dt.date(2025, 5, 6),
            f"V/v tổ chức Ngày hội {RARE[3]} và bảo tồn di sản văn hóa phi vật thể",
            ("2157/UBND-VX", "2157/ubnd-vx"),
        ),
        Landmark(
            "08-CT/TU",
            "directive",
            f"Thành ủy {province}",
            "province",
            dt.date(2021, 9, 1),
            "Chỉ thị về tăng cường sự lãnh đạo của Đảng đối với công tác bảo vệ nền tảng tư tưởng của Đảng "
            "trên không gian mạng",
            ("08-CT/TU", "08-ct/tu"),
        ),
        Landmark(
            "274-TB/ĐU",
            "notice",
            f"Đảng ủy {commune}",
            "commune",
            dt.date(2026, 2, 3),
            f"Thông báo kết luận của Ban Thường vụ Đảng ủy về việc kiện toàn Ban Chỉ đạo 35 {commune}",
            ("274-TB/ĐU", "274-tb/du"),
        ),
    ]


# --- the generator ---------------------------------------------------------------------------


@dataclass
class _Owner:
    pk: int
    kind: str  # root, province, commune
    issuers: list[Issuer]
    superiors: list[Issuer]  # bodies above, whose documents arrive here as incoming


def _short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _province_issuers(name: str) -> list[Issuer]:
    city = name.startswith("Thành phố ")
    short = _short_name(name)
    level = "thành phố" if city else "tỉnh"
    committee = "Thành ủy" if city else "Tỉnh ủy"
    # Repeated entries weigh the choice: committees and their Ban Chỉ đạo write most of the register.
    committee_body = Issuer(f"{committee} {short}", "TU", True, committee)
    steering = Issuer(f"Ban Chỉ đạo 35 {level} {short}", "BCĐ35", True, f"Ban Chỉ đạo 35 {level}")
    people = Issuer(f"UBND {level} {short}", "UBND", False, f"UBND {level}")
    return [
        committee_body,
        steering,
        people,
        committee_body,
        steering,
        people,
        Issuer(f"Ban Thường vụ {committee} {short}", "TU", True, f"Ban Thường vụ {committee}"),
        Issuer(
            f"Ban Tuyên giáo và Dân vận {committee} {short}", "BTGDVTU", True, f"Ban Tuyên giáo và Dân vận {committee}"
        ),
        Issuer(f"HĐND {level} {short}", "HĐND", False, f"HĐND {level}"),
        Issuer(f"Sở Văn hóa, Thể thao và Du lịch {level} {short}", "SVHTTDL", False, "Sở Văn hóa, Thể thao và Du lịch"),
    ]


def _commune_issuers(name: str) -> list[Issuer]:
    lower = name[0].lower() + name[1:]  # "Xã Hòa Vang" -> "xã Hòa Vang"
    committee = Issuer(f"Đảng ủy {lower}", "ĐU", True, "Đảng ủy")
    steering = Issuer(f"Ban Chỉ đạo 35 Đảng ủy {lower}", "BCĐ35", True, "Ban Chỉ đạo 35")
    people = Issuer(f"UBND {lower}", "UBND", False, f"UBND {lower}")
    return [
        committee,
        committee,
        steering,
        steering,
        people,
        people,
        Issuer(f"HĐND {lower}", "HĐND", False, f"HĐND {lower}"),
    ]


CENTRAL_ISSUERS = [
    Issuer("Ban Chấp hành Trung ương", "TW", True, "Ban Chấp hành Trung ương"),
    Issuer("Bộ Chính trị", "TW", True, "Bộ Chính trị"),
    Issuer("Ban Bí thư", "TW", True, "Ban Bí thư"),
    Issuer("Ban Chỉ đạo 35 Trung ương", "BCĐ35TW", True, "Ban Chỉ đạo 35 Trung ương"),
    Issuer("Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW", True, "Ban Tuyên giáo và Dân vận Trung ương"),
    Issuer("Văn phòng Trung ương Đảng", "VPTW", True, "Văn phòng Trung ương Đảng"),
    Issuer("Thủ tướng Chính phủ", "TTg", False, "Thủ tướng Chính phủ"),
]
STATE_DEPARTMENTS = ["VX", "KT", "NC", "TH", "VP"]


class Generator:
    """Documents as rows of `documents_document`, from one seeded random generator."""

    def __init__(self, owners: list[_Owner], weights: list[float], reserved: set[str], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.owners = owners
        self.cum = list(itertools.accumulate(weights))
        self.reserved = reserved  # symbol keys of the landmarks
        self.counters: Counter[tuple[str, str, str, int]] = Counter()
        self.kinds = list(KINDS)
        self.kind_cum = list(itertools.accumulate(k[3] for k in KINDS))
        self.topic_cum = list(itertools.accumulate(t[1] for t in TOPICS))
        self.days = (LAST_DAY - FIRST_DAY).days
        plain_admin = [c for c in ADMIN_CLAUSES if "Ban Chỉ đạo" not in c]
        self.clauses = {
            IDEOLOGY: SEED_CLAUSES + ADMIN_CLAUSES,
            PARTY: PARTY_CLAUSES + plain_admin,
            SOCIO: SOCIO_CLAUSES + plain_admin,
        }
        self.domain_counts: Counter[str] = Counter()
        self.rare_counts: Counter[str] = Counter()
        self.kind_counts: Counter[str] = Counter()
        self.body_bytes = 0

    def _pick(self, cum: Sequence[float]) -> int:
        return bisect.bisect(cum, self.rng.random() * cum[-1])

    def _symbol(self, issuer: Issuer, type_code: str, kind: str, year: int) -> tuple[str, int]:
        key = (issuer.name, issuer.code, type_code, year)
        while True:
            self.counters[key] += 1
            number = self.counters[key]
            if issuer.party:
                symbol = f"{number}-{type_code}/{issuer.code}"
            elif kind == "letter":
                symbol = f"{number}/{issuer.code}-{STATE_DEPARTMENTS[number % len(STATE_DEPARTMENTS)]}"
            elif kind in ("resolution", "decision") and number % 3 == 0:
                symbol = f"{number}/{year}/{type_code}-{issuer.code}"  # legal documents carry the year
            else:
                symbol = f"{number}/{type_code}-{issuer.code}"
            if symbol_key(symbol) not in self.reserved:
                return symbol, number

    def _domain(self, issuer: Issuer) -> str:
        """What a document is about, by who wrote it: a Ban Chỉ đạo 35 writes about its own work,
        a Party committee also about Party building, a state body mostly about government."""
        draw = self.rng.random()
        if issuer.code.startswith("BCĐ35"):
            return IDEOLOGY if draw < 0.9 else PARTY
        if issuer.party:
            return IDEOLOGY if draw < 0.35 else PARTY if draw < 0.85 else SOCIO
        return IDEOLOGY if draw < 0.15 else SOCIO

    def _topic(self, domain: str) -> str:
        if domain == IDEOLOGY:
            return TOPICS[self._pick(self.topic_cum)][0]
        return self.rng.choice(PARTY_TOPICS if domain == PARTY else SOCIO_TOPICS)

    def _title(self, kind: str, label: str, topic: str, issuer: Issuer, year: int, domain: str) -> str:
        title = self._template(kind, label, topic, issuer, year)
        if domain != IDEOLOGY and any(marker in title for marker in IDEOLOGY_MARKERS):
            return f"V/v {topic} năm {year}" if kind == "letter" else f"{label} về {topic} năm {year}"
        return title

    def _template(self, kind: str, label: str, topic: str, issuer: Issuer, year: int) -> str:
        rng = self.rng
        period = rng.choice(QUARTERS)
        variant = rng.randrange(4)
        if kind == "plan":
            options = [
                f"Kế hoạch triển khai thực hiện Nghị quyết số 35-NQ/TW của Bộ Chính trị về {topic} năm {year}",
                f"Kế hoạch {topic} năm {year}",
                f"Kế hoạch tuyên truyền về {topic} {period} năm {year}",
                f"Kế hoạch kiểm tra, giám sát việc thực hiện {topic}",
            ]
        elif kind == "report":
            options = [
                f"Báo cáo kết quả công tác {topic} {period} năm {year}",
                f"Báo cáo sơ kết 5 năm thực hiện Nghị quyết 35 về {topic}",
                f"Báo cáo tình hình tư tưởng của cán bộ, đảng viên và nhân dân {period} năm {year}",
                f"Báo cáo kết quả hoạt động của Ban Chỉ đạo 35 {period} năm {year}",
            ]
        elif kind == "notice":
            options = [
                f"Thông báo kết luận của Thường trực {issuer.short} về {topic}",
                f"Thông báo kết luận hội nghị Ban Chỉ đạo 35 {period} năm {year}",
                f"Thông báo phân công nhiệm vụ thành viên Ban Chỉ đạo về {topic}",
                f"Thông báo ý kiến chỉ đạo về {topic}",
            ]
        elif kind == "letter":
            options = [
                f"V/v tăng cường {topic}",
                f"V/v báo cáo kết quả {topic} {period} năm {year}",
                f"V/v góp ý dự thảo văn bản về {topic}",
                f"V/v cung cấp thông tin phục vụ {topic}",
            ]
        elif kind == "decision":
            options = [
                f"Quyết định kiện toàn Ban Chỉ đạo 35 nhiệm kỳ {year - year % 5}-{year - year % 5 + 5}",
                f"Quyết định ban hành Quy chế hoạt động của Ban Chỉ đạo về {topic}",
                f"Quyết định thành lập Tổ thư ký giúp việc Ban Chỉ đạo về {topic}",
                f"Quyết định phân công thành viên phụ trách {topic}",
            ]
        elif kind == "resolution":
            options = [
                f"Nghị quyết về {topic}",
                f"Nghị quyết chuyên đề về {topic} giai đoạn {year}-{year + 5}",
                f"Nghị quyết lãnh đạo thực hiện nhiệm vụ năm {year} về {topic}",
                f"Nghị quyết về tăng cường sự lãnh đạo của Đảng đối với {topic}",
            ]
        else:
            options = [
                f"{label} về {topic}",
                f"{label} thực hiện {topic} năm {year}",
                f"{label} tăng cường sự lãnh đạo của cấp ủy đối với {topic}",
                f"{label} tổ chức thực hiện {topic} {period} năm {year}",
            ]
        return options[variant]

    def _opening(self, issuer: Issuer, topic: str, year: int, domain: str) -> str:
        """The legal basis: Nghị quyết 35 in a third of the ideology documents, other grounds otherwise."""
        variant = self.rng.randrange(6)
        if variant < 2 and domain == IDEOLOGY:
            return (
                "Căn cứ Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị về tăng cường bảo vệ nền tảng tư "
                "tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới; "
                f"{issuer.short} ban hành văn bản như sau."
            )
        if variant == 2:
            return f"Căn cứ Quy chế làm việc của {issuer.short}; thực hiện chương trình công tác năm {year}."
        if variant == 3:
            return f"Thực hiện chỉ đạo của cấp trên về {topic}, {issuer.short} yêu cầu như sau."
        if issuer.party:
            return (
                f"Căn cứ Điều lệ Đảng và Quy định thi hành Điều lệ Đảng; xét đề nghị của cơ quan tham mưu về {topic}."
            )
        return f"Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ chức năng, nhiệm vụ được giao về {topic}."

    def _body(
        self,
        kind: str,
        label: str,
        symbol: str,
        title: str,
        topic: str,
        issuer: Issuer,
        issued: dt.date,
        rare: str | None,
        domain: str,
    ) -> tuple[str, str]:
        """(summary, full text), newline-separated paragraphs, ~1-3 KB together."""
        rng = self.rng
        opening = self._opening(issuer, topic, issued.year, domain)
        summary = f"{label} số {symbol} ngày {issued.day}/{issued.month}/{issued.year} của {issuer.name}: {title}."
        target = rng.randint(800, 2300)  # characters; Vietnamese text is ~1.3 bytes per character
        paragraphs = [opening]
        size = len(opening)
        sections = SECTIONS.get(kind, [])
        section = 0
        clauses = self.clauses[domain]
        while size < target:
            if section < len(sections) and rng.random() < 0.35:
                paragraphs.append(sections[section])
                section += 1
            picked = rng.sample(clauses, rng.randint(2, 4))
            sentence = "; ".join(picked)
            sentence = sentence[0].upper() + sentence[1:] + "."
            paragraphs.append(sentence)
            size += len(sentence) + 1
        if rare is not None:
            paragraphs.insert(rng.randint(1, len(paragraphs)), f"Tổ chức các hoạt động gắn với {rare} trên địa bàn.")
        signer = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        paragraphs.append(f"T/M {issuer.name.upper()}\n{signer}")
        full_text = "\n".join(paragraphs)
        return summary, full_text

    def document(self, admin: int, now: dt.datetime) -> tuple[Any, ...]:
        rng = self.rng
        owner = self.owners[bisect.bisect(self.cum, rng.random() * self.cum[-1])]
        incoming = owner.superiors and rng.random() < 0.3
        issuer = rng.choice(owner.superiors if incoming else owner.issuers)
        kind, label, type_code, _w = self.kinds[self._pick(self.kind_cum)]
        if kind == "resolution" and not issuer.party and issuer.code != STATE_RESOLUTION_ISSUER:
            kind, label, type_code = "plan", "Kế hoạch", "KH"
        if issuer.code == STATE_RESOLUTION_ISSUER and kind not in ("resolution", "report", "notice"):
            kind, label, type_code = "resolution", "Nghị quyết", "NQ"
        issued = FIRST_DAY + dt.timedelta(days=rng.randrange(self.days + 1))
        symbol, number = self._symbol(issuer, type_code, kind, issued.year)
        domain = self._domain(issuer)
        self.domain_counts[domain] += 1
        topic = self._topic(domain)
        rare = rng.choice(RARE) if rng.random() < RARE_RATE * 2 else None
        title = self._title(kind, label, topic, issuer, issued.year, domain)
        body_rare = None
        if rare is not None:
            self.rare_counts[rare] += 1
            if rng.random() < 0.5:
                title = f"{title}, gắn với {rare}"
            else:
                body_rare = rare
        summary, full_text = self._body(kind, label, symbol, title, topic, issuer, issued, body_rare, domain)
        self.kind_counts[kind] += 1
        self.body_bytes += len(summary.encode()) + len(full_text.encode())
        visibility = "public" if owner.kind == "root" else rng.choice(("subtree", "subtree", "subtree", "unit"))
        signer = full_text.rsplit("\n", 1)[-1]
        received = (issued + dt.timedelta(days=rng.randint(1, 5))) if incoming else None
        direction = "incoming" if incoming else rng.choice(("outgoing", "outgoing", "internal"))
        return _row(
            kind=kind,
            symbol=symbol,
            number=number,
            type_code="" if kind == "letter" and not issuer.party else type_code,
            issuer_code=issuer.code,
            issuer=issuer.name,
            issued_on=issued,
            signer=signer,
            title=title,
            summary=summary,
            full_text=full_text,
            direction=direction,
            unit=owner.pk,
            visibility=visibility,
            received_number=(number % 997 + 1) if incoming else None,
            received_on=received,
            admin=admin,
            now=now,
        )


COLUMNS = [
    "kind",
    "symbol",
    "number",
    "type_code",
    "issuer_code",
    "symbol_key",
    "issuer",
    "issued_on",
    "signer",
    "title",
    "summary",
    "full_text",
    "direction",
    "unit_id",
    "visibility",
    "received_number",
    "received_on",
    "effective_on",
    "created_by_id",
    "created_at",
    "updated_at",
]


def _row(
    *,
    kind: str,
    symbol: str,
    number: int | None,
    type_code: str,
    issuer_code: str,
    issuer: str,
    issued_on: dt.date,
    signer: str,
    title: str,
    summary: str,
    full_text: str,
    direction: str,
    unit: int,
    visibility: str,
    received_number: int | None,
    received_on: dt.date | None,
    admin: int,
    now: dt.datetime,
) -> tuple[Any, ...]:
    effective = issued_on if kind in ("resolution", "decision", "directive") else None
    return (
        kind,
        symbol,
        number,
        type_code,
        issuer_code,
        symbol_key(symbol),
        issuer,
        issued_on,
        signer,
        title,
        summary,
        full_text,
        direction,
        unit,
        visibility,
        received_number,
        received_on,
        effective,
        admin,
        now,
        now,
    )


_PARSE = re.compile(r"^(\d+)(?:/\d{4})?[-/]([^/-]+)[-/]")


def _landmark_row(mark: Landmark, owner: int, admin: int, now: dt.datetime) -> tuple[Any, ...]:
    match = _PARSE.match(mark.symbol)
    number = int(match.group(1)) if match else None
    parts = re.split(r"[-/]", mark.symbol)
    party = "-" in mark.symbol.split("/")[0]
    type_code = parts[1] if party else ("" if mark.kind == "letter" else parts[-2])
    issuer_code = parts[-1] if party else (parts[1] if mark.kind == "letter" else parts[-1])
    rare = next((r for r in RARE if r in mark.title), None)
    body = (
        f"{mark.title}.\nCăn cứ Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị; {SEED_CLAUSES[0]}.\n"
        f"{ADMIN_CLAUSES[0][0].upper()}{ADMIN_CLAUSES[0][1:]}; {ADMIN_CLAUSES[1]}.\n"
        + (f"Tổ chức các hoạt động gắn với {rare} trên địa bàn.\n" if rare else "")
        + f"T/M {mark.issuer.upper()}\nNguyễn Văn An"
    )
    return _row(
        kind=mark.kind,
        symbol=mark.symbol,
        number=number,
        type_code=type_code,
        issuer_code=issuer_code,
        issuer=mark.issuer,
        issued_on=mark.issued_on,
        signer="Nguyễn Văn An",
        title=mark.title,
        summary=f"{mark.title}.",
        full_text=body,
        direction="outgoing",
        unit=owner,
        visibility=mark.visibility,
        received_number=None,
        received_on=None,
        admin=admin,
        now=now,
    )


# --- loading ---------------------------------------------------------------------------------


def documents_for(scale: str) -> int:
    return {"small": 200_000, "province": 100_000, "national": 1_000_000}[scale]


def build(*, scale: str, documents: int | None = None) -> Corpus:
    """Units, a superuser, then the corpus (landmarks first, so their ids are known)."""
    lap = Laps()
    steps = lap.steps

    load_administrative_units(include_history=False)
    lap("units")
    from chidao.accounts.models import User

    admin = User.objects.create_superuser(username="bench-admin", email="", password=None, full_name="Bench Admin")
    root = Unit.objects.get(code=ROOT_CODE)
    province = Unit.objects.get(code=PROVINCE)
    scope = province if scale == "province" else root
    commune = Unit.objects.filter(parent=province, kind=UnitKind.COMMUNE).order_by("code").first()
    assert commune is not None
    owners, weights = _owners(root, scope, scale)
    marks = landmarks(_short_name(province.name), commune.name[0].lower() + commune.name[1:])
    reserved = {symbol_key(m.symbol) for m in marks}
    total = documents if documents is not None else documents_for(scale)
    generator = Generator(owners, weights, reserved)
    now = timezone.now()
    owner_of = {"root": root.pk, "province": province.pk, "commune": commune.pk}

    def rows() -> Iterator[tuple[Any, ...]]:
        for mark in marks:
            yield _landmark_row(mark, owner_of[mark.owner], admin.pk, now)
        for _ in range(total - len(marks)):
            yield generator.document(admin.pk, now)

    with transaction.atomic():
        _without_reference_triggers()
        insert_documents(rows())
        lap("documents")
        _check_references()
        lap("reference_check")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT symbol, id FROM documents_document WHERE symbol IN ({', '.join(['%s'] * len(marks))})",  # noqa: S608
            [m.symbol for m in marks],
        )
        ids: dict[str, int] = dict(cursor.fetchall())
    if len(ids) != len(marks):
        raise BenchError(f"landmarks missing after the load: {sorted({m.symbol for m in marks} - set(ids))}")
    rare_counts = dict(generator.rare_counts)
    for mark in marks:
        for rare in RARE:
            if rare in mark.title:
                rare_counts[rare] = rare_counts.get(rare, 0) + 1
    facts = {
        "documents": total,
        "scope": f"{scope.code} {scope.name}",
        "owning_units": len(owners),
        "years": f"{FIRST_DAY.isoformat()} .. {LAST_DAY.isoformat()}",
        "documents_by_kind": dict(generator.kind_counts.most_common()),
        "documents_by_subject": dict(generator.domain_counts.most_common()),
        "average_text_bytes": round(generator.body_bytes / max(1, total - len(marks))),
        "rare_phrase_documents": rare_counts,
        "landmarks": {m.symbol: ids[m.symbol] for m in marks},
        "load_steps_s": steps,
        "seed": SEED,
    }
    return Corpus(
        admin=admin,
        scope=scope,
        province=province,
        commune=commune,
        documents=total,
        landmark_ids=ids,
        landmarks=marks,
        rare_counts=rare_counts,
        facts=facts,
    )


def _owners(root: Unit, scope: Unit, scale: str) -> tuple[list[_Owner], list[float]]:
    """Every unit of the scope that keeps a register, with the bodies that write into it, and its
    share of the corpus: 1 % central, a quarter for the provinces, the rest spread over communes."""
    units = list(
        Unit.objects.filter(ancestor_links__ancestor=scope, kind__in=[UnitKind.PROVINCE, UnitKind.COMMUNE])
        .order_by("code")
        .values_list("pk", "kind", "name", "parent_id")
    )
    provinces = {pk: _province_issuers(name) for pk, kind, name, _p in units if kind == UnitKind.PROVINCE}
    if scope.kind == UnitKind.PROVINCE:
        provinces[scope.pk] = _province_issuers(scope.name)
    owners = [_Owner(root.pk, "root", CENTRAL_ISSUERS, [])]
    weights = [CENTRAL_SHARE]
    province_share = PROVINCE_SHARE[scale] / len(provinces)
    communes = [u for u in units if u[1] == UnitKind.COMMUNE]
    commune_share = (1 - CENTRAL_SHARE - PROVINCE_SHARE[scale]) / len(communes)
    for pk, issuers in provinces.items():
        owners.append(_Owner(pk, "province", issuers, CENTRAL_ISSUERS))
        weights.append(province_share)
    for pk, _kind, name, parent in communes:
        owners.append(_Owner(pk, "commune", _commune_issuers(name), provinces[parent][:3]))
        weights.append(commune_share)
    return owners, weights


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        # Chained replace, not str.translate: translate looks every character of a non-ASCII
        # string up in a dict, 100 times slower on 2 KB of Vietnamese.
        text: str = value.replace("\\", "\\\\") if "\\" in value else value
        return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def insert_documents(rows: Iterator[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL (text format, escaped), `executemany` on SQLite."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        copy_lines("documents_document", COLUMNS, ("\t".join([_copy_text(v) for v in row]) + "\n" for row in rows))
    else:
        bulk_insert("documents_document", COLUMNS, rows)


def _without_reference_triggers() -> None:
    """As in bench/reporting_data.py: skip the per-row deferred foreign-key checks of this bulk
    load (the bench database user is a superuser) and check every reference once afterwards."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _check_references() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite checked each row as it was inserted
    with connection.cursor() as cursor:
        for column, target in (("unit_id", "org_unit"), ("created_by_id", "accounts_user")):
            cursor.execute(
                f"SELECT COUNT(*) FROM documents_document t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {target} x WHERE x.id = t.{column})"
            )
            (orphans,) = cursor.fetchone()
            if orphans:
                raise BenchError(f"{orphans} documents point at no {target} through {column}")


def change_documents(corpus: Corpus, count: int, phrase: str) -> list[int]:
    """Edit `count` documents (evenly spread over the corpus) in SQL, as registry edits would:
    `phrase` appended to the title and the summary. Returns their ids, for `index_documents`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM documents_document")
        first, last = cursor.fetchone()
        step = max(1, (last - first + 1) // count)
        landmark_ids = set(corpus.landmark_ids.values())
        ids = [pk for pk in range(first, last + 1, step) if pk not in landmark_ids][:count]
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE documents_document SET title = title || %s, summary = summary || %s, "  # noqa: S608
                f"updated_at = %s WHERE id IN ({placeholders})",
                [f" ({phrase})", f" {phrase}.", timezone.now(), *chunk],
            )
    return ids
