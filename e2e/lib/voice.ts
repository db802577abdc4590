import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launch } from './browser';

/** Voice in browser tests: the server spawns a real livekit-server (`npm run voice:install`). */
const livekit = fileURLToPath(new URL('../../.cache/livekit/livekit-server', import.meta.url));
export const hasLivekit = !!process.env.LIVEKIT_BIN || existsSync(livekit);

export async function freePort(udp = false): Promise<number> {
  if (udp) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Server env that starts LiveKit on loopback with free ports; empty when no livekit-server is built. */
export async function livekitEnv(): Promise<Record<string, string>> {
  if (!hasLivekit) return {};
  const [port, tcp, udp] = [await freePort(), await freePort(), await freePort(true)];
  return {
    LIVEKIT_MODE: 'auto',
    LIVEKIT_NODE_IP: '127.0.0.1',
    LIVEKIT_BIND: '127.0.0.1',
    LIVEKIT_PORT: String(port),
    LIVEKIT_TCP_PORT: String(tcp),
    LIVEKIT_UDP_PORT: String(udp),
  };
}

/**
 * A speech-like microphone for Chromium (--use-file-for-fake-audio-capture, looped): a 220 Hz
 * voice with harmonics, in syllables of ~250 ms. The default fake beep is too short for
 * voice-activity and LiveKit's speaker detection.
 */
function speechWav(): string {
  const rate = 48000;
  const n = rate * 4;
  const data = Buffer.alloc(44 + n * 2);
  data.write('RIFF', 0);
  data.writeUInt32LE(36 + n * 2, 4);
  data.write('WAVEfmt ', 8);
  data.writeUInt32LE(16, 16);
  data.writeUInt16LE(1, 20);
  data.writeUInt16LE(1, 22);
  data.writeUInt32LE(rate, 24);
  data.writeUInt32LE(rate * 2, 28);
  data.writeUInt16LE(2, 32);
  data.writeUInt16LE(16, 34);
  data.write('data', 36);
  data.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t);
    const v = Math.sin(2 * Math.PI * 220 * t) + 0.5 * Math.sin(2 * Math.PI * 440 * t) + 0.25 * Math.sin(2 * Math.PI * 660 * t);
    data.writeInt16LE(Math.round(v * envelope * 9000), 44 + i * 2);
  }
  const file = join(ARTIFACTS, 'speech.wav');
  writeFileSync(file, data);
  return file;
}

/** Chromium with a fake microphone (speaking, or the default beep) that may use loopback WebRTC. */
export function launchWithMicrophone(opts: { speech?: boolean } = { speech: true }): Promise<Browser> {
  return launch([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    ...(opts.speech ? [`--use-file-for-fake-audio-capture=${speechWav()}`, '--autoplay-policy=no-user-gesture-required'] : []),
    '--allow-loopback-in-peer-connection',
  ]);
}
