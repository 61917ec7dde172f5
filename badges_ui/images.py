"""Badge images a marketer uploads: checked, sanitised, stored under MEDIA_ROOT, served back.

Capillary's create page takes square PNG, JPEG or SVG images of at most 2 MB, so the console
refuses anything else before it reaches the badge API:

- the type is read from the bytes (never from the file name or the browser's content type);
- PNG and JPEG are opened with Pillow (which also refuses decompression bombs) and must be square;
- an SVG is parsed as XML without any DOCTYPE (so no entities), rebuilt from an allowlist of
  drawing elements and presentation attributes (no scripts, no event handlers, no links, no
  external references: only `#fragment` references survive), and must be square by its
  width/height or its viewBox.

Stored files are named by the SHA-256 of their (sanitised) content, so the same image is stored
once and a name can never point at anything we did not write. `image_path` is all the serving
view needs: a name that is not one of ours is simply not found.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
DIRECTORY = "badge-images"
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}
ACCEPT = "image/png,image/jpeg,image/svg+xml,.png,.jpg,.jpeg,.svg"
NAME_PATTERN = re.compile(r"^[0-9a-f]{64}\.(?:png|jpg|svg)$")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"


class ImageRejected(ValueError):
    """The file cannot be a badge image; the message says why, for the marketer."""


@dataclass(frozen=True, slots=True)
class CheckedImage:
    content: bytes
    extension: str  # png, jpg or svg
    width: float
    height: float

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]

    @property
    def name(self) -> str:
        return f"{hashlib.sha256(self.content).hexdigest()}.{self.extension}"


def check_image(data: bytes) -> CheckedImage:
    """The image as it will be stored (an SVG sanitised), or ImageRejected."""
    if not data:
        raise ImageRejected("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageRejected(
            f"The file is {len(data) / (1024 * 1024):.1f} MB; badge images may be at most 2 MB."
        )
    kind = _sniff(data)
    if kind in ("png", "jpg"):
        width, height = _raster_size(data, kind)
        image = CheckedImage(content=data, extension=kind, width=width, height=height)
    elif kind == "svg":
        content, (width, height) = sanitise_svg(data)
        image = CheckedImage(content=content, extension="svg", width=width, height=height)
    else:
        raise ImageRejected(
            "Badge images must be PNG, JPEG or SVG files; this file is none of them."
        )
    if not _square(image.width, image.height):
        size = f"{_size(image.width)} × {_size(image.height)}"
        raise ImageRejected(f"Badge images must be square; this one is {size}.")
    return image


def store_image(image: CheckedImage, *, media_root: Path | str) -> str:
    """Write the image under MEDIA_ROOT/badge-images (once per content); answers its name."""
    directory = Path(media_root) / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / image.name
    if not target.exists():
        # Write then rename, so a half-written file is never served.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(image.content)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return image.name


def image_path(name: str, *, media_root: Path | str) -> Path | None:
    """The stored file for a name we gave out, or None (any other name, or a missing file)."""
    if not NAME_PATTERN.match(name or ""):
        return None
    path = Path(media_root) / DIRECTORY / name
    return path if path.is_file() else None


def content_type_for(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]


# --- raster images --------------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:65536].lower():
        return "svg"
    return None


def _raster_size(data: bytes, kind: str) -> tuple[int, int]:
    expected = {"png": "PNG", "jpg": "JPEG"}[kind]
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise ImageRejected("The file's contents do not match a PNG or JPEG image.")
            size = image.size
            image.verify()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ImageRejected(f"The {expected} file is damaged or too large to open.") from None
    return size


def _square(width: float, height: float) -> bool:
    return width > 0 and height > 0 and abs(width - height) <= 1e-6 * max(width, height)


def _size(value: float) -> str:
    return f"{value:g}"


# --- SVG ---------------------------------------------------------------------------------------

# Drawing elements only: no script, style, foreignObject, image, a, animate/set, iframe, ...
SVG_ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "symbol",
        "use",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "metadata",
    }
)
# Geometry and presentation attributes; nothing that runs code or loads anything.
SVG_ATTRIBUTES = frozenset(
    {
        "id",
        "class",
        "width",
        "height",
        "viewBox",
        "preserveAspectRatio",
        "version",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "fr",
        "d",
        "points",
        "transform",
        "offset",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "style",
    }
)
# Presentation properties, allowed both as attributes and inside style="...".
SVG_PROPERTIES = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "clip-path",
        "clip-rule",
        "mask",
        "color",
        "display",
        "visibility",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "font-variant",
        "text-anchor",
        "dominant-baseline",
        "alignment-baseline",
        "baseline-shift",
        "letter-spacing",
        "word-spacing",
        "text-decoration",
        "stop-color",
        "stop-opacity",
        "paint-order",
        "vector-effect",
        "shape-rendering",
        "text-rendering",
        "color-interpolation",
        "mix-blend-mode",
        "isolation",
        "overflow",
    }
)
# Elements whose href may point inside the same document (#id), and nowhere else.
HREF_ELEMENTS = frozenset({"use", "linearGradient", "radialGradient", "pattern"})

_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[\w.:-]+\1\s*\)""", re.IGNORECASE)
_DANGEROUS = re.compile(
    r"javascript:|data:|expression\s*\(|@import|\\|<|behavior\s*:", re.IGNORECASE
)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*(px)?\s*$", re.IGNORECASE)


