import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadVoiceConfig } from './config.js';
import { findPortClash, isOurLiveKit, loopbackOnly, mediaBindYaml } from './livekit-checks.js';
import { spawnLiveKit } from './livekit-process.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const voice = (env: Record<string, string>) => loadVoiceConfig({ LIVEKIT_BIND: '127.0.0.1', ...env }, '127.0.0.1');

describe('LiveKit start checks', () => {
  it('derives LiveKit ports from PORT so two instances on one host do not collide', () => {
    const a = loadVoiceConfig({ PORT: '8080' }, '0.0.0.0');
    const b = loadVoiceConfig({ PORT: '8081' }, '0.0.0.0');
    expect([a.port, a.tcpPort, a.udpPort]).toEqual([7880, 7881, 7882]);
    expect([b.port, b.tcpPort, b.udpPort]).toEqual([7883, 7884, 7885]);
    expect(loadVoiceConfig({ PORT: '8081', LIVEKIT_PORT: '9000' }, '0.0.0.0').udpPort).toBe(9002);
  });

  it('names the busy port and its setting in one line (TCP and UDP)', async () => {
    const port = await freePort();
    const cfg = voice({
      LIVEKIT_PORT: String(port),
      LIVEKIT_TCP_PORT: String(await freePort()),
      LIVEKIT_UDP_PORT: String(await freePort()),
    });
    expect(await findPortClash(cfg)).toBeNull();
    const holder = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    try {
      expect(await findPortClash(cfg)).toBe(
        `voice: port ${port}/tcp (LIVEKIT_PORT) on 127.0.0.1 is already in use (another LiveKit or Retrocast?); set LIVEKIT_PORT or stop that process; voice is off`,
      );
    } finally {
      holder.close();
    }
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(cfg.udpPort, '127.0.0.1', () => r()));
    try {
      expect(await findPortClash(cfg)).toMatch(new RegExp(`port ${cfg.udpPort}/udp \\(LIVEKIT_UDP_PORT\\)`));
    } finally {
      udp.close();
    }
  });

  it('does not spawn over a busy port and reports only the clash', async () => {
    const port = await freePort();
    const holder = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-lk-'));
    const lines: string[] = [];
    const log = {
      error: (a: unknown, b?: unknown) => lines.push(String(b ?? a)),
      warn: () => {},
      info: () => {},
    } as unknown as FastifyBaseLogger;
    try {
      const cfg = voice({
        LIVEKIT_PORT: String(port),
        LIVEKIT_TCP_PORT: String(await freePort()),
        LIVEKIT_UDP_PORT: String(await freePort()),
      });
      const lk = spawnLiveKit(cfg, '/nonexistent/livekit-server', dataDir, 'http://127.0.0.1:9/', log);
      expect(await lk.ready).toBe(false);
      expect(lk.up()).toBe(false);
      expect(lines).toEqual([expect.stringContaining(`port ${port}/tcp (LIVEKIT_PORT)`)]);
      await lk.close();
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('tells a LiveKit that refuses our key (someone else’s) from ours', async () => {
    // Answers 200 on / like any LiveKit, but refuses RoomService calls: not ours.
    const foreign = createHttpServer((req, res) => {
      res.writeHead(req.url === '/' ? 200 : 401, { 'content-type': 'application/json' });
      res.end(req.url === '/' ? 'OK' : '{"code":"unauthenticated","msg":"invalid token"}');
    }).listen(0, '127.0.0.1');
    await new Promise((r) => foreign.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(foreign.address() as { port: number }).port}`;
      expect(await isOurLiveKit(url, 'APIours', 'a-secret-that-is-long-enough-for-hs256-xx')).toBe(false);
    } finally {
      foreign.close();
    }
  });

  it('binds media where LIVEKIT_BIND says, with loopback candidates on loopback', () => {
    expect(mediaBindYaml(voice({ LIVEKIT_NODE_IP: '127.0.0.1' }), false)).toEqual([
      '  ips:',
      '    includes:',
      '      - 127.0.0.1/32',
      '  enable_loopback_candidate: true',
    ]);
    const lan = loadVoiceConfig({ LIVEKIT_BIND: '192.0.2.10', LIVEKIT_NODE_IP: '192.0.2.10' }, '0.0.0.0');
    expect(mediaBindYaml(lan, false)).toEqual(['  ips:', '    includes:', '      - 192.0.2.10/32']);
    const any = loadVoiceConfig({ LIVEKIT_NODE_IP: '192.0.2.10' }, '0.0.0.0');
    expect(mediaBindYaml(any, false)).toEqual([]);
    expect(mediaBindYaml(any, true)).toEqual(['  enable_loopback_candidate: true']);
  });

  it('detects a machine with only loopback interfaces', () => {
    const lo = {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    } as const;
    expect(loopbackOnly({ lo: [lo] })).toBe(true);
    expect(loopbackOnly({ lo: [lo], eth0: [{ ...lo, address: '192.0.2.2', internal: false, cidr: '192.0.2.2/24' }] })).toBe(false);
  });

  it('writes the media bind into the spawned LiveKit config', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-lk-'));
    const log = { error: () => {}, warn: () => {}, info: () => {} } as unknown as FastifyBaseLogger;
    try {
      const cfg = voice({
        LIVEKIT_PORT: String(await freePort()),
        LIVEKIT_TCP_PORT: String(await freePort()),
        LIVEKIT_UDP_PORT: String(await freePort()),
      });
      const lk = spawnLiveKit(cfg, '/nonexistent/livekit-server', dataDir, 'http://127.0.0.1:9/', log);
      expect(readFileSync(join(dataDir, 'livekit.yaml'), 'utf8')).toContain(
        '  ips:\n    includes:\n      - 127.0.0.1/32\n  enable_loopback_candidate: true\n',
      );
      await lk.close();
      await lk.ready;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
