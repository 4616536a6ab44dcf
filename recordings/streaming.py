"""The audio answer shared by the API and the admin's player: streamed from the storage in
chunks (never read whole), with ``ETag``, ``If-None-Match`` and single byte ranges, so that
players can seek (RFC 9110 sections 13 and 14)."""

import re
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from storages.utils import clean_name

from livevox_site.errors import StorageUnavailable

from .models import Recording
from .services import STORAGE_ERRORS

CHUNK_SIZE = 64 * 1024
CONTENT_TYPE = "audio/mpeg"
# Presigned URLs live this long (seconds) when LV_RECORDING_REDIRECT sends players to S3.
REDIRECT_EXPIRES = 300

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class Unsatisfiable(Exception):
    """The Range names no byte of the file: 416."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions, inclusive, of a single-range ``Range`` header; None to
    answer the whole file (no header, a syntax we do not parse, or several ranges, which a server
    may ignore). Raises ``Unsatisfiable`` for a range outside the file."""
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable()
        return max(size - length, 0), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise Unsatisfiable()
    return start, end


def _etag(recording: Recording) -> str:
    return f'"{recording.sha256}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison, as If-None-Match asks: W/"x" matches "x".
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return etag in tags


def _is_s3(storage) -> bool:
    return hasattr(storage, "bucket") and hasattr(storage, "bucket_name")


def _chunks(recording: Recording, start: int, end: int) -> Iterator[bytes]:
    """Bytes ``start``..``end`` (inclusive) of the stored file, one chunk at a time. The file is
    opened here, before the response starts, so a storage failure is an error answer rather
    than a body cut short after a 200."""
    storage = recording.audio.storage
    name = recording.audio.name
    try:
        if _is_s3(storage):
            # A ranged GET: the storage's own File would download the whole object first.
            key = storage._normalize_name(clean_name(name))
            body = storage.bucket.Object(key).get(Range=f"bytes={start}-{end}")["Body"]
            return _s3_chunks(body)
        handle = storage.open(name, "rb")
        handle.seek(start)
    except STORAGE_ERRORS as error:
        raise StorageUnavailable("The recording's audio cannot be read now; try again") from error
    return _file_chunks(handle, end - start + 1)


def _s3_chunks(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK_SIZE)
    finally:
        body.close()


def _file_chunks(handle, remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def audio_response(request, recording: Recording) -> HttpResponse:
    """The recording's mp3 for ``request``: 200, 206, 304, 416, or (with S3 and the
    ``LV_RECORDING_REDIRECT`` setting) a redirect to a short-lived presigned URL."""
    storage = recording.audio.storage
    if getattr(settings, "RECORDING_REDIRECT", False) and _is_s3(storage):
        url = storage.url(
            recording.audio.name,
            parameters={"ResponseContentType": CONTENT_TYPE},
            expire=REDIRECT_EXPIRES,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response

    etag = _etag(recording)
    size = recording.size
    headers = {"ETag": etag, "Accept-Ranges": "bytes", "Cache-Control": "private"}
    if _etag_matches(request.headers.get("If-None-Match"), etag):
        response = HttpResponse(status=304)
        for name, value in headers.items():
            response[name] = value
        return response

    range_header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != etag:
        range_header = None  # the client's copy is stale: send the whole new file
    try:
        byte_range = parse_range(range_header, size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        for name, value in headers.items():
            response[name] = value
        return response

    start, end = byte_range if byte_range is not None else (0, size - 1)
    response = StreamingHttpResponse(
        _chunks(recording, start, end) if size else iter(()),
        status=206 if byte_range is not None else 200,
        content_type=CONTENT_TYPE,
    )
    response["Content-Length"] = str(end - start + 1 if size else 0)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    for name, value in headers.items():
        response[name] = value
    return response
