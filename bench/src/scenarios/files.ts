import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupGuild } from '../fixtures.js';
import { round } from '../proc-stats.js';
import { restOk } from '../rest.js';
import type { Figure, Scenario, ScenarioContext } from '../scenario.js';
import { sleep, startServer } from '../server-process.js';

const MB = 1024 * 1024;

/** S3 settings for the S3 half, from BENCH_S3_* or the tests' TEST_S3_* (scripts/minio.sh). */
function s3Env(): Record<string, string> | undefined {
  const e = process.env;
  const endpoint = e.BENCH_S3_ENDPOINT || e.TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  return {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: e.BENCH_S3_BUCKET || 'retrocast-bench',
    S3_ACCESS_KEY_ID: e.BENCH_S3_ACCESS_KEY_ID || e.TEST_S3_ACCESS_KEY_ID || 'retrocast',
    S3_SECRET_ACCESS_KEY: e.BENCH_S3_SECRET_ACCESS_KEY || e.TEST_S3_SECRET_ACCESS_KEY || 'retrocast-secret',
    S3_REGION: e.BENCH_S3_REGION || e.TEST_S3_REGION || 'us-east-1',
  };
}

/** One multipart send of `bytes`; ms from request start to the 200. */
async function multipartSend(base: string, token: string, channelId: string, bytes: Buffer): Promise<number> {
  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content: 'bench file' }));
  form.append('files[0]', new Blob([new Uint8Array(bytes)]), 'bench.bin');
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v10/channels/${channelId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`multipart send → ${res.status}`);
  return performance.now() - t0;
}

/** Direct upload: slot request, PUT to the presigned URL, send by uploaded_filename; ms for all three. */
async function directSend(base: string, token: string, channelId: string, bytes: Buffer): Promise<number> {
  const t0 = performance.now();
  const slot = await restOk(base, 'POST', `/channels/${channelId}/attachments`, { token, body: { files: [{ id: '0', filename: 'bench.bin', file_size: bytes.length }] } });
  const put = await fetch(slot.attachments[0].upload_url, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } });
  await put.arrayBuffer();
  if (put.status !== 200) throw new Error(`presigned PUT → ${put.status}`);
  await restOk(base, 'POST', `/channels/${channelId}/messages`, { token, body: { attachments: [{ id: '0', uploaded_filename: slot.attachments[0].upload_filename }] } });
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function uploads(ctx: ScenarioContext, store: string, env: Record<string, string>): Promise<Figure[]> {
  const server = await startServer(await ctx.freshServerOptions({ env: { MAX_UPLOAD_MB: '32', ...env } }));
  const figures: Figure[] = [];
  try {
    const g = await setupGuild(server.url, 1);
    for (const size of [1 * MB, 20 * MB]) {
      const runs = ctx.opts.quick ? 2 : size > MB ? 5 : 15;
      const bytes = randomBytes(size); // incompressible
      for (const [path, send] of [['multipart', multipartSend], ['direct', directSend]] as const) {
        await send(server.url, g.owner.token, g.channelId, bytes); // warm-up
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push(await send(server.url, g.owner.token, g.channelId, bytes));
        const ms = median(times);
        figures.push({ metric: `upload ${size / MB} MB ${path} (${store}), median of ${runs}`, value: round(size / MB / (ms / 1000), 1), unit: 'MB/s' });
      }
    }
  } finally {
    await server.stop();
  }
  return figures;
}

/** Message with a link → its embed visible (polling the message every 5 ms), against a loopback page. */
async function linkToEmbed(ctx: ScenarioContext): Promise<{ figures: Figure[]; notes: string[] }> {
  const page = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><head><meta property="og:title" content="Bench ${req.url}"></head></html>`);
  });
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
  const port = (page.address() as AddressInfo).port;
  const server = await startServer(await ctx.freshServerOptions({ env: { EMBED_ALLOW_PRIVATE: '127.0.0.1' } }));
  try {
    const g = await setupGuild(server.url, 1);
    const times: number[] = [];
    const runs = ctx.opts.quick ? 3 : 20;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const msg = await restOk(server.url, 'POST', `/channels/${g.channelId}/messages`, { token: g.owner.token, body: { content: `http://127.0.0.1:${port}/p${i}` } });
      for (;;) {
        const m = await restOk(server.url, 'GET', `/channels/${g.channelId}/messages/${msg.id}`, { token: g.owner.token });
        if (m.embeds.length) break;
        if (performance.now() - t0 > 10_000) throw new Error('no embed within 10 s');
        await sleep(5);
      }
      times.push(performance.now() - t0);
    }
    return {
      figures: [{ metric: `link → embed, median of ${runs}`, value: round(median(times), 0), unit: 'ms' }],
      notes: ['link → embed: loopback page allowed by EMBED_ALLOW_PRIVATE; includes the send, the fetch and the MESSAGE_UPDATE write; polled every 5 ms'],
    };
  } finally {
    await server.stop();
    page.close();
  }
}

/** Upload throughput (1 MB, 20 MB; multipart and direct; disk and S3) and link → embed time. */
export const files: Scenario = {
  name: 'files',
  describe: 'upload MB/s for 1 MB and 20 MB files on disk and S3 (both upload paths); link → embed time',
  async run(ctx) {
    const s3 = s3Env();
    const figures: Figure[] = [...(await uploads(ctx, 'disk', {}))];
    const notes = ['upload = one request from first byte sent to 200 (direct: slot + PUT + send); random, incompressible bytes'];
    if (s3) figures.push(...(await uploads(ctx, 's3', s3)));
    else notes.push('S3 skipped: set BENCH_S3_ENDPOINT or TEST_S3_ENDPOINT (bash scripts/minio.sh)');
    const embed = await linkToEmbed(ctx);
    return { config: { s3: Boolean(s3) }, figures: [...figures, ...embed.figures], notes: [...notes, ...embed.notes] };
  },
};
