import rtms from "@zoom/rtms";
import { writeFrame } from "./clips.js";

rtms.onWebhookEvent(({ event, payload }) => {
  if (event !== "meeting.rtms_started") return;

  const client = new rtms.Client();

  client.setVideoParams({
    contentType: rtms.VideoContentType.RAW_VIDEO,
    codec: rtms.VideoCodec.H264,
    resolution: rtms.VideoResolution.FHD,
    dataOpt: rtms.VideoDataOption.VIDEO_SINGLE_ACTIVE_STREAM,
    fps: 30,
  });

  client.onVideoData((buffer, size, timestamp, metadata) => {
    writeFrame(payload.rtms_stream_id, buffer, timestamp, metadata);
  });

  client.onLeave((reason) => console.log("left", reason));

  client.join(payload);
});
