"""The photo formats the slideshow reads: the signature table (`sniff`) that decides a file's
format from its first bytes, and the file-name suffixes the library uses as a cheap first
filter before it reads any bytes.

Shared by the decoder (`workers/decode.py`, which trusts only the bytes) and the library
(`library/`, which lists by suffix and then confirms by signature). No dependencies, so the
library can import it without loading Pillow or numpy.
"""

from __future__ import annotations

# Bytes `sniff` needs to decide: an ISO-BMFF (HEIF/AVIF) `ftyp` box lists its brands
# within the first 64 bytes.
SIGNATURE_BYTES = 64

# Lower-case suffixes of names worth reading the signature of. A name with another suffix
# is not read at all; one without a suffix is read (cameras and exports sometimes drop it).
PHOTO_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".jfi", ".png", ".webp", ".gif", ".bmp", ".dib",
    ".tif", ".tiff", ".heic", ".heif", ".hif", ".avif"})

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
                b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(data: bytes) -> str | None:
    """The format `data` starts like (JPEG, PNG, GIF, WEBP, BMP, TIFF, HEIF, AVIF), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:2] == b"BM" and len(data) >= 26:
        return "BMP"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if data[4:8] == b"ftyp":
        size = int.from_bytes(data[:4], "big")
        brands = {data[i:i + 4] for i in range(8, min(max(size, 16), 64), 4)} - {b"\x00" * 4}
        if brands & _AVIF_BRANDS:
            return "AVIF"
        if brands & _HEIF_BRANDS:
            return "HEIF"
    return None
