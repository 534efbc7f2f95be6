"""Counts the pixels of given colours in a PNG (8-bit RGB or RGBA, not interlaced), with Python's standard library.

    python3 png_colors.py FILE.png RRGGBB [RRGGBB ...]   ->   one line per colour: RRGGBB COUNT

Used by the report test to check that the HTML's charts were really drawn in a browser's screenshot.
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + predictor) & 0xFF
        previous = line
        for x in range(width):
            yield bytes(line[x * channels:x * channels + 3])


def main():
    wanted = {bytes.fromhex(c): c for c in sys.argv[2:]}
    counts = {c: 0 for c in sys.argv[2:]}
    for pixel in pixels(sys.argv[1]):
        name = wanted.get(pixel)
        if name:
            counts[name] += 1
    for name, count in counts.items():
        print(name, count)


main()
