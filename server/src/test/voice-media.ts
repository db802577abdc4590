/** Real-media helpers for the LiveKit slow suites: free ports, a tone publisher, a listener. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AudioStream, type RemoteTrack, Room, RoomEvent, TrackKind } from '@livekit/rtc-node';
import { startServer, type TestServer } from './helper.js';

export async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

/** A test server that spawns its own livekit-server on loopback, on free ports. */
export async function startVoiceServer(): Promise<TestServer> {
  const [port, tcp, udp] = [await freeTcpPort(), await freeTcpPort(), await freeUdpPort()];
  return startServer({
    env: {
      LIVEKIT_MODE: 'auto',
      LIVEKIT_NODE_IP: '127.0.0.1',
      LIVEKIT_BIND: '127.0.0.1',
      LIVEKIT_PORT: String(port),
      LIVEKIT_TCP_PORT: String(tcp),
      LIVEKIT_UDP_PORT: String(udp),
    },
  });
}

/** Publishes a 440 Hz tone from a child process (voice-participant.mjs) until killed. */
export async function tonePublisher(url: string, token: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./voice-participant.mjs', import.meta.url));
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

/** A listening participant: counts audio frames louder than silence and notes when it last heard one. */
export async function listener(url: string, token: string) {
  const room = new Room();
  const heard = { lastLoudAt: 0, loudFrames: 0 };
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
    if (track.kind !== TrackKind.KIND_AUDIO) return;
    void (async () => {
      for await (const frame of new AudioStream(track, { sampleRate: 48000, numChannels: 1 })) {
        let sum = 0;
        for (const s of frame.data) sum += s * s;
        if (Math.sqrt(sum / frame.data.length) > 500) {
          heard.lastLoudAt = Date.now();
          heard.loudFrames++;
        }
      }
    })();
  });
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  return { room, heard };
}

/** Polls until `pred` holds. */
export async function waitUntil(pred: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
