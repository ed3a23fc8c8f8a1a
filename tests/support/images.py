"""Hostile image files made cheaply: a PNG whose header promises a huge image, and a real bomb."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, bit_depth: int, colour_type: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def huge_header_png(width: int, height: int) -> bytes:
    """An RGB PNG whose header says `width`x`height`, with one compressed row of pixel data (a few KB)."""
    return _png(width, height, 8, 2, zlib.compress(b"\0" * (1 + 3 * width)))


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A complete, valid 1-bit PNG of `width`x`height` black pixels: tens of KB that decode to
    `width*height` pixels (1.2 GB as RGB for 20000x20000). Compressed row by row, never whole."""
    row = b"\0" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    return _png(width, height, 1, 0, b"".join(parts))
