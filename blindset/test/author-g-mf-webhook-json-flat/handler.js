export async function onRtmsStarted(body) {
  const { meeting_uuid, rtms_stream_id, server_urls } = body.payload.object ?? {};
  const signature = sign(process.env.ZOOM_CLIENT_ID, meeting_uuid, rtms_stream_id);
  return connectSignaling(server_urls ?? DEFAULT_URL, {
    msg_type: 1,
    protocol_version: 1,
    meeting_uuid,
    rtms_stream_id,
    sequence: Date.now(),
    signature,
  });
}
