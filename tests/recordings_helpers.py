"""Shared by the recordings tests: the spec's example as a fixture, and an mp3 frame walker."""

import io

from django.core.files import File

from livevox_site.audit import Actor
from recordings.demo import SPEC_EXAMPLE, SPEC_EXAMPLE_ID, silent_mp3
from recordings.services import recording_create

# The spec's Get Call Recording Info example, word for word.
SPEC_INFO = {
    "clientId": 4199,
    "callCenterId": 1191,
    "serviceId": 11846,
    "agentId": 45365,
    "campaignId": 1,
    "account": "002723754",
    "phone": "8015442100",
    "termCodeId": 200801,
    "fromDate": 1375727329697,
    "toDate": 1375727389697,
    "duration": 60,
}

# MPEG-1 Layer III bit rates (kbit/s) by index, and sample rates (Hz) by index.
# The admin add form of a recording, as a manager fills it (its audio aside).
UPLOAD = {
    "recording_id": "upload-1",
    "call_center_id": "1191",
    "service_id": "11846",
    "agent_id": "45365",
    "campaign_id": "1",
    "account": "002723754",
    "phone": "8015442100",
    "term_code_id": "200801",
    "start_time_0": "2013-08-05",
    "start_time_1": "14:28:49",
    "end_time_0": "2013-08-05",
    "end_time_1": "14:29:49",
    "original_account_number": "",
    "duration": "60",
}

_BITRATES = [None, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, None]
_SAMPLE_RATES = [44100, 48000, 32000, None]


def mp3_frames(data: bytes) -> int:
    """The number of MPEG-1 Layer III frames ``data`` holds back to back; AssertionError at the
    first offset that holds no valid frame header."""
    offset = frames = 0
    while offset < len(data):
        header = int.from_bytes(data[offset : offset + 4], "big")
        assert header >> 21 == 0x7FF, f"no frame sync at {offset}"
        assert (header >> 19) & 3 == 3, f"not MPEG-1 at {offset}"
        assert (header >> 17) & 3 == 1, f"not Layer III at {offset}"
        bitrate = _BITRATES[(header >> 12) & 0xF]
        sample_rate = _SAMPLE_RATES[(header >> 10) & 3]
        assert bitrate and sample_rate, f"reserved bit rate or sample rate at {offset}"
        length = 144 * bitrate * 1000 // sample_rate + ((header >> 9) & 1)
        offset += length
        frames += 1
    assert offset == len(data), "the last frame is cut short"
    return frames


def make_recording(client, recording_id=SPEC_EXAMPLE_ID, audio: bytes | None = None, **changes):
    """A recording of ``client`` with the spec example's metadata (``changes`` replace some)."""
    from dataclasses import replace

    return recording_create(
        actor=Actor.command("test"),
        client=client,
        recording_id=recording_id,
        metadata=replace(SPEC_EXAMPLE, **changes),
        audio=File(io.BytesIO(audio if audio is not None else silent_mp3(2)), name="x.mp3"),
    )
