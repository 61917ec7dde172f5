"""orjson in and out: the hot read paths spend most of their time serialising."""

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


class OrjsonParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ParseError(f"Malformed JSON: {error}") from error


# Accept headers that take JSON as it is: none at all, anything, or JSON by name.
_TAKES_JSON = frozenset({None, "", "*/*", "application/json"})


class JsonFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, decided at once when a JSON renderer comes first and the client takes
    JSON as it is (what tills, the console and curl send). Parsing the Accept header was over
    half of what DRF adds to a request; any other header or a `?format=` is negotiated exactly
    as before (406 when nothing fits)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0] if renderers else None
        if (
            first is not None
            and first.media_type == OrjsonRenderer.media_type
            and not format_suffix
            and request.META.get("HTTP_ACCEPT") in _TAKES_JSON
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
