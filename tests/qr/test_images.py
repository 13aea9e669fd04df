"""SVG and PNG downloads: valid images of the scan URL.

What each check proves:
- PNG: the bytes are a PNG (signature, IHDR, CRC-checked chunks, zlib stream) whose size
  is (modules + 2 * quiet zone) * scale; its pixels, sampled at module centres, are
  exactly the matrix of `segno.make_qr(scan URL)`.
- SVG: well-formed XML whose path, drawn module by module, is that same matrix.
- The PNG is also decoded like a phone camera would (ZXing, from the `zxing-cpp` wheel:
  no system library needed), and must read back as the scan URL.
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree import ElementTree

import numpy
import pytest
import segno
import zxingcpp

from app.qr.images import QUIET_ZONE_MODULES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"


def _url(qr) -> str:
    return f"http://localhost/q/{qr.code}"  # PUBLIC_BASE_URL of the testing config


def _image(as_role, qr, kind: str, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return as_role("manager").get(f"/s/alpha/qr/{qr.id}.{kind}" + (f"?{query}" if query else ""))


def png_pixels(data: bytes) -> tuple[int, int, list[list[int]]]:
    """(width, height, rows of 0/1 with 1 = dark) of a greyscale or palette PNG, stdlib only."""
    assert data.startswith(PNG_SIGNATURE), "not a PNG"
    pos, chunks = len(PNG_SIGNATURE), {}
    idat = b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.setdefault(kind, body)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert kind == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert colour in (0, 3) and depth in (1, 2, 4, 8) and interlace == 0, (colour, depth, interlace)
    palette = chunks.get(b"PLTE")
    raw = zlib.decompress(idat)
    stride = (width * depth + 7) // 8
    rows, previous = [], bytearray(stride)
    for y in range(height):
        filter_type, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        _unfilter(filter_type, line, previous, max(1, depth // 8))
        previous = line
        values = [(line[x * depth // 8] >> (8 - depth - (x * depth) % 8)) & ((1 << depth) - 1) for x in range(width)]
        if palette:
            values = [palette[3 * v] for v in values]  # red channel of the palette entry
        else:
            values = [v * 255 // ((1 << depth) - 1) for v in values]
        rows.append([1 if v < 128 else 0 for v in values])
    return width, height, rows


def _unfilter(kind: int, line: bytearray, prev: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up, up_left = prev[i], prev[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - up_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
            predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
            line[i] = (line[i] + predictor) & 0xFF


def _expected_matrix(url: str) -> list[list[int]]:
    return [[1 if module else 0 for module in row] for row in segno.make_qr(url, error="m").matrix]


def _with_quiet_zone(matrix: list[list[int]]) -> list[list[int]]:
    size = len(matrix) + 2 * QUIET_ZONE_MODULES
    blank = [0] * QUIET_ZONE_MODULES
    return (
        [[0] * size for _ in range(QUIET_ZONE_MODULES)]
        + [blank + row + blank for row in matrix]
        + [[0] * size for _ in range(QUIET_ZONE_MODULES)]
    )


def test_the_png_is_the_symbol_of_the_scan_url(as_role, flyer):
    scale = 7
    response = _image(as_role, flyer, "png", scale=scale)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    width, height, pixels = png_pixels(response.data)
    expected = _with_quiet_zone(_expected_matrix(_url(flyer)))
    assert width == height == len(expected) * scale
    sampled = [
        [pixels[y * scale + scale // 2][x * scale + scale // 2] for x in range(len(expected))]
        for y in range(len(expected))
    ]
    assert sampled == expected
    assert segno.make_qr(_url(flyer), error="m").error in ("M", "Q", "H")


def _svg_matrix(svg: bytes) -> tuple[ElementTree.Element, list[list[int]]]:
    """Parse segno's SVG (one path of horizontal runs: M/m moves, h draws) into modules."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    path = root.find(f"{SVG_NS}path")
    scale_match = re.search(r"scale\(([0-9.]+)\)", path.get("transform", "scale(1)"))
    assert scale_match
    size = int(float(root.get("width")) / float(scale_match.group(1)))
    modules = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])\s*(-?[0-9.]+)(?:[ ,](-?[0-9.]+))?", path.get("d")):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            run = float(a) if command == "h" else float(a) - x
            for column in range(int(x), int(x + run)):
                modules[int(y)][column] = 1
            x += run
    return root, modules


def test_the_svg_is_well_formed_and_draws_the_symbol_of_the_scan_url(as_role, flyer):
    response = _image(as_role, flyer, "svg", scale=3)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root, modules = _svg_matrix(response.data)
    assert root.find(f"{SVG_NS}title").text == _url(flyer)
    assert modules == _with_quiet_zone(_expected_matrix(_url(flyer)))


def test_the_png_decodes_back_to_the_scan_url(as_role, flyer):
    response = _image(as_role, flyer, "png", scale=4)
    width, height, pixels = png_pixels(response.data)
    grey = numpy.array([[0 if dark else 255 for dark in row] for row in pixels], dtype=numpy.uint8)
    assert grey.shape == (height, width)
    decoded = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [symbol.text for symbol in decoded] == [_url(flyer)]


def test_downloads_carry_a_file_name(as_role, flyer):
    for kind in ("svg", "png"):
        response = _image(as_role, flyer, kind, download=1)
        disposition = response.headers["Content-Disposition"]
        assert disposition == f"attachment; filename=qr-alpha-spring-flyer-{flyer.code}.{kind}"
    shown = _image(as_role, flyer, "svg")
    assert shown.headers["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize("scale", ["0", "21", "-1", "abc", "1.5", "9999999999"])
def test_the_scale_is_bounded(as_role, flyer, scale):
    response = _image(as_role, flyer, "png", scale=scale)
    assert response.status_code == 400
    assert "scale" in response.get_data(as_text=True)


def test_bigger_scales_make_bigger_pngs(as_role, flyer):
    small = png_pixels(_image(as_role, flyer, "png", scale=1).data)[0]
    large = png_pixels(_image(as_role, flyer, "png", scale=20).data)[0]
    assert large == 20 * small
