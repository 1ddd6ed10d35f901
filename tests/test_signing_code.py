"""The handshake signature read from the code that computes it (kb/ingest/values.yaml
`signing`, engine/ingest/signing.py): each language's way of calling an HMAC, names followed
through their assignments, and code that signs a webhook left alone."""
from __future__ import annotations

import pytest

from helpers import read_post


def _facts(tmp_path, kb, text: str) -> dict:
    resolved = read_post(tmp_path, kb, text)
    return {path: value for path, value in resolved.values.items() if path.startswith("signature.")}


NODE_SECRET_TOKEN = """\
Handshake is refused with status 3.
```js
const { meeting_uuid, rtms_stream_id } = req.body.payload;
const message = `${process.env.ZOOM_CLIENT_ID},${meeting_uuid},${rtms_stream_id}`;
const signature = crypto.createHmac('sha256', process.env.ZOOM_SECRET_TOKEN).update(message).digest('hex');
```
"""

PYTHON_SPACES = """\
def make_signature(payload):
    msg = f"{CLIENT_ID}, {payload['meeting_uuid']}, {payload['rtms_stream_id']}"
    return hmac.new(CLIENT_SECRET.encode(), msg.encode(), hashlib.sha256).hexdigest()
"""

JAVA_VIDEO_SDK = """\
    String clientId = config.get("zoom.app.clientId");
    String secret   = config.get("zoom.app.clientSecret");
    String msg = clientId + "," + p.get("session_id") + "," + p.get("rtms_stream_id");
    String sig = Hex.encodeHexString(hmacSha256(secret, msg));
"""

GO_BASE64 = """\
mac := hmac.New(sha256.New, []byte(os.Getenv("ZOOM_SDK_SECRET")))
mac.Write([]byte(strings.Join([]string{sdkKey, ev.Payload.SessionID, ev.Payload.RTMSStreamID}, ",")))
sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
"""

NODE_DEV_SECRET = """\
const sig = crypto
  .createHmac('sha256', process.env.ZOOM_CLIENT_SECRET_DEV)
  .update(`${clientId},${payload.meeting_id},${payload.rtms_stream_id}`)
  .digest('base64');
"""


@pytest.mark.parametrize("text, expected", [
    (NODE_SECRET_TOKEN, {"signature.secret_source": "secret_token", "signature.client_id_kind": "oauth_client_id",
                         "signature.id_field": "meeting_uuid", "signature.encoding": "hex"}),
    (PYTHON_SPACES, {"signature.secret_source": "client_secret", "signature.id_field": "meeting_uuid",
                     "signature.encoding": "hex", "signature.message_format_ok": False}),
    (JAVA_VIDEO_SDK, {"signature.secret_source": "client_secret", "signature.client_id_kind": "oauth_client_id",
                      "signature.id_field": "session_id", "signature.encoding": "hex"}),
    (GO_BASE64, {"signature.secret_source": "sdk_secret"}),
    (NODE_DEV_SECRET, {"signature.secret_source": "client_secret", "signature.credentials_env": "development",
                       "signature.id_field": "meeting_id", "signature.encoding": "base64"}),
])
def test_the_signing_code_gives_its_facts(tmp_path, kb, text, expected):
    facts = _facts(tmp_path, kb, text)
    assert {path: facts.get(path) for path in expected} == expected


def test_a_bare_comma_join_in_order_is_not_called_misjoined(tmp_path, kb):
    facts = _facts(tmp_path, kb, NODE_SECRET_TOKEN)
    assert "signature.message_format_ok" not in facts


def test_parts_in_another_order_are_misjoined(tmp_path, kb):
    text = ("const msg = `${clientId},${rtms_stream_id},${meeting_uuid}`;\n"
            "const sig = crypto.createHmac('sha256', clientSecret).update(msg).digest('hex');\n")
    assert _facts(tmp_path, kb, text)["signature.message_format_ok"] is False


@pytest.mark.parametrize("text", [
    # URL validation and the x-zm-signature check sign with the secret token, rightly
    "const hash = crypto.createHmac('sha256', process.env.ZOOM_SECRET_TOKEN).update(req.body.payload.plainToken).digest('hex');\n",
    "const message = `v0:${req.headers['x-zm-request-timestamp']}:${JSON.stringify(req.body)}`;\n"
    "const hash = crypto.createHmac('sha256', ZOOM_WEBHOOK_SECRET_TOKEN).update(message).digest('hex');\n",
    # a parameter named meetingId may hold the UUID: no id field from it
    "function sign(clientId, meetingId, streamId, key) {\n"
    "  return crypto.createHmac('sha256', key).update(`${clientId},${meetingId},${streamId}`).digest('hex');\n}\n",
    # prose about an HMAC is for the phrases, not this reader
    "I compute the HMAC (sha256) over the client id, the uuid and the stream id.\n",
])
def test_what_is_not_handshake_signing_code_gives_no_secret_or_id(tmp_path, kb, text):
    facts = _facts(tmp_path, kb, text)
    assert "signature.secret_source" not in facts and "signature.id_field" not in facts


def test_two_secrets_in_one_signing_line_give_none(tmp_path, kb):
    text = "key = CLIENT_SECRET if prod else SECRET_TOKEN\nsig = hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest()\n"
    assert "signature.secret_source" not in _facts(tmp_path, kb, text)


def test_signing_code_redacted_as_code_not_as_a_secret(tmp_path, kb):
    """`sig = Hex.encodeHexString(hmacSha256(secret, msg))` is a call, not a credential: it
    stays readable (and a real value after sig= is still masked)."""
    from rtms_doctor.ingest.redact import begin_case, redact_text

    begin_case()
    assert "hmacSha256(secret" in redact_text("    String sig = Hex.encodeHexString(hmacSha256(secret, msg));\n")
    assert "9f3a7c" not in redact_text("sig = 9f3a7c1e5b2d8f4a6c0e9b7d3f1a5c8e\n")


def test_prose_about_the_hmac_is_left_to_the_phrases(kb):
    """A sentence naming the HMAC and a secret is prose, read by the phrases with their
    negation and question handling; this reader reads only code."""
    from rtms_doctor.ingest.emit import Emitter
    from rtms_doctor.ingest.signing import compile_signing, read_signing

    em = Emitter(kb.schema, "post.txt", "text")
    read_signing("The HMAC-SHA256 is keyed with process.env.ZOOM_CLIENT_SECRET (the Client Secret from the "
                 "App Credentials page) and hex-encoded.\n", compile_signing(kb.values.signing), em)
    assert em.observations == []
