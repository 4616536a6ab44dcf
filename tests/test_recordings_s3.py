"""The S3 path against a real S3-compatible server on the loopback (moto's server mode, in a
thread): store, stream, seek, redirect and delete through django-storages' S3Storage."""

import re
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from recordings.demo import SPEC_EXAMPLE_ID, silent_mp3

from .recordings_helpers import make_recording, mp3_frames

BUCKET = "recordings-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
URL = "/compliance/recording/"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings):
    """The default storage switched to S3 on the local server, with an empty bucket."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_it_stores_streams_seeks_and_deletes_through_s3(api, client_a, s3):
    audio = silent_mp3(5)
    recording = make_recording(client_a, audio=audio)
    assert keys(s3) == [recording.audio.name]
    stored = s3.get_object(Bucket=BUCKET, Key=recording.audio.name)["Body"].read()
    assert stored == audio
    # A random name: nothing of the client or the phone (a random token may hold "4199" by
    # chance, so the shape is compared, not substrings).
    assert re.fullmatch(r"recordings/([0-9a-f]{2})/\1[0-9a-f]{30}\.mp3", recording.audio.name)

    response = api("manager").get(URL + SPEC_EXAMPLE_ID)
    assert (response.status_code, response["Content-Type"]) == (200, "audio/mpeg")
    assert response["Content-Length"] == str(len(audio))
    whole = b"".join(response.streaming_content)
    assert whole == audio
    assert mp3_frames(whole) == len(audio) // 104

    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_RANGE="bytes=1000-1999")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-1999/{len(audio)}"
    assert b"".join(response.streaming_content) == audio[1000:2000]

    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_RANGE="bytes=-100")
    assert b"".join(response.streaming_content) == audio[-100:]

    assert api("sysadmin").delete(URL + SPEC_EXAMPLE_ID).status_code == 204
    assert keys(s3) == []


def test_it_redirects_to_a_presigned_url_when_asked(api, client_a, s3, settings):
    audio = silent_mp3(1)
    make_recording(client_a, audio=audio)
    settings.RECORDING_REDIRECT = True
    response = api("manager").get(URL + SPEC_EXAMPLE_ID)
    assert response.status_code == 302
    location = response["Location"]
    assert "Signature" in location and "Expires" in location
    with urllib.request.urlopen(location, timeout=10) as fetched:  # noqa: S310 - the loopback
        assert fetched.read() == audio
    # Another client's recording is still a 404, before any redirect.
    assert api("outsider").get(URL + SPEC_EXAMPLE_ID).status_code == 404
