import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { AdminError, runAdminCommand } from './commands.js';

/** The admin CLI's way into a running server: a Unix socket only this OS user can open. */
export const adminSocketPath = (dataDir: string) => join(dataDir, 'admin.sock');

export interface AdminRequest {
  argv: string[];
}
export type AdminReply = { ok: true; output: string } | { ok: false; error: string };

async function answer(ctx: AppContext, req: AdminRequest): Promise<AdminReply> {
  try {
    return { ok: true, output: await runAdminCommand(ctx, req.argv) };
  } catch (err) {
    if (err instanceof AdminError || err instanceof TypeError) return { ok: false, error: err.message };
    ctx.log.error({ err }, 'admin command failed');
    return { ok: false, error: `failed: ${(err as Error).message}` };
  }
}

/** True when a live server answers on the socket (another instance sharing this DATA_DIR). */
function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Listens on DATA_DIR/admin.sock (mode 0600) once the HTTP server listens, so `npm run admin`
 * reaches the running server: PGlite allows one process, and commands run here publish their
 * events to connected clients. One JSON request line in, one JSON reply out.
 */
export function installAdminSocket(app: FastifyInstance) {
  const path = adminSocketPath(app.ctx.config.dataDir);
  let server: Server | undefined;
  app.addHook('onListen', async () => {
    if (await alive(path)) return app.log.warn({ path }, 'admin socket: another instance serves this DATA_DIR');
    rmSync(path, { force: true });
    const s = createServer((conn) => {
      let buf = '';
      conn.on('data', (chunk) => {
        buf += chunk;
        if (!buf.includes('\n')) return;
        let req: AdminRequest;
        try {
          req = JSON.parse(buf.slice(0, buf.indexOf('\n')));
        } catch {
          return conn.end(`${JSON.stringify({ ok: false, error: 'bad request' })}\n`);
        }
        void answer(app.ctx, req).then((reply) => conn.end(`${JSON.stringify(reply)}\n`));
      });
      conn.on('error', () => {});
    });
    await new Promise<void>((resolve) => {
      s.once('error', (err) => {
        app.log.warn({ err, path }, 'admin socket: cannot listen; `npm run admin` needs the server stopped');
        resolve();
      });
      s.listen(path, () => {
        chmodSync(path, 0o600);
        server = s;
        resolve();
      });
    });
  });
  app.addHook('onClose', async () => {
    if (!server) return;
    await new Promise((r) => server?.close(r));
    rmSync(path, { force: true });
  });
}

/** Sends one command to a running server; undefined when none listens on the socket. */
export function sendAdminCommand(dataDir: string, argv: string[]): Promise<AdminReply | undefined> {
  return new Promise((resolve, reject) => {
    const s = connect(adminSocketPath(dataDir));
    let buf = '';
    let connected = false;
    s.on('connect', () => {
      connected = true;
      s.write(`${JSON.stringify({ argv })}\n`);
    });
    s.on('data', (d) => (buf += d));
    s.on('end', () => {
      try {
        resolve(JSON.parse(buf));
      } catch {
        reject(new Error('admin socket: the server gave no answer'));
      }
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) resolve(undefined);
      else reject(err);
    });
  });
}
