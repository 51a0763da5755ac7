"""The text of a PDF that Chromium printed, page by page, without a PDF library: enough for the
print tests to read what a reader would see on paper (Type0 fonts with ToUnicode maps, one
content stream per page, Flate-compressed, as Skia writes them)."""

from __future__ import annotations

import re, zlib

def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number -> (dictionary text, decompressed stream or b"")."""
    out = {}
    starts = [(int(m.group(1)), m.end()) for m in re.finditer(rb"(?m)^(\d+) 0 obj\b", pdf)]
    for number, start in starts:
        end = pdf.find(b"endobj", start)
        body = pdf[start:end]
        head, marker, rest = body.partition(b"stream\n")
        data = b""
        if marker:
            data = rest[:rest.rfind(b"endstream")]
            if b"/FlateDecode" in head:
                try:
                    data = zlib.decompressobj().decompress(data)
                except zlib.error:
                    data = b""
        out[number] = (head, data)
    return out


def _cmap(data: bytes) -> dict[int, str]:
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace") or " "
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = first[:-1] + chr(ord(first[-1]) + i)
    return table


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page of a PDF that Chromium printed (Type0 fonts with ToUnicode maps)."""
    objects = _objects(pdf)
    fonts = {}  # /F6 -> its glyph-to-text map (Chromium names each font once per document)
    for head, _ in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            font = objects.get(int(ref), (b"", b""))[0]
            cmap = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if cmap and int(cmap.group(1)) in objects:
                fonts[name] = _cmap(objects[int(cmap.group(1))][1])
    pages = []
    for head, _ in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", head):
            continue
        refs = re.search(rb"/Contents (?:(\d+) 0 R|\[([^\]]*)\])", head)
        numbers = [int(refs.group(1))] if refs and refs.group(1) else \
            [int(n) for n in re.findall(rb"(\d+) 0 R", refs.group(2))] if refs else []
        content = b"\n".join(objects.get(n, (b"", b""))[1] for n in numbers)
        text, cmap = [], {}
        for token in re.finditer(rb"/(F\d+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\b(Tm|ET)\b", content):
            if token.group(1):
                cmap = fonts.get(token.group(1), {})
            elif token.group(2) is not None:
                hexa = token.group(2)
                text.append("".join(cmap.get(int(hexa[i:i + 4], 16), "") for i in range(0, len(hexa), 4)))
            else:
                text.append(" ")
        pages.append(re.sub(r"\s+", " ", "".join(text)))
    return pages
