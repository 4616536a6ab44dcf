"""A JSON renderer for the largest answers (a 50,000-item contactCheck batch, tens of MB).

DRF's ``JSONRenderer`` (``json.dumps``) took 0.6 s on such a batch's 57 MB answer, a third of
the request; orjson writes the same JSON several times faster (bench/README.md,
contactCheck). Only plain JSON values take that path: a value orjson would write otherwise
than DRF (a datetime, a dataclass, a subclass of str or dict, a Decimal, a number out of
range) makes it hand the whole answer to DRF's renderer, so the bytes mean the same either
way, except for a float that is not finite, which orjson writes as null where DRF refuses it
(the answers rendered here hold no floats). Indented output (``indent``) is DRF's too.
"""

import orjson
from rest_framework.renderers import JSONRenderer

_PLAIN_ONLY = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


class LargeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                return orjson.dumps(data, option=_PLAIN_ONLY)
            except TypeError:  # orjson.JSONEncodeError: not plain JSON values
                pass
        return super().render(data, accepted_media_type, renderer_context)
