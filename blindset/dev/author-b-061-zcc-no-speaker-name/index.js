import rtms from "@zoom/rtms";
import { appendLine, finalize } from "./summary.js";

rtms.onWebhookEvent(({ event, payload }) => {
  if (event === "contact_center.voice_rtms_started") {
    const client = new rtms.Client();

    client.onTranscriptData((data, size, timestamp, metadata) => {
      const speaker = metadata.userName || "Unknown";
      appendLine(payload.engagement_id, { speaker, text: data.toString("utf8"), timestamp });
    });

    client.onAudioData((data, size, timestamp, metadata) => {
      // per-speaker talk time, same as meetings
      talkTime[metadata.userName] = (talkTime[metadata.userName] || 0) + 20;
    });

    client.join(payload);
  }

  if (event === "contact_center.voice_rtms_stopped") {
    finalize(payload.engagement_id);
  }
});

const talkTime = {};
