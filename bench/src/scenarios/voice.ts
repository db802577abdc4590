import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  type RemoteTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node';
import WebSocket from 'ws';
import { setupGuild } from '../fixtures.js';
import { round } from '../proc-stats.js';
import { restOk } from '../rest.js';
import type { Scenario } from '../scenario.js';
import { freePort, REPO, sleep, startServer } from '../server-process.js';
import { SkipError } from './multi-instance.js';

/**
 * Voice join latency: gateway op 4 → VOICE_SERVER_UPDATE → LiveKit connect → the first non-silent
 * audio frame from a participant who is already talking, as another member hears it. Real
 * livekit-server (`npm run voice:install`), @livekit/rtc-node participants, loopback.
 */
const RATE = 48000;

/** A minimal identified gateway session that can wait for one dispatch. */
async function gateway(url: string, token: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/gateway?v=10&encoding=json`);
  const waiters: { t: string; pred: (d: any) => boolean; resolve: (d: any) => void }[] = [];
  let beat: NodeJS.Timeout | undefined;
  ws.on('message', (raw: Buffer) => {
    const f = JSON.parse(raw.toString());
    if (f.op === 10) {
      beat = setInterval(() => ws.send(JSON.stringify({ op: 1, d: null })), f.d.heartbeat_interval * 0.8);
      ws.send(JSON.stringify({ op: 2, d: { token, properties: { os: 'linux', browser: 'bench', device: 'bench' } } }));
    }
    if (f.op !== 0) return;
    for (const w of [...waiters]) {
      if (w.t !== f.t || !w.pred(f.d)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(f.d);
    }
  });
  const next = (t: string, pred: (d: any) => boolean = () => true, ms = 15_000) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${t} within ${ms} ms`)), ms);
      waiters.push({
        t,
        pred,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  await next('READY');
  return {
    next,
    send: (op: number, d: unknown) => ws.send(JSON.stringify({ op, d })),
    close: () => {
      clearInterval(beat);
      ws.close();
    },
  };
}

async function publishTone(url: string, token: string) {
  const room = new Room();
  await room.connect(url, token, { autoSubscribe: false, dynacast: false });
  const source = new AudioSource(RATE, 1);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await room.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('tone', source), options);
  let running = true;
  void (async () => {
    for (let n = 0; running; ) {
      const data = new Int16Array(RATE / 100);
      for (let i = 0; i < data.length; i++, n++) data[i] = Math.round(Math.sin((2 * Math.PI * 440 * n) / RATE) * 10000);
      await source.captureFrame(new AudioFrame(data, RATE, 1, data.length));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await room.disconnect();
    },
  };
}

/** Connects and resolves at the first frame whose RMS is clearly above silence. */
async function firstLoudFrame(url: string, token: string): Promise<Room> {
  const room = new Room();
  const heard = new Promise<void>((resolve) => {
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== TrackKind.KIND_AUDIO) return;
      void (async () => {
        for await (const frame of new AudioStream(track, { sampleRate: RATE, numChannels: 1 })) {
          let sum = 0;
          for (const s of frame.data) sum += s * s;
          if (Math.sqrt(sum / frame.data.length) > 500) return resolve();
        }
      })();
    });
  });
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  await heard;
  return room;
}

export const voice: Scenario = {
  name: 'voice',
  describe: 'op 4 → first audio frame heard from a talking participant (real LiveKit)',
  async run(ctx) {
    const bin = process.env.LIVEKIT_BIN || join(REPO, '.cache/livekit/livekit-server');
    if (!existsSync(bin)) throw new SkipError('no livekit-server (npm run voice:install)');
    const joins = ctx.opts.quick ? 5 : 20;
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const udpPort = udp.address().port;
    await new Promise<void>((r) => udp.close(() => r()));
    const env = {
      LIVEKIT_MODE: 'auto',
      LIVEKIT_BIN: bin,
      LIVEKIT_NODE_IP: '127.0.0.1',
      LIVEKIT_BIND: '127.0.0.1',
      LIVEKIT_PORT: String(await freePort()),
      LIVEKIT_TCP_PORT: String(await freePort()),
      LIVEKIT_UDP_PORT: String(udpPort),
    };
    const server = await startServer(await ctx.freshServerOptions({ env }));
    try {
      const g = await setupGuild(server.url, 2);
      const channels = await restOk(server.url, 'GET', `/guilds/${g.guildId}/channels`, { token: g.owner.token });
      const voiceId = (channels as { id: string; type: number }[]).find((c) => c.type === 2)!.id;
      const [talker, listener] = [g.all[0], g.all[1]];
      const talkerGw = await gateway(server.url, talker.token);
      const listenerGw = await gateway(server.url, listener.token);
      const join = { guild_id: g.guildId, channel_id: voiceId, self_mute: false, self_deaf: false };
      // LiveKit may still be starting right after /healthz: the first join waits for it.
      talkerGw.send(4, join);
      const talkerServer = await talkerGw.next('VOICE_SERVER_UPDATE', () => true, 30_000);
      const tone = await publishTone(talkerServer.endpoint, talkerServer.token);
      const times: number[] = [];
      for (let i = 0; i < joins; i++) {
        const t0 = performance.now();
        listenerGw.send(4, join);
        const vsu = await listenerGw.next('VOICE_SERVER_UPDATE');
        const room = await firstLoudFrame(vsu.endpoint, vsu.token);
        times.push(performance.now() - t0);
        await room.disconnect();
        listenerGw.send(4, { ...join, channel_id: null });
        await listenerGw.next('VOICE_STATE_UPDATE', (d) => d.user_id === listener.id && d.channel_id === null);
        await sleep(200);
      }
      await tone.stop();
      talkerGw.close();
      listenerGw.close();
      const sorted = [...times].sort((a, b) => a - b);
      const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
      return {
        config: { joins, transport: 'loopback UDP', participants: 2 },
        figures: [
          { metric: 'op 4 → first audio p50', value: round(pct(50), 0), unit: 'ms' },
          { metric: 'op 4 → first audio p99', value: round(pct(99), 0), unit: 'ms' },
          { metric: 'op 4 → first audio best', value: round(sorted[0], 0), unit: 'ms' },
        ],
        notes: [
          `joins (ms): ${times.map((t) => round(t, 0)).join(', ')}`,
          'each join: op 4, VOICE_SERVER_UPDATE, LiveKit connect, subscribe, decode; then leave',
        ],
      };
    } finally {
      await server.stop();
    }
  },
};
