"""Bytes -> text for the text formats (.txt, .md, .html), and the check that what came out is
text: a file of random or compressed bytes, NULs or undecodable bytes is refused (DocumentError),
so it counts as failed and the index keeps that document's last good version.

The encoding: a byte-order mark says it (UTF-8, UTF-16, UTF-32); else UTF-8 when the bytes are
valid UTF-8; else Windows-1252 when charset-normalizer's mess detector finds that reading clean
(the usual export of Windows tools in the corpus's languages, which its detection tells apart
poorly from other single-byte pages on short texts); else what charset-normalizer detects.
Nothing it can read: refused.
"""

from __future__ import annotations

import codecs
import re

import numpy as np

from ingest.errors import DocumentError

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Random or compressed bytes carry close to 8 bits per byte; text in any script far less (UTF-8
# English ~5, Chinese ~5-6). Measured only on enough bytes for the estimate to mean something.
MAX_BITS_PER_BYTE = 7.2
MIN_BYTES_FOR_ENTROPY = 512
# Characters no text holds (see _JUNK): above this share of the text, it is binary data.
MAX_JUNK_SHARE = 0.01
# charset-normalizer's own default threshold for a readable decoding (measured over the whole
# sample: with a lower ceiling it stops early, on a partial and higher ratio)
MAX_MESS = 0.2
_SAMPLE = 65_536  # characters the mess detector reads (it is per character, in Python)
# Controls but tab, newlines and form feed; lone surrogates; private use; U+FFFD and the two
# noncharacters of the basic plane.
_JUNK = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd\ufffe\uffff]")


def bits_per_byte(data: bytes) -> float:
    """Shannon entropy of the bytes, in bits per byte (0-8)."""
    if not data:
        return 0.0
    counts = np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256)
    p = counts[counts > 0] / len(data)
    return float(-(p * np.log2(p)).sum())


def not_text(text: str) -> str:
    """Why ``text`` is not text ("" when it is): NULs, or too many characters no text holds."""
    if "\x00" in text:
        return (
            "it holds NUL characters: binary data, not text (a UTF-16 file needs its "
            "byte-order mark; or save it as UTF-8)"
        )
    junk = len(_JUNK.findall(text))
    if text and junk / len(text) > MAX_JUNK_SHARE:
        return (
            f"{junk} of its {len(text)} characters are control or undecodable characters: "
            "binary data, not text"
        )
    return ""


def check_bytes(data: bytes, name: str) -> None:
    """Refuse bytes that look random or compressed before decoding them."""
    if len(data) >= MIN_BYTES_FOR_ENTROPY:
        bits = bits_per_byte(data)
        if bits > MAX_BITS_PER_BYTE:
            raise DocumentError(
                name,
                f"its bytes look random or compressed ({bits:.1f} bits per byte): not text",
            )


def decode(data: bytes, name: str) -> str:
    """The text of a text file, or DocumentError saying why it is not one."""
    check_bytes(data, name)
    text = _by_bom(data, name)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _detected(data, name)
    problem = not_text(text)
    if problem:
        raise DocumentError(name, problem)
    return text


def _by_bom(data: bytes, name: str) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                label = encoding.replace("-sig", "").upper()
                raise DocumentError(
                    name, f"it starts with a {label} byte-order mark but is not valid {label}"
                ) from exc
    return None


def _detected(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    if b"\x00" not in data:  # NULs: perhaps UTF-16 without its mark; let detection say
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = None
        if text is not None and mess_ratio(text[:_SAMPLE], 1.0) < MAX_MESS:
            return text
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(
            name,
            "its bytes are not text in any encoding Ruta recognises (binary data?); "
            "save it as UTF-8",
        )
    return str(best)
