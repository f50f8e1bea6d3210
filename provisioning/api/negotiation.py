"""SCIM's media type in and out (RFC 7644 §3.1, §8.1): ``application/scim+json``, and
``application/json`` accepted too. Parsing errors become SCIM errors, not DRF's."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from provisioning.scim.constants import MEDIA_TYPE
from provisioning.scim.errors import InvalidSyntax, PayloadTooLarge


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class ScimJSONParser(BaseParser):
    media_type = MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.SCIM_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise InvalidSyntax(f"The request body is not valid JSON: {error}") from None
        except RecursionError:
            raise InvalidSyntax("The request body is nested too deeply.") from None


class PlainJSONParser(ScimJSONParser):
    media_type = "application/json"


class ScimJSONRenderer(BaseRenderer):
    media_type = MEDIA_TYPE
    format = "scim"
    charset = None  # JSON is UTF-8 by definition (RFC 8259 §8.1)

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        # A lone surrogate (an error may quote what a client sent) leaves as the JSON escape
        # ensure_ascii would have written ("\ud800"), not as a failed encoding.
        return text.encode("utf-8", "backslashreplace")
