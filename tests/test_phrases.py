"""Prose phrases (kb/ingest/phrases.yaml) turn the words developers use into facts.

Every phrase has at least one sentence below that it reads (AFFIRMED: a clause without a
negation cue; NEGATED: a clause with one, for phrases that have a `negated` value), and each
sentence is read through rtms_doctor.ingest.read_case as a one-line .txt post. GUARDS are
sentences that must NOT give a fact (or not a given value): the false positives the phrases
are written to avoid. test_every_phrase_has_a_sentence keeps the tables complete when a
phrase is added.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rtms_doctor.ingest import read_case

PHRASES = Path(__file__).resolve().parents[1] / "kb" / "ingest" / "phrases.yaml"

# (sentence, fact, value) read from a clause that carries no negation cue
AFFIRMED: list[tuple[str, str, Any]] = [
    # C. web-portal settings
    ("Share realtime meeting content with apps is enabled for the account.", "settings.share_meeting_content", True),
    ("Share realtime webinar content with apps is enabled.", "settings.share_webinar_content", True),
    ("The share toggle is enabled for the account.", "settings.share_meeting_content", True),
    ("The share setting is inactive.", "settings.share_meeting_content", False),
    ("The webinar share toggle is enabled.", "settings.share_webinar_content", True),
    ("The app is on the allow list.", "settings.app_in_allow_list", True),
    ("Auto-start is on for our app.", "settings.auto_start_on", True),
    ("Every toggle in the portal is on.", "settings.share_meeting_content", True),
    ("Every toggle in the portal is on.", "settings.app_in_allow_list", True),
    ("Every toggle in the portal is on.", "settings.auto_start_on", True),
    ("Require host approval is enabled.", "settings.require_host_approval", True),
    ("Share realtime meeting content is locked by our admin.", "settings.share_meeting_content_locked", True),
    ("Share realtime webinar content with apps is greyed out.", "settings.share_webinar_content_locked", True),
    ("We can see the auto-start section in the Zoom Apps settings.", "settings.auto_start_section_visible", True),
    ("The setting is enabled at the account level.", "settings.level", "account"),
    ("It is on at group level.", "settings.level", "group"),
    ("We turned it on at user level.", "settings.level", "user"),
    ("Our admin blocked the app for everyone.", "settings.app_enabled_for_user", False),
    ("The admin re-enabled the app yesterday.", "settings.app_enabled_for_user", True),
    ("The host approved the app in the notifier.", "meeting.host_approved", True),
    ("The host declined the request.", "meeting.host_approved", False),
    ("The host's organization allows third-party apps.", "meeting.host_org_allows_apps", True),
    ("Their company blocks third-party apps.", "meeting.host_org_allows_apps", False),
    # B. app configuration
    ("It is a General app.", "app.type", "general"),
    ("It is a general OAuth app.", "app.type", "general"),
    ("The Server-to-Server app holds the RTMS scopes.", "app.type", "server_to_server"),
    ("We added the RTMS scopes to our S2S app.", "app.type", "server_to_server"),
    ("We built a Video SDK app.", "app.type", "video_sdk"),
    ("Our app is a Meeting SDK app.", "app.type", "meeting_sdk"),
    ("It is a webhook-only app.", "app.type", "legacy_webhook_only"),
    ("The app is user-managed.", "app.management", "user"),
    ("The app is admin-managed.", "app.management", "admin"),
    ("It is an admin-level app.", "app.management", "admin"),
    ("The app is unpublished.", "app.publish_status", "unpublished"),
    ("Last week we published the app.", "app.publish_status", "published"),
    ("The app is still in draft.", "app.publish_status", "draft"),
    ("It is a private app.", "app.distribution", "private"),
    ("The app is unlisted.", "app.distribution", "unlisted"),
    ("We sent the beta test link to a customer.", "app.distribution", "beta"),
    ("It is a public app.", "app.distribution", "public"),
    ("Our app was approved last week.", "app.review_status", "approved"),
    ("We submitted the app for review.", "app.review_status", "submitted"),
    ("The app review was rejected.", "app.review_status", "rejected"),
    ("We migrated to granular scopes.", "app.granular_scopes", True),
    ("The app only has classic scopes.", "app.granular_scopes", False),
    ("We added meeting:read:admin to the app.", "app.granular_scopes", False),
    ("I can see the RTMS scopes in the picker.", "app.rtms_scopes_visible", True),
    ("The RTMS scopes are greyed out.", "app.rtms_scopes_visible", False),
    ("Event subscription is enabled.", "app.events.enabled", True),
    ("The events are subscribed on the S2S app.", "app.events.subscribed_on_other_app", True),
    ("We use event subscription over WebSocket.", "app.events.delivery", "websocket"),
    ("Events are delivered via webhook.", "app.events.delivery", "webhook"),
    ("The Zoom Apps SDK is enabled.", "app.zoom_apps_sdk_enabled", True),
    ("We added startRTMS to the app.", "app.jssdk_apis", ["startRTMS"]),
    ("We added stopRTMS as well.", "app.jssdk_apis", ["stopRTMS"]),
    ("We regenerated the client secret yesterday.", "app.credentials_regenerated", True),
    ("Zoom approved payload encryption for our app.", "app.encryption_approved", True),
    ("It works fine in development.", "app.development_works", True),
    ("It fails in the development environment.", "app.development_works", False),
    ("The production app fails every time.", "app.production_works", False),
    ("It works fine in production.", "app.production_works", True),
    ("We are using the development credentials on the server.", "app.environment_in_use", "development"),
    ("We switched our backend to the production Client ID.", "app.environment_in_use", "production"),
    ("We installed the app from the development URL.", "app.installed_environment", "development"),
    ("The host added the production version of the app.", "app.installed_environment", "production"),
    # handshake signature (B8-B10, F1)
    ("We compute the signature with the client secret.", "signature.secret_source", "client_secret"),
    ("We sign the handshake with the secret token.", "signature.secret_source", "secret_token"),
    ("We sign with the Video SDK secret.", "signature.secret_source", "sdk_secret"),
    ("We base64-encode the HMAC signature.", "signature.encoding", "base64"),
    ("The HMAC signature is hex encoded.", "signature.encoding", "hex"),
    ("We sign with the client id of a different app.", "signature.client_id_matches_app", False),
    ("We sign with the dev client secret.", "signature.credentials_env", "development"),
    ("We sign with the production credentials.", "signature.credentials_env", "production"),
    ("The signature string has spaces after the commas.", "signature.message_format_ok", False),
    ("We sign the numeric meeting id instead of the uuid.", "signature.id_field", "meeting_id"),
    ("We URL-encode the uuid before signing.", "signature.uuid_altered", True),
    ("We sign with the SDK key.", "signature.client_id_kind", "sdk_key"),
    ("We sign with the OAuth client id.", "signature.client_id_kind", "oauth_client_id"),
    # A. account
    ("Our developer pack trial expired.", "account.developer_pack", "trial_expired"),
    ("We are on the Developer Pack trial.", "account.developer_pack", "trial_active"),
    ("We have a paid developer pack.", "account.developer_pack", "paid_active"),
    ("Our .env still has ZM_RTMS_CLIENT=FAKEplayground42 from the old app.", "sdk.env_credentials_set", True),
    ("We have Developer Pack credits on the account.", "account.developer_pack", "paid_active"),
    ("Developer Pack: bought 100 credits last week.", "account.developer_pack", "paid_active"),
    ("my manager buy the developer pack last month so account is ok", "account.developer_pack", "paid_active"),
    ("We ran out of credits last week.", "account.developer_pack", "paid_exhausted"),
    ("We are on a free plan.", "account.plan", "basic"),
    ("We have a Pro account.", "account.plan", "pro"),
    ("We are on a Business account.", "account.plan", "business"),
    ("We are on Business Plus.", "account.plan", "business_plus"),
    ("We are on an Enterprise plan.", "account.plan", "enterprise"),
    ("We have an education account.", "account.plan", "education"),
    ("The host is on a free plan.", "host.plan", "basic"),
    ("It stops in an external free account.", "host.plan", "basic"),
    ("The host has a Pro license.", "host.plan", "pro"),
    ("RTMS is enabled for our account.", "account.rtms_enabled", True),
    ("Zoom granted us test access.", "account.rtms_enabled", True),
    ("We are on Zoom for Government.", "account.is_zfg", True),
    ("We hit the concurrency limit yesterday.", "account.at_concurrency_cap", True),
    ("We are nowhere near the concurrency limit.", "account.at_concurrency_cap", False),
    ("We got rtms.concurrency_limited yesterday.", "stream.concurrency_limited", True),
    ("We are on a Universal Credit plan.", "video_sdk.universal_credit", True),
    ("The RTMS feature is enabled now.", "video_sdk.rtms_feature_on", True),
    ("startRealTimeMediaStreams is undefined.", "video_sdk.start_result", "unavailable"),
    ("startRealTimeMediaStreams() fails with an error.", "video_sdk.start_result", "failed"),
    ("The RTMS app is assigned to the Sales queue.", "zcc.queue_has_rtms_app", True),
    ("Auto-start is on for the queue.", "zcc.queue_autostart", True),
    ("Auto-start is on for the queue.", "start.method", "zcc_queue"),
    ("We push audio to a message queue and auto-start is on.", "settings.auto_start_on", True),
    ("Customers install the app in their own accounts.", "app.installed_outside_developer_account", True),
    ("Users from other organizations use our app.", "app.installed_outside_developer_account", True),
    ("The private app is used by another customer.", "app.installed_outside_developer_account", True),
    ("It fails in external meetings.", "meeting.external", True),
    # D. who starts the stream, meeting context
    ("We rely on auto-start.", "start.method", "autostart"),
    ("We start the stream via the REST API.", "start.method", "rest_api"),
    ("We call zoomSdk.startRTMS() from the panel.", "start.method", "apps_js_sdk"),
    ("The host clicks the start button in the app.", "start.method", "in_client_manual"),
    ("We call startRealTimeMediaStreams() in the session.", "start.method", "vsdk_method"),
    ("The starter is an alternative host.", "start.starter_role", "alternative_host"),
    ("We call the API with the host's OAuth token.", "start.starter_role", "host"),
    ("A participant opens the app.", "start.starter_role", "participant"),
    ("An invited participant who joined starts it.", "start.starter_role", "invitee_joined"),
    ("The user joined anonymously via the link.", "start.starter_role", "anonymous_link_joiner"),
    ("The alternative host is in the meeting.", "start.starter_in_meeting", True),
    ("We call the API once the host joins.", "meeting.host_in_meeting", True),
    ("We call the API before the host joins.", "meeting.host_in_meeting", False),
    ("Each user has authorized the app.", "start.operator_authorized_app", True),
    ("The admin added the app for all users.", "start.operator_authorized_app", True),
    ("It only works for me.", "start.works_only_for_developer", True),
    ("When a colleague hosts, nothing happens.", "start.works_only_for_developer", True),
    ("The meeting uses end-to-end encryption.", "meeting.e2ee", True),
    ("The user is in a breakout room.", "meeting.in_breakout_room", True),
    ("The webinar is in a practice session.", "meeting.practice_session", True),
    ("We send the start request before the meeting starts.", "meeting.status", "waiting"),
    ("The meeting is running.", "meeting.status", "started"),
    ("The meeting had already ended.", "meeting.status", "ended"),
    ("The host is on an iPad.", "host.client_platform", "ios"),
    ("The host uses an Android phone.", "host.client_platform", "android"),
    ("The host joins from the web client.", "host.client_platform", "web"),
    ("The meeting is started from a Zoom Room.", "host.client_platform", "zoom_rooms"),
    ("The host uses the Mac desktop client.", "host.client_platform", "mac"),
    ("The host uses the Windows desktop client.", "host.client_platform", "windows"),
    ("The stream stops when the host leaves.", "stream.stopped_when_host_left", True),
    ("Why does the stream stop when the host leaves?", "stream.stopped_when_host_left", True),
    ("is_original_host is true in the payload.", "stream.started_by_original_host", True),
    ("The audio stops while the sockets stay open.", "stream.media_stopped_sockets_open", True),
    ("Transcripts stop after a minute, sockets still open.", "stream.media_stopped_sockets_open", True),
    ("We got SESSION_STATE_UPDATE with PAUSED.", "stream.session_state", 3),
    ("The host paused the app.", "stream.stream_state", 5),
    # E. webhook
    ("Our webhook endpoint is http://localhost:3000/webhook.", "webhook.endpoint_public_https", False),
    ("The ngrok URL changed after a restart.", "webhook.endpoint_public_https", False),
    ("The webhook endpoint uses a self-signed certificate.", "webhook.endpoint_public_https", False),
    ("Our endpoint is publicly reachable.", "webhook.endpoint_public_https", True),
    ("The webhook URL is validated.", "webhook.validated", True),
    ("URL validation fails every time.", "webhook.validated", False),
    ("We forgot to return the encryptedToken.", "webhook.validation_response_ok", False),
    ("For URL validation we hash with the client secret.", "webhook.validation_key", "client_secret"),
    ("The validation hash uses the secret token.", "webhook.validation_key", "secret_token"),
    ("Our validation response encodes the hash as base64.", "webhook.validation_encoding", "base64"),
    ("The encryptedToken is hex.", "webhook.validation_encoding", "hex"),
    ("We verify the webhook signature with the client secret.", "webhook.signature_secret", "client_secret"),
    ("We check x-zm-signature with the secret token.", "webhook.signature_secret", "secret_token"),
    ("We still use the verification token.", "webhook.signature_secret", "verification_token"),
    ("We verify x-zm-signature over JSON.stringify(req.body).", "webhook.signature_input", "reserialized_json"),
    ("We verify x-zm-signature against the raw body.", "webhook.signature_input", "raw_body"),
    ("We forgot the x-zm-request-timestamp in the hash.", "webhook.signature_timestamp_included", False),
    ("We hash v0:{timestamp}:{body} with the secret token.", "webhook.signature_timestamp_included", True),
    ("Our endpoint returns 200 right away.", "webhook.response_status", 200),
    ("Our handler responds with 204.", "webhook.response_status", 204),
    ("Our server rejects them with 401.", "webhook.response_status", 401),
    ("Our endpoint returns 403.", "webhook.response_status", 403),
    ("Our endpoint returns 500 sometimes.", "webhook.response_status", 500),
    ("We get meeting.rtms_started twice.", "webhook.duplicate_started", 1),
    ("The webhook arrives three times.", "webhook.duplicate_started", 2),
    ("The same event comes again 5 minutes later.", "webhook.duplicate_interval_s", 300),
    ("We dedupe on the stream id.", "webhook.dedupe_key", "stream_id"),
    ("We deduplicate by rtms_stream_id and event_ts.", "webhook.dedupe_key", "stream_id_and_ts"),
    ("The second event had new server_urls.", "webhook.duplicates_have_new_server_urls", True),
    ("Both events carry the same server_urls.", "webhook.duplicates_have_new_server_urls", False),
    ("We deployed when the meeting started.", "webhook.receiver_was_down", True),
    ("The pod was restarting at that time.", "webhook.receiver_was_down", True),
    ("The stream stops every time we deploy.", "stream.stops_at_app_restart", True),
    ("We handle SIGTERM and drain the sockets.", "stream.app_shutdown_graceful", True),
    ("We read payload.object.meeting_id.", "webhook.id_field_read", "meeting_id"),
    ("Events stopped arriving after 72 hours.", "webhook.stopped_after_hours", 72),
    ("We receive the RTMS started webhook.", "stream.started_received", True),
    # F. handshake
    ("We send msg_type as a string.", "handshake.msg_type_sent_as_string", True),
    ("msg_type is an integer.", "handshake.msg_type_sent_as_string", False),
    ("We forgot the protocol_version.", "handshake.protocol_version_sent", False),
    ("We use protocol_version 2.", "handshake.protocol_version", 2),
    ("The rtms_stream_id is undefined in our handler.", "handshake.fields_missing", True),
    ("We send payload_encryption: true.", "handshake.payload_encryption", True),
    ("buffer_data is true by default.", "handshake.buffer_data", True),
    ("Each worker connects to the same stream.", "stream.connections_per_stream", 2),
    ("We cache the server_urls between meetings.", "stream.ids_from_old_event", True),
    ("We send the CLIENT_READY_ACK on the media socket.", "handshake.client_ready_ack", "media"),
    ("We send the CLIENT_READY_ACK on the signaling socket.", "handshake.client_ready_ack", "signaling"),
    ("We forgot to send the CLIENT_READY_ACK.", "handshake.client_ready_ack", "not_sent"),
    ("Audio frames arrive fine.", "stream.data_received", True),
    ("Our firewall blocks outbound websockets.", "network.wss_443_allowed", False),
    ("Outbound wss on 443 is allowed.", "network.wss_443_allowed", True),
    ("We are behind a corporate proxy.", "network.proxy_required", True),
    ("We call client.setProxy('http', url) at start.", "network.proxy_configured", True),
    ("The old server only supports TLS 1.1.", "network.tls_max_version", "1.1"),
    ("The box is limited to TLS 1.0.", "network.tls_max_version", "1.0"),
    ("We installed ca-certificates in the image.", "network.ca_bundle_present", True),
    ("The socket fails with read ECONNRESET.", "ws.errors", ["ECONNRESET"]),
    ("We get connect ETIMEDOUT.", "ws.errors", ["ETIMEDOUT"]),
    ("We get connect ECONNREFUSED.", "ws.errors", ["ECONNREFUSED"]),
    ("We get connect EHOSTUNREACH.", "ws.errors", ["EHOSTUNREACH"]),
    ("We get getaddrinfo ENOTFOUND.", "ws.errors", ["ENOTFOUND"]),
    ("We get getaddrinfo EAI_AGAIN.", "ws.errors", ["EAI_AGAIN"]),
    ("We get write EPROTO.", "ws.errors", ["EPROTO"]),
    ("The log shows ssl3_get_record:wrong version number.", "ws.errors", ["ERR_SSL_WRONG_VERSION_NUMBER"]),
    ("The log shows unsupported protocol.", "ws.errors", ["ERR_SSL_UNSUPPORTED_PROTOCOL"]),
    ("Error: self signed certificate in certificate chain.", "ws.errors", ["SELF_SIGNED_CERT_IN_CHAIN"]),
    ("The code is UNABLE_TO_GET_ISSUER_CERT_LOCALLY.", "ws.errors", ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]),
    ("The code is UNABLE_TO_VERIFY_LEAF_SIGNATURE.", "ws.errors", ["UNABLE_TO_VERIFY_LEAF_SIGNATURE"]),
    ("The TLS handshake failed.", "ws.errors", ["TLS_HANDSHAKE_FAILED"]),
    # G. connection upkeep
    ("We answer keep-alive requests on both sockets.", "keepalive.answered", True),
    ("We ignore keep-alive messages.", "keepalive.answered", False),
    ("We see keep-alive requests every 10 seconds.", "keepalive.requests_seen", True),
    ("We reply to keep-alive on the signaling socket.", "keepalive.answered_signaling", True),
    ("We reply to keep-alive on the media socket.", "keepalive.answered_media", True),
    ("Keep-alive is answered only on the signaling socket.", "keepalive.answered_signaling", True),
    ("Keep-alive is answered only on the signaling socket.", "keepalive.answered_media", False),
    ("We echo the same timestamp back.", "keepalive.echoes_timestamp", True),
    ("We run Whisper transcription inside the callback.", "keepalive.callbacks_block_loop", True),
    ("We push the audio to a queue for a worker thread.", "keepalive.callbacks_block_loop", False),
    ("The connection drops when nobody is talking.", "stream.drops_when_idle", True),
    ("The socket drops after about 30 seconds.", "stream.drops_after_s", 30.0),
    ("The socket drops after a minute.", "stream.drops_after_s", 60.0),
    ("Drops happen under heavy load.", "stream.drops_under_load", True),
    ("We receive meeting.rtms_interrupted.", "stream.interrupted_received", True),
    ("Our app reconnects with backoff.", "stream.reconnect_attempted", True),
    ("We get MEDIA_CONNECTION_INTERRUPTED on signaling.", "stream.media_interrupted_event", True),
    ("Our client handles text frames only.", "ws.binary_handler", False),
    ("We decode binary frames as UTF-8 JSON.", "ws.binary_handler", True),
    ("Our Java client connects fine.", "ws.client_language", "java"),
    ("Our Go client uses gorilla/websocket.", "ws.client_language", "go"),
    ("The service is written in C#.", "ws.client_language", "csharp"),
    ("We use the Python websockets library.", "ws.client_language", "python"),
    ("We use the Node ws library.", "ws.client_language", "node"),
    ("The socket closes immediately after the handshake.", "ws.closed_right_after_handshake", True),
    # H. data handling
    ("The audio sounds like chipmunks.", "media.audio_sounds_wrong", True),
    ("The audio plays too fast.", "media.audio_sounds_wrong", True),
    ("The audio sounds fine.", "media.audio_sounds_wrong", False),
    ("We decode it as L16 16 kHz mono.", "media.decoder_assumes", "l16_16k_mono"),
    ("We decode it as Opus 48 kHz.", "media.decoder_assumes", "opus_48k_stereo"),
    ("We call setAudioParams before join.", "media.audio_params_set", True),
    ("We base64-decode the payload first.", "media.base64_decoded", True),
    ("We forgot to decode it, it is still base64.", "media.base64_decoded", False),
    ("We use transcript = 16 and chat = 8.", "media.bitmask_convention", "swapped"),
    ("It's zero transcript messages, only chat ones.", "media.not_arriving", ["transcript"]),
    ("i make a app Server-to-Server OAuth for get meeting audio in realtime", "app.type", "server_to_server"),
    ("The account is Business with Developer Pack (we buy it last month, 100 credits).", "account.developer_pack", "paid_active"),
    ("Our bot works across the company, ~900 streams a day, no concurrency warnings.", "stream.works_for_other_users", True),
    ("Auto-start works perfectly for most of their doctors.", "stream.works_for_other_users", True),
    ("Other departments are fine; only the Legal group never gets a stream.", "stream.works_for_other_users", True),
    ("I figured once the app is installed, Zoom pushes the stream as soon as the meeting starts.", "start.method", "none"),
    ("We wait the rtms_started event to come automatically when meeting begin.", "start.method", "none"),
    ("The counter shows 0 audio frames after ten minutes.", "media.not_arriving", ["audio"]),
    ("zero video frames so far", "media.not_arriving", ["video"]),
    ("We logged zero screen share frames.", "media.not_arriving", ["deskshare"]),
    ("zero chat messages all meeting", "media.not_arriving", ["chat"]),
    ("We use transcript = 8 and chat = 16.", "media.bitmask_convention", "official"),
    ("userId is always -1.", "media.speaker_ids_missing", True),
    ("Speaker names are unknown.", "media.speaker_ids_missing", True),
    ("We use AUDIO_MIXED_STREAM.", "handshake.audio.data_opt", 1),
    ("We use AUDIO_MULTI_STREAMS.", "handshake.audio.data_opt", 2),
    ("The recording is shorter than the meeting.", "media.audio_gaps", True),
    ("There are gaps in the audio.", "media.audio_gaps", True),
    ("When users are muted, we get gaps.", "media.audio_gaps", True),
    ("We get a burst of old audio when we connect.", "media.burst_at_connect", True),
    ("The transcript is in the wrong language at first.", "media.transcript_late_or_wrong_language", True),
    ("We set src_language: -1 in the handshake.", "handshake.transcript.src_language", -1),
    ("We send VIDEO_SUBSCRIPTION_REQ for the user.", "handshake.video.subscription_sent", True),
    ("We expect screen share in the video stream.", "media.share_expected_in_video", True),
    # I. SDK and runtime
    ("We use our own WebSocket client.", "sdk.language", "none"),
    ("We use the Python SDK.", "sdk.language", "python"),
    ("We use the Node.js SDK.", "sdk.language", "node"),
    ("npm install fails on the server.", "sdk.install_failed", True),
    ("We call join again right after the stop.", "sdk.rejoin_immediately", True),
    ("The client is created on another thread.", "sdk.client_created_on_other_thread", True),
    ("We call client.join(body) in the handler.", "sdk.join_argument", "whole_body"),
    ("We call client.join(payload.object) in the handler.", "sdk.join_argument", "payload_object"),
    ("We call client.join(body.payload) in the handler.", "sdk.join_argument", "payload"),
    ("ZM_RTMS_CLIENT is set in the container.", "sdk.env_credentials_set", True),
    ("We unset ZM_RTMS_CLIENT.", "sdk.env_credentials_set", False),
    ("ZM_RTMS_CLIENT holds an old value.", "sdk.env_credentials_differ", True),
    ("ZM_RTMS_CLIENT holds an old value.", "sdk.env_credentials_set", True),
    ("The image is alpine.", "runtime.platform", "linux-musl-x64"),
    ("We run on linux arm64.", "runtime.platform", "linux-arm64"),
    ("uname -m says aarch64", "runtime.platform", "linux-arm64"),
    ("Running on an Apple M1.", "runtime.platform", "darwin-arm64"),
    ("The server is linux x64.", "runtime.platform", "linux-x64"),
    ("On Apple Silicon it works.", "runtime.platform", "darwin-arm64"),
    ("On an Intel Mac it crashes.", "runtime.platform", "darwin-x64"),
    ("It runs on Windows Server 2022.", "runtime.platform", "windows-x64"),
    # product and REST control call
    ("It is a webinar.", "case.product", "webinar"),
    ("We use the Video SDK.", "case.product", "video_sdk"),
    ("We use Contact Center.", "case.product", "zcc"),
    ("We use Zoom Phone.", "case.product", "phone"),
    ("We call the livestream API.", "api.endpoint", "livestream"),
    ("The body has action start.", "api.action", "start"),
    ("The body has action stop.", "api.action", "stop"),
    ("The body has action pause.", "api.action", "pause"),
    ("The body has action resume.", "api.action", "resume"),
    ("We pass participant_user_id as an email.", "api.participant_user_id_kind", "email"),
    ("We omit participant_user_id.", "api.participant_user_id_kind", "omitted"),
    ("We use a S2S token to call the API.", "api.token_type", "s2s_account"),
    ("We use the user's OAuth token.", "api.token_type", "user_oauth"),
    ("We use an admin token.", "api.token_type", "admin_oauth"),
    ("The token is from our S2S app.", "api.token_from_rtms_app", False),
    ("The client_id in the body is from the S2S app.", "api.body_client_id_is_rtms_app", False),
]

# (sentence, fact, value) for reader behaviours in engine/ingest/text.py rather than one phrase
READER: list[tuple[str, str, Any]] = [
    # a comma before a new subject starts a new clause: the negation stays in its own clause
    ("Our account is free account only, we are not having developer pack.", "account.plan", "basic"),
    ("Our account is free account only, we are not having developer pack.", "account.developer_pack", "none"),
    ("Share realtime meeting content with apps is on, we don't get any events.", "settings.share_meeting_content", True),
    # HTTP statuses in more wordings
    ("Response is coming 400.", "api.http_statuses", [400]),
    ("We keep getting a 400 response.", "api.http_statuses", [400]),
    ("The status code came back as 403.", "api.http_statuses", [403]),
    # where it works is the control, where it fails is the setup
    ("On my Mac (Apple Silicon, M2 MacBook) it works, crash is on the Ubuntu server (linux x64).",
     "runtime.platform", "linux-x64"),
    ("It works on my M1 Mac but crashes on linux arm64.", "runtime.platform", "linux-arm64"),
    ("It runs fine on Windows Server, but on Alpine it segfaults.", "runtime.platform", "linux-musl-x64"),
    ("It works when the host uses the Mac desktop client, but fails when the host is on an iPad.",
     "host.client_platform", "ios"),
    ("It works on Node 20.11.0 but crashes on Node 18.19.0.", "runtime.node_version", "18.19.0"),
    # near-misses: no failing part, or a version both parts share, is still read
    ("It works on my M2 Mac; the Linux server is next.", "runtime.platform", "darwin-arm64"),
    ("Node 18.19.0 works on my M2 Mac but crashes on linux x64.", "runtime.node_version", "18.19.0"),
    # one product's rtms_started arrives, another's never does: the case is the failing product
    ("We get meeting.rtms_started for meetings, but no webinar.rtms_started ever arrives.",
     "stream.started_received", False),
    ("We get meeting.rtms_started for meetings, but no webinar.rtms_started ever arrives.",
     "webhook.received_events", ["meeting.rtms_started"]),
    ("Webinars work (we get webinar.rtms_started) but meeting.rtms_started never arrives.",
     "stream.started_received", False),
    ("We get meeting.rtms_started and audio flows.", "stream.started_received", True),
]

# events in code are handled; a log line inside a fence still says what arrived
CODE_EVENTS: list[tuple[str, str, Any]] = [
    # the socket a message went out on, from its log line
    ('[11:02:00.453] MEDIA>> {"msg_type":7,"rtms_stream_id":"abc"}', "handshake.client_ready_ack", "media"),
    ('[11:02:00.453] signaling -> {"msg_type":7,"rtms_stream_id":"abc"}', "handshake.client_ready_ack", "signaling"),
    ('{"msg_type":7,"rtms_stream_id":"abc"}', "handshake.client_ready_ack", "signaling"),
    ("```python\nif payload.get('event') == 'meeting.rtms_started':\n    client.join(payload)\n```",
     "webhook.handled_events", ["meeting.rtms_started"]),
    ("```\n10:00:02.004 INFO received meeting.rtms_started stream=abc\n```",
     "webhook.received_events", ["meeting.rtms_started"]),
    # a fenced block is never joined to the prose around it
    ("Handler, simplified\n```js\nif (event === 'meeting.rtms_started') connect()\n```\nWe get meeting.started only",
     "webhook.received_events", ["meeting.started"]),
]


# (sentence, fact, value) read from a clause with a negation cue
NEGATED: list[tuple[str, str, Any]] = [
    ("Share realtime meeting content with apps is disabled.", "settings.share_meeting_content", False),
    ("Share realtime webinar content is off.", "settings.share_webinar_content", False),
    ("The share setting is off.", "settings.share_meeting_content", False),
    ("The share toggle is disabled.", "settings.share_meeting_content", False),
    ("The share toggle is not enabled.", "settings.share_meeting_content", False),
    ("The webinar share setting is off.", "settings.share_webinar_content", False),
    ("The app is not on the allow list.", "settings.app_in_allow_list", False),
    ("Auto-start is disabled for our app.", "settings.auto_start_on", False),
    ("Require host approval is not enabled.", "settings.require_host_approval", False),
    ("Share realtime meeting content is off and greyed out.", "settings.share_meeting_content_locked", True),
    ("Share realtime meeting content is off and greyed out.", "settings.share_meeting_content", False),
    ("Share realtime meeting content is not locked.", "settings.share_meeting_content_locked", False),
    ("Share realtime webinar content is off and locked.", "settings.share_webinar_content_locked", True),
    ("Share realtime webinar content is not locked.", "settings.share_webinar_content_locked", False),
    ("App 2 has no Event Subscription configured at all.", "app.events.enabled", False),
    ("The RTMS app is without an event subscription.", "app.events.enabled", False),
    # negation scope: a relative clause's cue is its own; a list item with a state word of its
    # own keeps it when a later item is negated; a verbless item still takes the later cue
    ('Their window shows a green shield and "End-to-end encryption" in the corner, which I have '
     "never seen on our own meetings.", "meeting.e2ee", True),
    ('Legal has "Allow use of end-to-end encryption" on and the default type set to end-to-end, '
     "cloud recording disabled.", "meeting.e2ee", True),
    ("App installed, share realtime meeting content enabled, auto-start not turned on.",
     "settings.share_meeting_content", True),
    ("Share realtime meeting content, the allow list and auto-start are all off.",
     "settings.share_meeting_content", False),
    ("I can't find the auto-start section.", "settings.auto_start_section_visible", False),
    ("It is not enabled at the account level.", "settings.level", "account"),
    ("It is off at group level.", "settings.level", "group"),
    ("It is disabled at user level.", "settings.level", "user"),
    ("The admin disabled the app.", "settings.app_enabled_for_user", False),
    ("The host did not approve the app.", "meeting.host_approved", False),
    ("The host's organization does not allow third-party apps.", "meeting.host_org_allows_apps", False),
    ("The app is not yet published.", "app.publish_status", "unpublished"),
    ("The app has no granular scopes.", "app.granular_scopes", False),
    ("The app does not use granular scopes.", "app.granular_scopes", False),
    ("I can't find the RTMS scopes.", "app.rtms_scopes_visible", False),
    ("The RTMS scopes are missing from the picker.", "app.rtms_scopes_visible", False),
    ("Event subscription is disabled.", "app.events.enabled", False),
    ("The Zoom Apps SDK is not enabled.", "app.zoom_apps_sdk_enabled", False),
    ("We never regenerated the secret.", "app.credentials_regenerated", False),
    ("Payload encryption has not been approved.", "app.encryption_approved", False),
    ("It doesn't work in production.", "app.production_works", False),
    ("We do not URL-encode the uuid before signing.", "signature.uuid_altered", False),
    ("We don't have a developer pack.", "account.developer_pack", "none"),
    ("We don't have the developer pack.", "account.developer_pack", "none"),
    ("We are not having developer pack.", "account.developer_pack", "none"),
    ("We never bought a dev pack.", "account.developer_pack", "none"),
    ("RTMS is not enabled for our account.", "account.rtms_enabled", False),
    ("We are not on ZfG.", "account.is_zfg", False),
    ("We never hit the concurrency limit.", "account.at_concurrency_cap", False),
    ("We never got rtms.concurrency_limited.", "stream.concurrency_limited", False),
    ("We have no Universal Credit.", "video_sdk.universal_credit", False),
    ("The RTMS feature isn't enabled yet.", "video_sdk.rtms_feature_on", False),
    ("startRealTimeMediaStreams is not a function.", "video_sdk.start_result", "unavailable"),
    ("The app is not assigned to the queue.", "zcc.queue_has_rtms_app", False),
    ("Auto-start is off for the queue.", "zcc.queue_autostart", False),
    ("It does not work for users from another account.", "app.installed_outside_developer_account", True),
    ("The alternative host was not in the meeting.", "start.starter_in_meeting", False),
    ("The host has not joined yet.", "meeting.host_in_meeting", False),
    ("My colleague has not authorized the app.", "start.operator_authorized_app", False),
    ("It does not work for my colleague.", "start.works_only_for_developer", True),
    ("When a colleague hosts, the stream doesn't start.", "start.works_only_for_developer", True),
    ("The meetings are not end-to-end encrypted.", "meeting.e2ee", False),
    ("We are not in a practice session.", "meeting.practice_session", False),
    ("The meeting had not started yet.", "meeting.status", "waiting"),
    ("The host is on an iPad and gets no stream.", "host.client_platform", "ios"),
    ("The host on Android gets no stream.", "host.client_platform", "android"),
    ("The host in the web client gets no stream.", "host.client_platform", "web"),
    ("The meeting started from a Zoom Room has no stream.", "host.client_platform", "zoom_rooms"),
    ("The host on the Mac desktop client gets no stream.", "host.client_platform", "mac"),
    ("The host on the Windows desktop client gets no stream.", "host.client_platform", "windows"),
    ("The stream does not stop when the host leaves.", "stream.stopped_when_host_left", False),
    ("is_original_host is true and no restart happens.", "stream.started_by_original_host", True),
    ("is_original_host is false.", "stream.started_by_original_host", False),
    ("The endpoint is not publicly reachable.", "webhook.endpoint_public_https", False),
    ("The URL has not been validated.", "webhook.validated", False),
    ("We cannot save the endpoint.", "webhook.validated", False),
    ("The reply is missing the encryptedToken.", "webhook.validation_response_ok", False),
    ("The hash is missing the x-zm-request-timestamp.", "webhook.signature_timestamp_included", False),
    ("We get rtms_started twice and do not know why.", "webhook.duplicate_started", 1),
    ("The webhook arrives three times and we don't know why.", "webhook.duplicate_started", 2),
    ("It comes again 5 minutes later, not sure why.", "webhook.duplicate_interval_s", 300),
    ("We do not dedupe.", "webhook.dedupe_key", "none"),
    ("The retries had no new server_urls.", "webhook.duplicates_have_new_server_urls", False),
    ("The receiver was not down.", "webhook.receiver_was_down", False),
    ("We don't handle SIGTERM.", "stream.app_shutdown_graceful", False),
    ("We never receive the RTMS started webhook.", "stream.started_received", False),
    ("We get no webhooks at all.", "stream.meeting_started_received", False),
    ("msg_type is not a string.", "handshake.msg_type_sent_as_string", False),
    ("The handshake has no protocol_version.", "handshake.protocol_version_sent", False),
    ("The rtms_stream_id is missing.", "handshake.fields_missing", True),
    ("We send payload_encryption: true without approval.", "handshake.payload_encryption", True),
    ("We send payload_encryption: false.", "handshake.payload_encryption", False),
    ("buffer_data is true, not set by us.", "handshake.buffer_data", True),
    ("We send buffer_data: false.", "handshake.buffer_data", False),
    ("We never cache the stream id.", "stream.ids_from_old_event", False),
    ("We never send the CLIENT_READY_ACK.", "handshake.client_ready_ack", "not_sent"),
    ("We never get any audio frames.", "stream.data_received", False),
    ("Outbound wss on 443 is not allowed.", "network.wss_443_allowed", False),
    ("There is no corporate proxy.", "network.proxy_required", False),
    ("The proxy is not configured for the SDK.", "network.proxy_configured", False),
    ("The container has no ca-certificates.", "network.ca_bundle_present", False),
    ("The socket fails with ECONNRESET and cannot reconnect.", "ws.errors", ["ECONNRESET"]),
    ("We get connect ETIMEDOUT and no retry.", "ws.errors", ["ETIMEDOUT"]),
    ("We get ECONNREFUSED and no retry.", "ws.errors", ["ECONNREFUSED"]),
    ("We get EHOSTUNREACH and no retry.", "ws.errors", ["EHOSTUNREACH"]),
    ("We get ENOTFOUND and no retry.", "ws.errors", ["ENOTFOUND"]),
    ("We get EAI_AGAIN and no retry.", "ws.errors", ["EAI_AGAIN"]),
    ("We get EPROTO and no retry.", "ws.errors", ["EPROTO"]),
    ("We get wrong version number and no retry.", "ws.errors", ["ERR_SSL_WRONG_VERSION_NUMBER"]),
    ("We get unsupported protocol and no retry.", "ws.errors", ["ERR_SSL_UNSUPPORTED_PROTOCOL"]),
    ("We get self signed certificate in certificate chain and no retry.", "ws.errors", ["SELF_SIGNED_CERT_IN_CHAIN"]),
    ("Error: unable to get local issuer certificate.", "ws.errors", ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]),
    ("Error: unable to verify the first certificate.", "ws.errors", ["UNABLE_TO_VERIFY_LEAF_SIGNATURE"]),
    ("The TLS handshake failed and no retry happened.", "ws.errors", ["TLS_HANDSHAKE_FAILED"]),
    ("We don't answer keep-alive requests.", "keepalive.answered", False),
    ("We never see keep-alive requests.", "keepalive.requests_seen", False),
    ("We don't echo the timestamp back.", "keepalive.echoes_timestamp", False),
    ("The connection drops when no one is talking.", "stream.drops_when_idle", True),
    ("We never receive meeting.rtms_interrupted.", "stream.interrupted_received", False),
    ("We don't reconnect at all.", "stream.reconnect_attempted", False),
    ("We don't handle binary frames.", "ws.binary_handler", False),
    ("Our Java client does not answer keep-alives.", "ws.client_language", "java"),
    ("Our Go client never gets data.", "ws.client_language", "go"),
    ("The C# client cannot connect.", "ws.client_language", "csharp"),
    ("The Python websockets client never connects.", "ws.client_language", "python"),
    ("The Node ws library does not reconnect.", "ws.client_language", "node"),
    ("We never get any audio.", "media.not_arriving", ["audio"]),
    ("We don't receive video.", "media.not_arriving", ["video"]),
    ("The transcript never arrives.", "media.not_arriving", ["transcript"]),
    ("Chat messages never arrive.", "media.not_arriving", ["chat"]),
    ("We never get screen share frames.", "media.not_arriving", ["deskshare"]),
    ("We get msg_type 18 messages, but never any msg_type 17.", "media.not_arriving", ["transcript"]),
    ("Our caption bot never receives a stream.", "stream.started_received", False),
    ('in Scopes i search "rtms" or "meeting_audio" nothing is coming', "app.rtms_scopes_visible", False),
    ("In the app there is not any rtms or meeting_audio scope.", "app.rtms_scopes_visible", False),
    ("It doesn't work for everyone else either.", "stream.works_for_other_users", False),
    ("During the meeting nothing about rtms is received.", "stream.started_received", False),
    ("No msg_type 14 arrives at all.", "media.not_arriving", ["audio"]),
    ("There is not a single msg_type 15 in the log.", "media.not_arriving", ["video"]),
    ("We never see msg_type=16.", "media.not_arriving", ["deskshare"]),
    ("The chat socket never gets msg_type 18.", "media.not_arriving", ["chat"]),
    ("We don't call setAudioParams.", "media.audio_params_set", False),
    ("We don't base64-decode the data.", "media.base64_decoded", False),
    ("We cannot tell who is speaking.", "media.speaker_ids_missing", True),
    ("There are no gaps in the recording.", "media.audio_gaps", False),
    ("There are no packets while users are muted.", "media.audio_gaps", True),
    ("There is no burst at connect.", "media.burst_at_connect", False),
    ("We get no video frames.", "media.video_frames_missing", True),
    ("We never send VIDEO_SUBSCRIPTION_REQ.", "handshake.video.subscription_sent", False),
    ("Screen share does not show up in the video stream.", "media.share_expected_in_video", True),
    ("We use our own WebSocket client, not the SDK.", "sdk.language", "none"),
    ("The prebuilt binary is missing.", "sdk.install_failed", True),
    ("ZM_RTMS_CLIENT is not set.", "sdk.env_credentials_set", False),
    ("We do not send participant_user_id.", "api.participant_user_id_kind", "omitted"),
]

ABSENT = object()

# (sentence, fact, value): the fact must not take this value (ABSENT: must stay unknown)
GUARDS: list[tuple[str, str, Any]] = [
    # a S2S app that only CALLS the API is not the RTMS app's type
    ("We receive a stream of errors from the SDK.", "stream.started_received", ABSENT),
    ("We expected the stream to start automatically because auto-start is on.", "start.method", ABSENT),
    ("We use a S2S token to call the API.", "app.type", ABSENT),
    ("Our S2S app calls the REST API with the General app's client id.", "app.type", "server_to_server"),
    ("The S2S app holds the webhook subscription.", "app.type", "server_to_server"),
    # the host's plan is not the developer's plan
    ("The host is on a free plan.", "account.plan", ABSENT),
    ("It stops in an external free account.", "account.plan", ABSENT),
    # the host's Windows client is not the server's platform
    ("The host uses the Windows desktop client.", "runtime.platform", ABSENT),
    # review approval vs. host approval
    ("The host approved the app.", "app.review_status", ABSENT),
    ("Require host approval is enabled.", "meeting.host_approved", ABSENT),
    # an unrelated negation in the clause does not flip a positive statement
    ("URL validated, no events arrive.", "webhook.validated", False),
    ("We regenerated the secret, no change.", "app.credentials_regenerated", False),
    ("Events are subscribed on the S2S app, not the general app.", "app.events.subscribed_on_other_app", False),
    ("Event subscription is enabled, no events arrive.", "app.events.enabled", False),
    ("The recording is shorter than the meeting and we didn't change anything.", "media.audio_gaps", False),
    ("We send the CLIENT_READY_ACK and still no data arrives.", "handshake.client_ready_ack", "not_sent"),
    ("Share realtime meeting content is off at account level and an admin locked it.",
     "settings.share_meeting_content_locked", False),
    # the handshake signature vs. the webhook's own signature and URL validation
    ("We verify x-zm-signature with the secret token.", "signature.secret_source", ABSENT),
    ("For URL validation we hash with the client secret.", "signature.secret_source", ABSENT),
    # a keep-alive timeout says nothing about answering keep-alives
    ("We hit a keep-alive timeout after 60 seconds.", "keepalive.answered", ABSENT),
    # queues that are not Contact Center queues; the auto-start section is not the auto-start switch
    ("We push audio to a message queue and auto-start is on.", "zcc.queue_autostart", ABSENT),
    ("Auto-start is on for the Support queue.", "settings.auto_start_on", ABSENT),
    ("We can see the auto-start section.", "settings.auto_start_on", ABSENT),
    # a public endpoint, a working tunnel, an outbound TLS error
    ("Our webhook endpoint is https://hooks.example.com/zoom.", "webhook.endpoint_public_https", ABSENT),
    ("We use an ngrok tunnel and it is up.", "webhook.endpoint_public_https", ABSENT),
    ("The SDK reports self signed certificate in certificate chain.", "webhook.endpoint_public_https", ABSENT),
    # media not requested is not media missing; not subscribed is not not-received
    ("We don't need video.", "media.not_arriving", ABSENT),
    ("There are no audio gaps.", "media.not_arriving", ABSENT),
    ("We did not subscribe to meeting.rtms_interrupted.", "stream.interrupted_received", ABSENT),
    # questions and requirements are not the account's state
    ("Is a Universal Credit plan required?", "video_sdk.universal_credit", ABSENT),
    ("RTMS requires granular scopes.", "app.granular_scopes", ABSENT),
    ("Our developer pack trial expired.", "account.developer_pack", "trial_active"),
    # a participant from another org is not an installation in another account
    ("A participant from another org joins the meeting.", "app.installed_outside_developer_account", ABSENT),
    # language words that are not the client language
    ("We use JavaScript on the frontend.", "ws.client_language", ABSENT),
    ("The webhook is at https://hooks.example.net/zoom.", "ws.client_language", ABSENT),
    ("In the spring we started the project.", "ws.client_language", ABSENT),
    # a yes/no question is not a statement about the setup
    ("Do we need a private app?", "app.distribution", ABSENT),
    ("Should we use a S2S token?", "api.token_type", ABSENT),
    ("Does RTMS work on a free account?", "account.plan", ABSENT),
    ("Is auto-start enabled by default?", "settings.auto_start_on", ABSENT),
    # "twice" about something else; a numeric meeting id that is not signed
    ("We tried twice.", "webhook.duplicate_started", ABSENT),
    ("The meeting ID is numeric.", "signature.id_field", ABSENT),
    # the short share-setting forms: not the screen-share setting, not without a state, not the
    # webinar switch, and an unrelated "no" does not turn "on" into off
    ("The screen share setting is off.", "settings.share_meeting_content", ABSENT),
    ("We checked the share setting.", "settings.share_meeting_content", ABSENT),
    ("The webinar share setting is off.", "settings.share_meeting_content", ABSENT),
    ("The share setting is on, no events arrive.", "settings.share_meeting_content", False),
    # a used-up or paid pack, or one bought since, is not "no developer pack"
    ("We have no developer pack credits left.", "account.developer_pack", "none"),
    ("We don't have a paid developer pack yet.", "account.developer_pack", "none"),
    ("We did not have a developer pack until last week.", "account.developer_pack", ABSENT),
    # the comma split keeps a negation with what it negates, and leaves a subordinate clause or a
    # bare topic with the clause after the comma
    ("Our account is not a free account, we checked.", "account.plan", ABSENT),
    ("Auto-start, we never turned it on.", "settings.auto_start_on", True),
    ("If auto-start is on, we never get the webhook.", "settings.auto_start_on", True),
    # the webhook endpoint's own answer and a latency are not the REST call's status
    ("Our endpoint sends a 200 response within 3 seconds.", "api.http_statuses", ABSENT),
    ("The response is 200 ms slower.", "api.http_statuses", ABSENT),
    # the machine where it works is not where it fails
    ("On my Mac (Apple Silicon, M2 MacBook) it works, crash is on the Ubuntu server (linux x64).",
     "runtime.platform", "darwin-arm64"),
    ("It works on my M2 Mac but crashes on the Linux server.", "runtime.platform", ABSENT),
    ("It works on Node 20.11.0 but crashes on Node 18.19.0.", "runtime.node_version", "20.11.0"),
    ("We just bought the developer pack a minute ago.", "account.developer_pack", "paid_active"),
    ("We have used up our developer pack credits.", "account.developer_pack", "paid_active"),
    ('import rtms from "@zoom/rtms";\nconst client = new rtms.Client();', "sdk.language", "python"),  # JS, not Python
    ("ZM_RTMS_CLIENT= (left empty)", "sdk.env_credentials_set", True),
    # a question or a requirement is no statement of the setup
    ("Did you subscribe to meeting.rtms_started?", "app.events.types", ABSENT),
    ("You need the meeting:read:meeting_audio scope for audio.", "app.scopes", ABSENT),
    ("The transcript requires meeting:read:meeting_transcript.", "app.scopes", ABSENT),
    # a code named as not the one seen
    ("It returns a 400 with a code in the 13xxx range (not 13262, our logs rotated).", "api.error_codes", ABSENT),
    ("We do not get error 2310 anymore since the renewal.", "api.error_codes", ABSENT),
    # an event named in code is one the code handles, not one that arrived
    ("My handler:\n```python\ndef handle(payload):\n    if payload.get('event') == 'meeting.rtms_started':\n"
     "        client.join(payload)\n```\nI get meeting.started, then nothing.", "stream.started_received", ABSENT),
    ("if (event === 'meeting.rtms_started') { connect(payload); } // we get it", "webhook.received_events", ABSENT),
]


def _read(kb, tmp_path: Path, text: str):
    path = tmp_path / "post.txt"
    path.write_text(text + "\n", encoding="utf-8")
    resolved, _ = read_case([str(path)], kb)
    return resolved


def _matches(spec, actual: Any, expected: Any) -> bool:
    if spec.is_list:
        return all(item in actual for item in expected)
    if spec.type == "float":
        return isinstance(actual, (int, float)) and abs(actual - expected) < 1e-6
    return actual == expected and type(actual) is type(expected)


def _check(kb, tmp_path: Path, text: str, fact: str, value: Any) -> None:
    resolved = _read(kb, tmp_path, text)
    values = resolved.values
    assert fact in values, f"{text!r}: {fact} not set (got {sorted(values)})"
    assert _matches(kb.schema.specs[fact], values[fact], value), \
        f"{text!r}: {fact} expected {value!r}, got {values[fact]!r}"
    conflicts = [c.path for c in resolved.conflicts if c.path == fact]
    assert not conflicts, f"{text!r}: the sentence disagrees with itself on {fact}"


@pytest.mark.parametrize("text,fact,value", AFFIRMED, ids=[f"{f}={v}:{t[:40]}" for t, f, v in AFFIRMED])
def test_affirmed_sentence(kb, tmp_path, text, fact, value):
    _check(kb, tmp_path, text, fact, value)


@pytest.mark.parametrize("text,fact,value", NEGATED, ids=[f"{f}={v}:{t[:40]}" for t, f, v in NEGATED])
def test_negated_sentence(kb, tmp_path, text, fact, value):
    _check(kb, tmp_path, text, fact, value)


@pytest.mark.parametrize("text,fact,value", CODE_EVENTS, ids=[f"{f}:{t[:30]}" for t, f, _ in CODE_EVENTS])
def test_code_events(kb, tmp_path, text, fact, value):
    _check(kb, tmp_path, text, fact, value)


@pytest.mark.parametrize("text,fact,value", READER, ids=[f"{f}={v}:{t[:40]}" for t, f, v in READER])
def test_reader_sentence(kb, tmp_path, text, fact, value):
    _check(kb, tmp_path, text, fact, value)


def test_one_product_both_started_and_not_stays_a_conflict(kb, tmp_path):
    """Only a contrast between two products drops the working one: the same product said to
    both arrive and not arrive is a real disagreement."""
    resolved = _read(kb, tmp_path, "We get meeting.rtms_started. We never get meeting.rtms_started.")
    assert "stream.started_received" in {c.path for c in resolved.conflicts}


@pytest.mark.parametrize("text,fact,value", GUARDS, ids=[f"{f}:{t[:40]}" for t, f, _ in GUARDS])
def test_false_positive_guard(kb, tmp_path, text, fact, value):
    values = _read(kb, tmp_path, text).values
    if value is ABSENT:
        assert fact not in values, f"{text!r}: {fact} must stay unknown, got {values[fact]!r}"
    else:
        assert values.get(fact) != value, f"{text!r}: {fact} must not be {value!r}"


def _phrases() -> list[dict[str, Any]]:
    return yaml.safe_load(PHRASES.read_text(encoding="utf-8"))["phrases"]


def test_every_phrase_has_a_sentence():
    """Each phrase is exercised by a sentence of the tables above: a negated sentence when it
    has a `negated` value, an affirmed (or negated) one otherwise."""
    affirmed = [text for text, _, _ in AFFIRMED]
    negated = [text for text, _, _ in NEGATED]
    missing = []
    for index, entry in enumerate(_phrases()):
        pattern = re.compile(entry["pattern"], re.I)
        if entry.get("affirmed") is not None or entry.get("facts"):
            if not any(pattern.search(t) for t in affirmed + negated):
                missing.append(f"#{index} {entry.get('fact') or entry.get('facts')}: no affirmed sentence")
        if entry.get("negated") is not None and not any(pattern.search(t) for t in negated):
            missing.append(f"#{index} {entry.get('fact')}: no negated sentence")
    assert not missing, "\n".join(missing)


def test_patterns_stay_fast():
    """No pattern takes long on a long line of near-misses (no catastrophic backtracking)."""
    import time

    probe = ("the host auto-start share realtime meeting content webhook endpoint signature sign "
             "keep-alive audio video transcript queue not no never " * 40)
    for entry in _phrases():
        pattern = re.compile(entry["pattern"], re.I)
        start = time.perf_counter()
        pattern.search(probe)
        assert time.perf_counter() - start < 0.05, f"slow pattern: {entry['pattern'][:80]}"
