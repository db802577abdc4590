/** A private X server (Xvfb) and helpers to look at it and type into it. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Display {
  name: string;
  stop(): Promise<void>;
}

/** Starts Xvfb on the first free display number (it reports the number on fd 3). */
export async function startXvfb(): Promise<Display> {
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x860x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const name = await new Promise<string>((resolve, reject) => {
    let out = '';
    const fd = child.stdio[3] as NodeJS.ReadableStream;
    fd.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    setTimeout(() => reject(new Error('Xvfb did not start')), 20_000);
  });
  return {
    name,
    async stop() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
    },
  };
}

/** The whole screen as PNG (what a person would see, window decorations aside: no WM runs). */
export async function screenshot(display: string, file: string) {
  await run('import', ['-display', display, '-window', 'root', file]);
}

/** Synthetic key events (XTEST): they go through the X server's grabs like real keys. */
export async function key(display: string, action: 'keydown' | 'keyup' | 'key', keys: string) {
  await run('xdotool', [action, keys], { env: { ...process.env, DISPLAY: display } });
}
