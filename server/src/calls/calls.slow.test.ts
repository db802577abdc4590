import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AudioStream, type RemoteTrack, Room, RoomEvent, TrackKind } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, type GatewayClient } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { loadVoiceConfig } from '../voice/config.js';
import { findLiveKitBinary } from '../voice/livekit-process.js';
import { voiceOf } from '../voice/runtime.js';

/**
 * A DM call with real audio: two @livekit/rtc-node participants join through gateway op 4 with
 * guild_id null, using the tokens the gateway hands out, on a real livekit-server.
 */
const binary = findLiveKitBinary(loadVoiceConfig({}, '127.0.0.1'));
if (!binary) console.warn('calls.slow.test: no livekit-server (run `npm run voice:install`); skipping');

async function freePort(udp = false): Promise<number> {
  if (udp) {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = sock.address().port;
    await new Promise<void>((r) => sock.close(() => r()));
    return port;
  }
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The caller: a 440 Hz tone from a child process (server/src/test/voice-participant.mjs). */
async function tonePublisher(url: string, token: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('../test/voice-participant.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, url, token], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c) => (err += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`publisher not ready: ${err.slice(-500)}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      if (c.toString().includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`publisher exited ${code}: ${err.slice(-500)}`)));
  });
  return child;
}

/** The callee: counts audio frames louder than silence. */
async function listener(url: string, token: string) {
  const room = new Room();
  const heard = { loudFrames: 0 };
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
    if (track.kind !== TrackKind.KIND_AUDIO) return;
    void (async () => {
      for await (const frame of new AudioStream(track, { sampleRate: 48000, numChannels: 1 })) {
        let sum = 0;
        for (const s of frame.data) sum += s * s;
        if (Math.sqrt(sum / frame.data.length) > 500) heard.loudFrames++;
      }
    })();
  });
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  return { room, heard };
}

async function waitUntil(pred: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!binary)('a DM call with a real LiveKit', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let publisher: ChildProcess | undefined;
  const rooms: Room[] = [];
  const gateways: GatewayClient[] = [];

  beforeAll(async () => {
    const [port, tcp, udp] = [await freePort(), await freePort(), await freePort(true)];
    server = await startServer({
      env: {
        LIVEKIT_MODE: 'auto',
        LIVEKIT_NODE_IP: '127.0.0.1',
        LIVEKIT_BIND: '127.0.0.1',
        LIVEKIT_PORT: String(port),
        LIVEKIT_TCP_PORT: String(tcp),
        LIVEKIT_UDP_PORT: String(udp),
      },
    });
    await voiceOf(server.app.ctx).started;
    alice = await registerUser(server);
    bob = await registerUser(server);
    await api(server, 'PUT', `/users/@me/relationships/${bob.id}`, { token: alice.token, body: {} });
    await api(server, 'PUT', `/users/@me/relationships/${alice.id}`, { token: bob.token, body: {} });
  }, 120_000);

  afterAll(async () => {
    publisher?.kill('SIGKILL');
    for (const r of rooms) await r.disconnect().catch(() => {});
    for (const gw of gateways) gw.close(1000);
    await server?.close();
  });

  it('rings the callee, carries audio, and hang-up ends the call with a duration', async () => {
    const ca = await connectUser(server, alice);
    const cb = await connectUser(server, bob);
    gateways.push(ca, cb);
    const dm = (await api(server, 'POST', '/users/@me/channels', { token: alice.token, body: { recipient_id: bob.id } })).body;

    ca.send(4, { guild_id: null, channel_id: dm.id, self_mute: false, self_deaf: false });
    const va = (await ca.dispatch('VOICE_SERVER_UPDATE')).d;
    expect(va).toMatchObject({ guild_id: null, channel_id: dm.id });
    publisher = await tonePublisher(va.endpoint, va.token);
    const ring = (await cb.dispatch('CALL_CREATE')).d;
    expect(ring).toMatchObject({ channel_id: dm.id, ringing: [bob.id] });

    cb.send(4, { guild_id: null, channel_id: dm.id, self_mute: false, self_deaf: false });
    const vb = (await cb.dispatch('VOICE_SERVER_UPDATE')).d;
    const { room, heard } = await listener(vb.endpoint, vb.token);
    rooms.push(room);
    await waitUntil(() => heard.loudFrames >= 50, 30_000, 'bob to hear alice');
    expect((await ca.dispatch('CALL_UPDATE', (d) => d.ringing.length === 0)).d.message_id).toBe(ring.message_id);

    ca.send(4, { guild_id: null, channel_id: null, self_mute: false, self_deaf: false });
    publisher.kill('SIGKILL');
    cb.send(4, { guild_id: null, channel_id: null, self_mute: false, self_deaf: false });
    await room.disconnect();
    expect((await ca.dispatch('CALL_DELETE', undefined, 30_000)).d).toEqual({ channel_id: dm.id });
    const ended = (await cb.dispatch('MESSAGE_UPDATE', (d) => d.id === ring.message_id)).d;
    expect(ended.call.participants.sort()).toEqual([alice.id, bob.id].sort());
    expect(Date.parse(ended.call.ended_timestamp) - Date.parse(ended.timestamp)).toBeGreaterThan(0);
    expect([...ca.schemaErrors, ...cb.schemaErrors]).toEqual([]);
  }, 120_000);
});
