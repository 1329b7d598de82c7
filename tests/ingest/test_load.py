"""Tests for ingest/load.py on small files generated with the real writers (fpdf2, python-docx)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from ingest.errors import DocumentError
from ingest.load import SUPPORTED, Loaded, load, load_bytes

PAGE_ONE = "Page one says the Darien crossing rose 40 percent in 2023."
PAGE_TWO = "Page two says Panama counted 520085 entries that year."


def _write_pdf(path: Path, pages: list[str], *, title: str = "", **encryption: str) -> Path:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.set_font("helvetica", size=12)
    for sentence in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, sentence)
    pdf.output(str(path))
    return path


def test_pdf_pages_and_offsets(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "report.pdf", [PAGE_ONE, PAGE_TWO], title="Darien Report")
    loaded = load(path)
    assert isinstance(loaded, Loaded)
    assert PAGE_ONE in loaded.text and PAGE_TWO in loaded.text
    assert loaded.title == "Darien Report"
    assert [number for _, number in loaded.pages] == [1, 2]
    (start_one, _), (start_two, _) = loaded.pages
    assert start_one == 0
    assert loaded.text[start_two:].startswith(PAGE_TWO)
    assert PAGE_TWO not in loaded.text[:start_two]
    assert loaded.text[start_two - 2 : start_two] == "\n\n"


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    path = _write_pdf(
        tmp_path / "locked.pdf", [PAGE_ONE], owner_password="owner", user_password="secret"
    )
    with pytest.raises(DocumentError, match="encrypted") as info:
        load(path)
    assert info.value.path == str(path)
    assert "qpdf --decrypt" in info.value.reason


def test_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "restricted.pdf", [PAGE_ONE], owner_password="owner")
    assert PAGE_ONE in load(path).text


def test_corrupt_pdf_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DocumentError, match="not a readable PDF") as info:
        load(path)
    assert "broken.pdf" in str(info.value)


def test_pdf_without_text_suggests_ocr(tmp_path: Path) -> None:
    path = _write_pdf(tmp_path / "scan.pdf", [""])
    with pytest.raises(DocumentError, match="OCR"):
        load(path)


@pytest.mark.parametrize("content", [b"", b"  \n\t \r\n"])
def test_empty_text_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match="the file is empty"):
        load(path)


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("La migración “irregular” creció – 15 %.".encode("cp1252"))
    loaded = load(path)
    assert loaded.text == "La migración “irregular” creció – 15 %."
    assert loaded.pages == () and loaded.title == ""


def test_utf8_text_and_markdown_title(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text("Intro line\n# Remesas en Honduras\n\nRemesas were 25 percent of GDP.\n")
    loaded = load(path)
    assert loaded.title == "Remesas en Honduras"
    assert "Remesas were 25 percent of GDP." in loaded.text


def test_docx_headings_lists_and_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Venezuelan Outflows"
    document.add_heading("Regional response", level=1)
    document.add_heading("Colombia", level=2)
    document.add_paragraph("Colombia hosts 2.8 million Venezuelans.")
    document.add_paragraph("Temporary protection status", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Peru"
    table.cell(0, 1).text = "1.5 million"
    path = tmp_path / "outflows.docx"
    document.save(str(path))

    loaded = load(path)
    lines = loaded.text.splitlines()
    assert loaded.title == "Venezuelan Outflows"
    assert "# Regional response" in lines
    assert "## Colombia" in lines
    assert "Colombia hosts 2.8 million Venezuelans." in lines
    assert "- Temporary protection status" in lines
    assert "Peru" in lines and "1.5 million" in lines


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    with pytest.raises(DocumentError, match="not a readable DOCX"):
        load(path)


def test_html_drops_script_and_chrome(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<!doctype html><html><head><title>Caravans in Tapachula</title>
        <style>body { color: red }</style></head>
        <body><nav>Home | About</nav><header>Site banner</header>
        <h1>Caravans</h1>
        <p>About 3,000 people
           left Tapachula in <b>October</b>.</p>
        <script>alert(1)</script>
        <ul><li>Mexico issued visas</li><li>Guatemala closed the border</li></ul>
        <form><input name="q"><button>Search</button></form>
        <footer>Copyright</footer></body></html>""",
        encoding="utf-8",
    )
    loaded = load(path)
    assert loaded.title == "Caravans in Tapachula"
    assert "alert" not in loaded.text and "color: red" not in loaded.text
    for chrome in ("Home | About", "Site banner", "Search", "Copyright"):
        assert chrome not in loaded.text
    assert loaded.text.split("\n\n") == [
        "# Caravans",
        "About 3,000 people left Tapachula in October.",
        "- Mexico issued visas\n- Guatemala closed the border",
    ]


def test_load_bytes_and_unsupported_suffix(tmp_path: Path) -> None:
    assert load_bytes(b"Haiti TPS extended.", "TXT", "mem").text == "Haiti TPS extended."
    assert ".pdf" in SUPPORTED
    with pytest.raises(DocumentError, match="unsupported file type") as info:
        load_bytes(b"GIF89a", ".gif", "https://example.org/chart.gif")
    assert info.value.path == "https://example.org/chart.gif"
    with pytest.raises(DocumentError, match="cannot be read"):
        load(tmp_path / "missing.txt")
