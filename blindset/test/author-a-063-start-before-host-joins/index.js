// rtms-starter/index.js (excerpt)
import express from 'express';
import axios from 'axios';
import { getHostToken } from './tokens.js';

const app = express();
app.use(express.json());

const RTMS_CLIENT_ID = process.env.RTMS_CLIENT_ID; // "OfcHrsFAKE001"

async function startRtms(meetingId, hostId) {
  const token = await getHostToken(hostId); // host's user OAuth token, refreshed if needed
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await axios.patch(
        `https://api.zoom.us/v2/live_meetings/${meetingId}/rtms_app/status`,
        { action: 'start', settings: { client_id: RTMS_CLIENT_ID } },
        { headers: { Authorization: `Bearer ${token}` } },
      );
      console.log(`[${meetingId}] start requested (attempt ${attempt})`);
      return;
    } catch (err) {
      // typical failure when attendees joined before host:
      // [83300112233] start failed attempt 1: 400 {...}  (same every time until the host is in)
      console.warn(`[${meetingId}] start failed attempt ${attempt}:`, err.response?.status, JSON.stringify(err.response?.data));
      await new Promise((r) => setTimeout(r, 20_000));
    }
  }
}

app.post('/zoom/events', async (req, res) => {
  res.sendStatus(200);
  const { event, payload } = req.body;

  // meeting.started fires when the first person (attendee or host) opens the meeting
  if (event === 'meeting.started') {
    const { id, host_id } = payload.object;
    startRtms(id, host_id);
  }

  if (event === 'meeting.rtms_started') {
    // hand off to media workers
    await enqueue(payload);
  }
});

app.listen(8080);
