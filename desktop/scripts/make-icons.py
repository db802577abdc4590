"""Draws the app and tray icons (plain PNG via zlib, no image library needed). Run once; the PNGs are committed."""
import math
import struct
import sys
import zlib
from pathlib import Path

BG = (0x58, 0x65, 0xF2)  # the web client's accent
FG = (0xFF, 0xFF, 0xFF)
DOT = (0xED, 0x42, 0x45)


def png(size, pixels):
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def draw(size, badge=False):
    rows = []
    r_out = size * 0.47
    c = (size - 1) / 2
    for y in range(size):
        row = []
        for x in range(size):
            d = math.hypot(x - c, y - c)
            px = (0, 0, 0, 0)
            if d <= r_out:
                px = BG + (255,)
                # a "signal" glyph: a dot and two arcs, like a broadcast
                dx, dy = x - c * 0.75, y - c * 1.25
                dd = math.hypot(dx, dy)
                upper_right = dx > -size * 0.02 and dy < size * 0.02
                if dd < size * 0.08 or (upper_right and (abs(dd - size * 0.22) < size * 0.045 or abs(dd - size * 0.36) < size * 0.045)):
                    px = FG + (255,)
            if badge and math.hypot(x - size * 0.78, y - size * 0.22) < size * 0.2:
                px = DOT + (255,)
            row.append(px)
        rows.append(row)
    return png(size, rows)


out = Path(sys.argv[1] if len(sys.argv) > 1 else "src-tauri/icons")
out.mkdir(parents=True, exist_ok=True)
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("icon.png", 512)]:
    (out / name).write_bytes(draw(size))
(out / "tray.png").write_bytes(draw(64))
(out / "tray-badge.png").write_bytes(draw(64, badge=True))
