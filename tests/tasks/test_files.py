import io
import zipfile

from chidao.tasks import files


def _zip(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    buffer.seek(0)
    return buffer


def test_types_come_from_the_content():
    assert files.detect_type(io.BytesIO(b"%PDF-1.7 ...")) is files.PDF
    assert files.detect_type(io.BytesIO(b"\x89PNG\r\n\x1a\n....")) is files.PNG
    assert files.detect_type(io.BytesIO(b"\xff\xd8\xff\xe0JFIF")) is files.JPEG
    assert files.detect_type(io.BytesIO(b"RIFF\x00\x00\x00\x00WEBPVP8 ")) is files.WEBP
    assert files.detect_type(_zip(["[Content_Types].xml", "word/document.xml"])) is files.DOCX
    assert files.detect_type(_zip(["[Content_Types].xml", "xl/workbook.xml"])) is files.XLSX
    assert files.detect_type(_zip(["evil.exe"])) is None
    assert files.detect_type(io.BytesIO(b"PK\x03\x04broken")) is None
    assert files.detect_type(io.BytesIO(b"<svg onload=alert(1)>")) is None
    assert files.detect_type(io.BytesIO(b"MZ\x90\x00")) is None


def test_names_lose_paths_and_controls_and_take_the_real_extension():
    assert files.clean_name("C:\\Users\\a\\Kế hoạch 2026.docx", files.PDF) == "Kế_hoạch_2026.pdf"
    assert files.clean_name("../../etc/passwd", files.PNG) == "passwd.png"
    assert files.clean_name("a\x00b\u202ec.pdf", files.PDF) == "abc.pdf"
    assert files.clean_name("..", files.PDF) == "tep-dinh-kem.pdf"
    assert len(files.clean_name("x" * 500 + ".pdf", files.PDF)) == 150
