/**
 * A minimal W3C WebDriver client for WebKitWebDriver (Debian's webkit2gtk-driver). It starts the
 * app the way `tauri-driver` does on Linux: `webkitgtk:browserOptions.binary` is the app, and
 * TAURI_WEBVIEW_AUTOMATION=true lets the app's webview accept the automation session.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class Driver {
  private constructor(
    private readonly base: string,
    private readonly child: ChildProcess,
    private sessionId = '',
  ) {}

  static async start(env: NodeJS.ProcessEnv): Promise<Driver> {
    const port = await freePort();
    const child = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${base}/status`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('WebKitWebDriver did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    return new Driver(base, child);
  }

  async raw(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as { value?: any };
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json.value ?? json)}`);
    return json.value;
  }

  cmd(method: string, path: string, body?: unknown) {
    return this.raw(method, `/session/${this.sessionId}${path}`, body ?? (method === 'POST' ? {} : undefined));
  }

  /** Launches the app binary with `args`. */
  async open(binary: string, args: string[] = []) {
    const v = await this.raw('POST', '/session', { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary, args } } } });
    this.sessionId = v.sessionId;
  }

  url(): Promise<string> {
    return this.cmd('GET', '/url');
  }

  script<T = any>(source: string, args: unknown[] = []): Promise<T> {
    return this.cmd('POST', '/execute/sync', { script: source, args });
  }

  /** Polls until `fn` returns something truthy. */
  async until<T>(what: string, fn: () => Promise<T>, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async find(css: string, ms = 30_000): Promise<string> {
    return this.until(
      `element ${css}`,
      async () => (await this.cmd('POST', '/element', { using: 'css selector', value: css }))[ELEMENT] as string,
      ms,
    );
  }

  async type(css: string, text: string) {
    const id = await this.find(css);
    await this.cmd('POST', `/element/${id}/clear`);
    await this.cmd('POST', `/element/${id}/value`, { text });
  }

  async click(css: string) {
    const id = await this.find(css);
    await this.cmd('POST', `/element/${id}/click`);
  }

  /** PNG of the page, base64-decoded. */
  async screenshot(): Promise<Buffer> {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  async stop() {
    if (this.sessionId) await this.raw('DELETE', `/session/${this.sessionId}`).catch(() => {});
    if (this.child.exitCode === null) {
      const done = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
  }
}
