// The friend's machine in the LAN test (lan.slow.test.ts), run inside the "friend" network
// namespace: finds the server by mDNS, checks plain HTTP, then opens it in Chromium trusting only
// the server's CA, registers, creates a guild and joins its voice channel with a fake microphone.
// Prints one JSON line per step; reads commands ("rejoin", "quit") on stdin.
import { createHash, X509Certificate } from 'node:crypto';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { discover, resolveHost } from '../../../scripts/discover.mjs';

const [serverAddr, wavFile, shotsDir] = process.argv.slice(2);
const say = (o) => console.log(JSON.stringify(o));

const addresses = await resolveHost('retrocast.local', { timeoutMs: 8000 });
const services = await discover({ timeoutMs: 4000 });
const https = await discover({ timeoutMs: 3000, service: '_https._tcp.local' });
say({ step: 'mdns', addresses, services, https });

const plain = `http://${serverAddr}:8080`;
const root = await fetch(`${plain}/channels/@me`, { redirect: 'manual' });
const setup = await fetch(`${plain}/setup`, { redirect: 'manual' });
const caPem = await (await fetch(`${plain}/ca.crt`, { redirect: 'manual' })).text();
const ca = new X509Certificate(caPem);
const spki = createHash('sha256')
  .update(ca.publicKey.export({ type: 'spki', format: 'der' }))
  .digest('base64');
say({
  step: 'http',
  rootStatus: root.status,
  rootLocation: root.headers.get('location'),
  setupStatus: setup.status,
  setupHasQr: (await setup.text()).includes('<svg'),
  caFingerprint: ca.fingerprint256.replace(/:/g, ''),
});

// Chromium resolves .local through the system resolver, which has no mDNS here: map the name to
// the address our own mDNS query found. Trust: only our CA's key (no NSS database is touched).
const host = addresses[0] ?? serverAddr;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-dev-shm-usage',
    `--ignore-certificate-errors-spki-list=${spki}`,
    `--host-resolver-rules=MAP retrocast.local ${host}`,
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wavFile}`,
    '--autoplay-policy=no-user-gesture-required',
  ],
});
// The /setup page as a friend sees it over plain HTTP, on a phone and on a laptop.
for (const [name, viewport, isMobile] of [
  ['setup-phone-390x844', { width: 390, height: 844 }, true],
  ['setup-desktop-1280x800', { width: 1280, height: 800 }, false],
]) {
  const c = await browser.newContext({ viewport, isMobile, hasTouch: isMobile, deviceScaleFactor: 1 });
  const p = await c.newPage();
  await p.goto(`${plain}/setup`);
  await p.screenshot({ path: `${shotsDir}/${name}.png`, fullPage: false });
  await p.screenshot({ path: `${shotsDir}/${name}-full.png`, fullPage: true });
  await c.close();
}
say({ step: 'screenshots' });

const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
await ctx.grantPermissions(['microphone'], { origin: 'https://retrocast.local:8443' });
ctx.setDefaultTimeout(60_000);
const page = await ctx.newPage();
page.on('pageerror', (e) => say({ step: 'pageerror', message: e.message }));

const origin = 'https://retrocast.local:8443';
let guild;
let ids;
try {
  await page.goto(`${origin}/register`);
  say({ step: 'opened', url: page.url(), secure: await page.evaluate(() => window.isSecureContext) });
  await page.getByLabel('Username').fill(`friend_${Date.now().toString(36)}`);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/channels/@me');
  guild = await page.evaluate(async () => {
    const { access_token } = JSON.parse(localStorage.getItem('retrocast.auth'));
    const headers = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
    const g = await (await fetch('/api/v10/guilds', { method: 'POST', headers, body: JSON.stringify({ name: 'LAN party' }) })).json();
    const text = g.channels.find((c) => c.type === 0).id;
    const voice = g.channels.find((c) => c.type === 2).id;
    const inv = await (
      await fetch(`/api/v10/channels/${text}/invites`, { method: 'POST', headers, body: JSON.stringify({ max_age: 0 }) })
    ).json();
    return { id: g.id, text, voice, invite: inv.code };
  });
  ids = guild;
  say({ step: 'registered', guild });
} catch (err) {
  await page.screenshot({ path: `${shotsDir}/lan-friend-fail.png` }).catch(() => {});
  say({ step: 'error', message: String(err) });
  await browser.close();
  process.exit(1);
}

async function joinVoice(label) {
  try {
    await page.goto(`${origin}/channels/${ids.id}/${ids.text}`);
    await page.locator(`[data-voice-channel="${ids.voice}"]`).click();
    await page.locator('[data-voice-status="connected"]').waitFor({ timeout: 90_000 });
    await page.screenshot({ path: `${shotsDir}/lan-friend-${label}.png` });
    say({ step: label, connected: true });
  } catch (err) {
    await page.screenshot({ path: `${shotsDir}/lan-friend-${label}-fail.png` }).catch(() => {});
    say({ step: label, connected: false, message: String(err) });
  }
}

await joinVoice('voice');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'rejoin') {
    // A fresh page: a new peer connection that must find a path with UDP to the media port blocked.
    await page.goto('about:blank');
    await joinVoice('voice-again');
  } else if (line === 'quit') break;
}
await browser.close();
process.exit(0);
