import { Agent, request } from 'node:http';

/** Keep-alive pool: the generator reuses connections like a real client instead of paying a TCP handshake per call. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface RestResponse<T> {
  status: number;
  body: T;
}

/** Minimal JSON client on node:http (cheaper per call than fetch, so the generator stays light). */
export function rest<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<RestResponse<T>> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const url = new URL(`/api/v10${path}`, base);
  return new Promise((res, rej) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        timeout: 30_000,
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            res({ status: r.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          } catch {
            res({ status: r.statusCode ?? 0, body: text as T });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', rej);
    req.end(payload);
  });
}

/** Like rest(), but anything other than the expected status is an error with the server's body. */
export async function restOk<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
  expect = [200, 201, 204],
): Promise<T> {
  const r = await rest<T>(base, method, path, opts);
  if (!expect.includes(r.status)) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
