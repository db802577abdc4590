// The second participant in the LAN test, run inside the "server" namespace: registers over
// http://127.0.0.1:8080, accepts the friend's invite, joins voice through /livekit on that origin
// and prints, once a second, how many non-silent audio frames it has heard.
import { AudioStream, Room, RoomEvent, TrackKind } from '@livekit/rtc-node';

const [base, invite, channelId] = process.argv.slice(2);
const api = async (method, path, token, body) => {
  const res = await fetch(`${base}/api/v10${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

// After the first account, registering needs an invite (REGISTRATION=invite, the default).
const me = await api('POST', '/auth/register', undefined, {
  username: `ear_${Date.now().toString(36)}`,
  password: 'correct horse battery',
  invite,
});
// Registering with a server invite may already have joined us.
await api('POST', `/invites/${invite}`, me.access_token, {}).catch(() => {});
const join = await api('POST', `/channels/${channelId}/voice/join`, me.access_token, {});
console.log(JSON.stringify({ step: 'joining', url: join.url }));

let loud = 0;
let frames = 0;
const room = new Room();
room.on(RoomEvent.TrackSubscribed, (track) => {
  if (track.kind !== TrackKind.KIND_AUDIO) return;
  void (async () => {
    for await (const frame of new AudioStream(track, { sampleRate: 48000, numChannels: 1 })) {
      frames++;
      let sum = 0;
      for (const s of frame.data) sum += s * s;
      if (Math.sqrt(sum / frame.data.length) > 500) loud++;
    }
  })();
});
await room.connect(join.url, join.token, { autoSubscribe: true, dynacast: false });
console.log(JSON.stringify({ step: 'connected' }));
setInterval(() => console.log(JSON.stringify({ step: 'heard', loud, frames })), 1000);
process.on('SIGTERM', async () => {
  await room.disconnect().catch(() => {});
  process.exit(0);
});
