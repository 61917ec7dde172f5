"""Form posts for the badge builder, as a browser sends them (tests/ui/test_builder*.py)."""

import html
import io
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from PIL import Image

ROW_PREFIXES = ("customer-limits", "badge-limits", "benefits", "images", "tags")


def local(days: float = 0, *, hour: int | None = None) -> str:
    """A datetime-local value `days` from now, in UTC (the tests' org timezone)."""
    moment = datetime.now(UTC) + timedelta(days=days)
    if hour is not None:
        moment = moment.replace(hour=hour, minute=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


def raster(width: int, height: int, kind: str = "PNG") -> bytes:
    """A plain image file of this size (PNG or JPEG), as a marketer would upload."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (79, 70, 229)).save(buffer, format=kind)
    return buffer.getvalue()


def builder_post(rows: dict[str, list[dict]] | None = None, **fields) -> dict:
    """A complete, valid create form: a directly earned badge for Loyalty, no rows.

    `rows` maps a formset prefix to its rows ({"kind": "FIXED_WINDOW", ...}); a field given as
    None is left out of the post.
    """
    data = {
        "name": "Morning coffee",
        "description": "Buy a coffee before ten",
        "earn_type": "EARN",
        "active": "on",
        "start_on": local(2, hour=0),
        "expires_on": local(40, hour=23),
        "owners": ["Loyalty"],
        "earned_expiry_type": "WITH_BADGE_META",
        "earned_expiry_unit": "DAYS",
        "issued_expiry_type": "WITH_BADGE_META",
        "issued_expiry_unit": "DAYS",
    }
    data.update(fields)
    rows = rows or {}
    for prefix in ROW_PREFIXES:
        items = rows.get(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(items))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for index, row in enumerate(items):
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    return {key: value for key, value in data.items() if value is not None}


WEEKLY = {
    "kind": "FIXED_WINDOW",
    "duration_type": "WEEKS",
    "start_day": "MONDAY",
    "max_earn_limit": "1",
}
ROLLING_2_IN_7_DAYS = {"kind": "ROLLING_WINDOW", "max_for_days": "2", "roll_for_days": "7"}


def preview_json(response) -> dict:
    """The JSON the preview shows, parsed."""
    match = re.search(r"<pre><code>(.*?)</code></pre>", response.content.decode(), re.DOTALL)
    assert match, "the preview shows no JSON"
    return json.loads(html.unescape(match[1]))


def field_html(response, name: str) -> str:
    """The <input>, <select> or <textarea> tag of a field, by its HTML name."""
    page = response.content.decode()
    match = re.search(rf'<(input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert match, f"no field {name}"
    return match[0]


def field_value(response, name: str) -> str | None:
    tag = field_html(response, name)
    page = response.content.decode()
    if tag.startswith("<select"):
        start = page.index(tag)
        block = page[start : page.index("</select>", start)]
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', block)
        return html.unescape(selected[1]) if selected else None
    if tag.startswith("<textarea"):
        start = page.index(tag) + len(tag)
        return html.unescape(page[start : page.index("</textarea>", start)]).strip("\n")
    value = re.search(r'value="([^"]*)"', tag)
    return html.unescape(value[1]) if value else None


def errors_of(response, field_id: str) -> str:
    """The text of the error list Django renders for a field (id="<field id>_error")."""
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>',
        response.content.decode(),
        re.DOTALL,
    )
    return re.sub(r"<[^>]+>", " ", match[1]).strip() if match else ""


class _FormParser(HTMLParser):
    """Collects what a browser would submit from <form id="builder">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None
        self.select_value: str | None = None
        self.select_first: str | None = None
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "builder":
            self.in_form = True
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("file", "submit", "button"):
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_value, self.select_first = name, None, None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.select_value = value
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            value = self.select_value if self.select_value is not None else self.select_first
            self.data.append((self.select, value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def posted_form(response) -> dict:
    """The builder form of a page (or an HTMX region) as the browser would post it.

    Fields that repeat (owners) become lists, as the Django test client posts them.
    """
    parser = _FormParser()
    content = response.content.decode()
    if 'id="builder"' not in content:
        content = f'<form id="builder">{content}</form>'
    parser.feed(content)
    data: dict = {}
    for name, value in parser.data:
        if name in data:
            data[name] = (data[name] if isinstance(data[name], list) else [data[name]]) + [value]
        else:
            data[name] = value
    return data
