// Micro-benchmark of the fan-out's write path: one ~800 B dispatch to each of 1,000 WebSocket
// connections every 20 ms (50 events/s), measured as the server process's CPU per frame
// (process.cpuUsage, user + system: the syscalls count), which does not depend on the machine's
// load the way latency does. Modes:
//   ws        ws.send(payload) per frame (header alloc, cork, writev of 2 buffers, uncork)
//   raw       the whole frame built in one buffer, socket.write per frame (what Connection does)
//   raw-xN    N events per turn coalesced per socket: one write of N frames (a server behind)
// The receiving end is a child process draining 1,000 raw sockets. Needs `npm run build -w server`.
// Usage: node bench/scripts/write-frames.mjs [seconds per mode, default 5]
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';
import { FrameWriter } from '../../server/dist/gateway/frame-writer.js';
import { frameBytes } from '../../server/dist/gateway/replay-log.js';

const SESSIONS = 1000;
const EVERY_MS = 20;

if (process.argv[2] === 'drain') {
  // Child: open the connections and discard what arrives.
  const port = Number(process.argv[3]);
  let open = 0;
  for (let i = 0; i < SESSIONS; i++) {
    const s = connect(port, '127.0.0.1', () => {
      s.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      if (++open === SESSIONS) process.send?.('ready');
    });
    s.on('data', () => {});
  }
} else {
  const seconds = Number(process.argv[2] ?? 5);
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const conns = [];
  wss.on('connection', (ws, req) =>
    conns.push({
      ws,
      socket: req.socket,
      writer: new FrameWriter(
        req.socket,
        () => true,
        () => {},
      ),
    }),
  );
  const child = fork(new URL(import.meta.url).pathname, ['drain', String(wss.address().port)]);
  await new Promise((r) => child.once('message', r));
  while (conns.length < SESSIONS) await new Promise((r) => setTimeout(r, 10));
  const d = JSON.stringify({ id: '1234567890123456789', content: 'x'.repeat(700), embeds: [], attachments: [] });
  const entry = { pos: 0, at: 0, t: 'MESSAGE_CREATE', d };
  let seq = 0;
  const modes = {
    ws: () => {
      seq++;
      for (const c of conns) c.ws.send(frameBytes(entry, seq, 'http://x'), { binary: false });
    },
    raw: () => {
      seq++;
      for (const c of conns) c.socket.write(frameBytes(entry, seq, 'http://x', true));
    },
    'raw-x2': (n = 2) => {
      for (let k = 0; k < n; k++) {
        seq++;
        for (const c of conns) c.writer.push(frameBytes(entry, seq, 'http://x', true));
      }
    },
    'raw-x5': () => modes['raw-x2'](5),
  };
  console.log(
    `${SESSIONS} connections, one event every ${EVERY_MS} ms (xN: N events per turn, every N × ${EVERY_MS} ms), ${seconds} s per mode`,
  );
  for (const [name, run] of Object.entries(modes)) {
    const batch = name.startsWith('raw-x') ? Number(name.slice(5)) : 1;
    const frames = { n: 0 };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        run();
        frames.n += batch * SESSIONS;
        if (performance.now() - t0 > seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, EVERY_MS * batch);
    });
    await new Promise((r) => setTimeout(r, 200));
    const cpu = process.cpuUsage(cpu0);
    const us = (cpu.user + cpu.system) / frames.n;
    console.log(
      `${name.padEnd(7)} ${us.toFixed(2)} µs CPU per frame (user ${(cpu.user / frames.n).toFixed(2)}, system ${(cpu.system / frames.n).toFixed(2)}), ${frames.n} frames`,
    );
  }
  child.kill();
  wss.close();
  for (const c of conns) c.socket.destroy();
}
