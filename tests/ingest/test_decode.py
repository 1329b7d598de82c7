"""Bytes that are not text are refused at loading, whatever the file is called; text in a
byte-order-marked UTF-16/32, UTF-8 or a Windows code page is decoded as the text it is."""

from __future__ import annotations

import codecs
import gzip
import random
from pathlib import Path

import pytest

from ingest.decode import bits_per_byte, not_text
from ingest.errors import DocumentError
from ingest.load import load, load_bytes

TEXT = "La oficina de Cúcuta registró 4.210 llegadas en marzo; el señor Núñez firmó el acta.\n"


def _random(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-16"),  # with its byte-order mark (what Notepad's "Unicode" writes)
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-32"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.encode("utf-16-le"),  # no mark: charset-normalizer tells it
    ],
    ids=["utf-16", "utf-16-be", "utf-32", "utf-8-sig", "utf-8", "cp1252", "utf-16-le-no-bom"],
)
def test_text_in_each_encoding_is_decoded_as_itself(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(data)
    assert load(path).text == TEXT


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Ça coûte 30 € à Genève, déjà l’été. Les migrants arrivés à Montréal.", "cp1252"),
        ("Migração e ações, São Paulo recebeu refugiados.", "cp1252"),
        ("Zażółć gęślą jaźń. Migranci przybyli do Łodzi w zeszłym roku.", "cp1250"),
        ("Мигранты прибыли в Москву в прошлом году, и правительство объявило помощь.", "cp1251"),
    ],
)
def test_windows_code_pages_are_told_apart(text: str, encoding: str) -> None:
    # Windows-1252 when it reads clean (charset-normalizer's mess detector), else detected.
    assert load_bytes(text.encode(encoding), ".txt", "x.txt").text == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_random(4096), "look random or compressed"),
        (_random(600, seed=3), "look random or compressed"),
        (gzip.compress(" ".join(map(str, _random(3000))).encode()), "look random or compressed"),
        (_random(100, seed=5), "not text in any encoding"),
        (b"The desk opened\x00 in 2021 and\x00 registered arrivals.", "NUL characters"),
        (b"ab\x01\x02cd\x03" * 50, "control or undecodable characters"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8A\x00", "not valid UTF-16"),
    ],
    ids=["random", "random-600", "gzip", "random-100", "nul", "controls", "bad-utf-16"],
)
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_bytes_that_are_not_text_are_refused(data: bytes, reason: str, suffix: str) -> None:
    with pytest.raises(DocumentError, match=reason) as info:
        load_bytes(data, suffix, f"garbage{suffix}")
    assert info.value.path == f"garbage{suffix}"


def test_an_html_file_of_random_bytes_is_refused() -> None:
    with pytest.raises(DocumentError, match="random or compressed"):
        load_bytes(_random(2048), ".html", "page.html")
    page = "<html><body><p>Text \x01\x02\x03\x04 with controls</p></body></html>" * 3
    with pytest.raises(DocumentError, match="control or undecodable"):
        load_bytes(page.encode(), ".html", "page.html")


def test_the_measures() -> None:
    assert bits_per_byte(b"") == 0.0 and bits_per_byte(b"aaaa") == 0.0
    assert bits_per_byte(bytes(range(256)) * 4) == pytest.approx(8.0)
    assert 4.0 < bits_per_byte(TEXT.encode() * 20) < 5.5
    assert not_text(TEXT) == "" and not_text("tab\tand\nnewline\r\f") == ""
    assert "NUL" in not_text("a\x00b")
