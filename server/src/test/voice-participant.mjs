// A LiveKit participant in its own process (so a test can kill it without a clean leave):
// `node voice-participant.mjs <url> <token>` connects, publishes a 440 Hz tone until killed, and
// prints one JSON line `{"ready":true,...}` once the track is published.
import { AudioFrame, AudioSource, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';

const [url, token] = process.argv.slice(2);
const RATE = 48000;
const FRAME = RATE / 100; // 10 ms

const room = new Room();
await room.connect(url, token, { autoSubscribe: false, dynacast: false });
const source = new AudioSource(RATE, 1);
const track = LocalAudioTrack.createAudioTrack('tone', source);
const options = new TrackPublishOptions();
options.source = TrackSource.SOURCE_MICROPHONE;
await room.localParticipant.publishTrack(track, options);
console.log(JSON.stringify({ ready: true, sid: room.localParticipant.sid, identity: room.localParticipant.identity }));

let n = 0;
for (;;) {
  const data = new Int16Array(FRAME);
  for (let i = 0; i < FRAME; i++, n++) data[i] = Math.round(Math.sin((2 * Math.PI * 440 * n) / RATE) * 10000);
  // captureFrame waits while LiveKit's queue is full, which paces this loop in real time.
  await source.captureFrame(new AudioFrame(data, RATE, 1, FRAME));
}
