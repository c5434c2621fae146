# Writes grey16.png and grey8.png: the same 16x3 grey ramp stored with 16 and with 8 bits per
# sample (16-bit value = 8-bit value x 257, no gAMA chunk in either). A reader must give both the
# same 8-bit pixels. Python standard library only:  python3 Tests/Fixtures/png/make_png_fixtures.py
import struct
import zlib
from pathlib import Path


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, rows):
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)  # colour type 0: grey
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 per row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


values = [[(17 * x + 40 * y) % 256 for x in range(16)] for y in range(3)]
here = Path(__file__).resolve().parent
(here / "grey8.png").write_bytes(png(16, 3, 8, [bytes(row) for row in values]))
(here / "grey16.png").write_bytes(png(16, 3, 16, [b"".join(struct.pack(">H", v * 257) for v in row) for row in values]))