def sanitise_svg(data: bytes) -> tuple[bytes, tuple[float, float]]:
    """A clean copy of the SVG and its (width, height); ImageRejected when it cannot be one."""
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise ImageRejected("SVG files with a DOCTYPE or entities are not accepted.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise ImageRejected("The SVG file is not well-formed XML.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageRejected(
            "The file is not an SVG image (its root must be <svg> in the SVG namespace)."
        )
    clean = _clean_element(root)
    size = _svg_size(clean)
    if size is None:
        raise ImageRejected(
            "The SVG has no size to check: give it equal width and height, or a square viewBox."
        )
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    content = ET.tostring(clean, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + content + "\n").encode(), size


def _local_name(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _clean_element(element: ET.Element) -> ET.Element:
    _, name = _local_name(element.tag)
    clean = ET.Element(element.tag)
    for key, value in element.attrib.items():
        kept = _clean_attribute(name, key, value)
        if kept is not None:
            clean.set(*kept)
    clean.text = element.text
    clean.tail = element.tail
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        namespace, child_name = _local_name(child.tag)
        if namespace == SVG_NS and child_name in SVG_ELEMENTS:
            clean.append(_clean_element(child))
        elif child.tail:
            # Keep the text that followed a dropped element, so <text> content stays in order.
            if len(clean):
                clean[-1].tail = (clean[-1].tail or "") + child.tail
            else:
                clean.text = (clean.text or "") + child.tail
    return clean


def _clean_attribute(element: str, key: str, value: str) -> tuple[str, str] | None:
    namespace, name = _local_name(key)
    if namespace == XML_NS and name == "space":
        return key, "preserve" if value == "preserve" else "default"
    if name == "href" and namespace in (None, XLINK_NS):
        if element in HREF_ELEMENTS and re.fullmatch(r"#[\w.:-]+", value.strip()):
            return key, value.strip()
        return None
    if namespace is not None or name.lower().startswith("on"):
        return None
    if name == "style":
        style = _clean_style(value)
        return (key, style) if style else None
    if name not in SVG_ATTRIBUTES and name not in SVG_PROPERTIES:
        return None
    return (key, value) if _safe_value(value) else None


def _safe_value(value: str) -> bool:
    if _DANGEROUS.search(value):
        return False
    # Any url(...) must be a local fragment such as url(#gradient).
    return len(_URL.findall(value)) == len(_LOCAL_URL.findall(value))


def _clean_style(style: str) -> str:
    kept = []
    for declaration in style.split(";"):
        prop, colon, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if colon and prop in SVG_PROPERTIES and value and _safe_value(value):
            kept.append(f"{prop}:{value}")
    return ";".join(kept)


def _svg_size(root: ET.Element) -> tuple[float, float] | None:
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width is not None and height is not None:
        return width, height
    view_box = root.get("viewBox")
    if view_box:
        parts = re.split(r"[\s,]+", view_box.strip())
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            return None
        if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0:
            return numbers[2], numbers[3]
    return None


def _length(value: str | None) -> float | None:
    """A plain or px length; percentages and font-relative units cannot be compared."""
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match else None
