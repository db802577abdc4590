/** Launches the built app under a private X server and D-Bus session, driven by WebKitWebDriver. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Driver } from './webdriver';
import { type Display, startXvfb } from './x11';

export const artifacts = fileURLToPath(new URL('../../e2e/artifacts/', import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/retrocast/desktop-target');
export const binary = process.env.RETROCAST_DESKTOP_BIN ?? join(targetDir, 'release/retrocast-desktop');

/** A private D-Bus session bus: single-instance and notifications look for one. */
async function startDbus(): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (b: Buffer) => resolve(b.toString().trim()));
    child.once('exit', (c) => reject(new Error(`dbus-daemon exited with ${c}`)));
  });
  return { address, child };
}

export interface RunningApp {
  driver: Driver;
  display: Display;
  env: NodeJS.ProcessEnv;
  /** The app's config dir (settings.json). */
  configDir: string;
  stop(): Promise<void>;
}

/** `settings` pre-seeds the app's settings.json (as a returning user would have it). */
export async function launchApp(settings?: unknown): Promise<RunningApp> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: build the app first (npm run desktop:build)`);
  mkdirSync(artifacts, { recursive: true });
  const display = await startXvfb();
  const dbus = await startDbus();
  const home = mkdtempSync(join(tmpdir(), 'rc-desktop-'));
  const configDir = join(home, 'retrocast');
  if (settings) {
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'settings.json'), JSON.stringify(settings));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DISPLAY: display.name,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    DBUS_SESSION_BUS_ADDRESS: dbus.address,
    RETROCAST_DESKTOP_CONFIG_DIR: configDir,
    // Nothing multicast leaves this machine during tests.
    RETROCAST_DESKTOP_MDNS: 'off',
    TAURI_WEBVIEW_AUTOMATION: 'true',
  };
  const driver = await Driver.start(env);
  await driver.open(binary);
  return {
    driver,
    display,
    env,
    configDir,
    async stop() {
      await driver.stop();
      dbus.child.kill('SIGTERM');
      await display.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
