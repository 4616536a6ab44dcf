"""Demo recordings: the spec's Get Call Recording Info example (client 4199, service 11846,
...), with a silent mp3 made here. No encoder is installed and nothing may be downloaded, so the
mp3 is built frame by frame: MPEG-1 Layer III frames whose side information and main data are
all zero, which every decoder plays as silence. Running it again changes nothing."""

import io
from datetime import UTC, datetime

from django.core.files import File

from livevox_site.audit import Actor
from livevox_site.models import Client

from .models import Recording
from .services import RecordingMetadata, recording_create

# MPEG-1 Layer III, 32 kbit/s, 44.1 kHz, no CRC, no padding, mono, "original" bit set:
# 0xFFFB10C4. Each frame holds 1152 samples and is 144 * 32000 / 44100 = 104 bytes long.
FRAME_HEADER = bytes.fromhex("FFFB10C4")
FRAME_BYTES = 104
SAMPLES_PER_FRAME = 1152
SAMPLE_RATE = 44100


def silent_mp3(seconds: float) -> bytes:
    """A valid mp3 of ``seconds`` of silence (rounded up to whole frames)."""
    frames = -(-int(seconds * SAMPLE_RATE) // SAMPLES_PER_FRAME)
    frame = FRAME_HEADER + bytes(FRAME_BYTES - len(FRAME_HEADER))
    return frame * max(frames, 1)


def _ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


# The spec's example, exactly.
SPEC_EXAMPLE_ID = "8b4e88fe-2b9c-b6b1-d211-016c4d1b3ec6"
SPEC_EXAMPLE = RecordingMetadata(
    call_center_id=1191,
    service_id=11846,
    agent_id=45365,
    campaign_id=1,
    account="002723754",
    phone="8015442100",
    term_code_id=200801,
    start_time=_ms(1375727329697),
    end_time=_ms(1375727389697),
    duration=60,
)
DEMO_CLIENT_ID = 4199


def seed_recordings(actor: Actor | None = None) -> list[Recording]:
    """The spec's example recording for client 4199, when that client exists."""
    actor = actor or Actor.command("seed_demo")
    client = Client.objects.filter(pk=DEMO_CLIENT_ID).first()
    if client is None:
        return []
    found = Recording.objects.filter(client=client, recording_id=SPEC_EXAMPLE_ID).first()
    if found is not None:
        return [found]
    audio = File(io.BytesIO(silent_mp3(SPEC_EXAMPLE.duration)), name="demo.mp3")
    return [
        recording_create(
            actor=actor,
            client=client,
            recording_id=SPEC_EXAMPLE_ID,
            metadata=SPEC_EXAMPLE,
            audio=audio,
        )
    ]
