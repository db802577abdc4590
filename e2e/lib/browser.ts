import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

/** Debian's Chromium, headless; CHROMIUM_PATH overrides the binary. */
export function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', ...extraArgs],
  });
}

export type Viewport = 'desktop' | 'phone';
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

export async function newContext(
  browser: Browser,
  opts: { baseURL: string; viewport?: Viewport; dark?: boolean },
): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL: opts.baseURL,
    viewport: VIEWPORTS[opts.viewport ?? 'desktop'],
    colorScheme: opts.dark ? 'dark' : 'light',
    hasTouch: opts.viewport === 'phone',
    isMobile: opts.viewport === 'phone',
    deviceScaleFactor: 1,
    serviceWorkers: 'block',
  });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

let seq = 0;
/** A username unique across runs (letters, digits, underscore). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${(seq++).toString(36)}`.slice(0, 32);
}

export async function register(page: Page, username: string, next?: string): Promise<void> {
  await page.goto(next ? `/register?next=${encodeURIComponent(next)}` : '/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(next ? `**${next}` : '**/channels/@me');
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}
