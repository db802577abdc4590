/** The /setup page: plain HTML and one stylesheet, no script, so it works on any phone before the SPA. */

export interface SetupView {
  serverName: string;
  /** The URL to open (and the QR code's). */
  primaryUrl: string;
  /** Every other URL that reaches us (retrocast.local, <hostname>.local, each address). */
  urls: string[];
  qrSvg: string;
  /** Our local CA, when we made the certificate; null with TLS_CERT or TLS=off. */
  ca: { fingerprint: string; name: string } | null;
  tlsOff: boolean;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderSetupPage(v: SetupView): string {
  const others = v.urls.filter((u) => u !== v.primaryUrl);
  const caSection = v.ca
    ? `<section>
  <h2><span class="n">1</span> Trust this server's certificate</h2>
  <p>Retrocast made its own small certificate authority, <b>${esc(v.ca.name)}</b>, so that voice works over HTTPS. Each device trusts it once.</p>
  <p class="buttons"><a class="button" href="/ca.crt" download="retrocast-ca.crt">Download certificate (ca.crt)</a>
  <a class="button secondary" href="/ca.mobileconfig">iPhone / iPad / Mac profile</a></p>
  <p class="fp">SHA-256 fingerprint — check it matches what your device shows:<br><code>${esc(v.ca.fingerprint)}</code></p>
  <details open><summary>iPhone and iPad</summary><ol>
    <li>Open this page in <b>Safari</b> and tap <b>iPhone / iPad / Mac profile</b>, then <b>Allow</b>.</li>
    <li>Settings › General › <b>VPN &amp; Device Management</b> › Retrocast › <b>Install</b>.</li>
    <li>Settings › General › About › <b>Certificate Trust Settings</b>: turn on full trust for “${esc(v.ca.name)}”.</li></ol></details>
  <details><summary>Mac</summary><ol>
    <li>Download <b>ca.crt</b> and open it: Keychain Access adds it to the login keychain.</li>
    <li>Double-click “${esc(v.ca.name)}”, open <b>Trust</b>, set <b>When using this certificate</b> to <b>Always Trust</b>, close and confirm with your password.</li>
    <li>Firefox on a Mac: see Firefox below.</li></ol></details>
  <details><summary>Windows</summary><ol>
    <li>Download <b>ca.crt</b>, open it, choose <b>Install Certificate…</b> › Current User.</li>
    <li>Pick <b>Place all certificates in the following store</b> › Browse › <b>Trusted Root Certification Authorities</b> › Finish, then <b>Yes</b>.</li>
    <li>Restart the browser (Chrome and Edge use this store; Firefox does too by default).</li></ol></details>
  <details><summary>Android</summary><ol>
    <li>Download <b>ca.crt</b>.</li>
    <li>Settings › Security &amp; privacy › More security settings › Encryption &amp; credentials › <b>Install a certificate</b> › <b>CA certificate</b> › Install anyway, and pick the file. (Names vary by maker: search Settings for “CA certificate”.)</li>
    <li>Chrome then trusts it. Firefox for Android: Settings › About Firefox, tap the logo five times, then Settings › Secret settings › <b>Use third party CA certificates</b>.</li></ol></details>
  <details><summary>Linux and Firefox</summary><ol>
    <li>Firefox (any system): Settings › Privacy &amp; Security › Certificates › <b>View Certificates</b> › Authorities › <b>Import</b> › ca.crt, tick <b>Trust this CA to identify websites</b>.</li>
    <li>Chrome / Chromium on Linux: Settings › Privacy and security › Security › <b>Manage certificates</b> › Authorities (or Custom › Installed by you) › <b>Import</b>, tick trust for websites.</li>
    <li>Whole system (Debian, Ubuntu): <code>sudo cp retrocast-ca.crt /usr/local/share/ca-certificates/ &amp;&amp; sudo update-ca-certificates</code>.</li></ol></details>
</section>`
    : v.tlsOff
      ? '<section><h2>HTTPS</h2><p>This server runs without its own HTTPS (TLS=off): use the address your HTTPS proxy serves.</p></section>'
      : '<section><h2>HTTPS</h2><p>This server uses its operator’s own certificate: nothing to install.</p></section>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Join ${esc(v.serverName)} from another device</title>
<link rel="stylesheet" href="/setup.css">
</head><body><main>
<h1>Join <span>${esc(v.serverName)}</span> from another device</h1>
<p class="lead">Friends on the same Wi-Fi or network can use Retrocast with voice from their phone or computer.</p>
<div class="layout">
<div class="trust">${caSection}</div>
<section class="open">
  <h2>${v.ca ? '<span class="n">2</span> ' : ''}Open Retrocast</h2>
  <div class="qr" role="img" aria-label="QR code of ${esc(v.primaryUrl)}">${v.qrSvg}</div>
  <p>Scan the code with the phone's camera, or type:</p>
  <p class="url"><a href="${esc(v.primaryUrl)}">${esc(v.primaryUrl)}</a></p>
  ${others.length ? `<p>Also reachable at:</p><ul class="urls">${others.map((u) => `<li><a href="${esc(u)}">${esc(u)}</a></li>`).join('')}</ul>` : ''}
</section>
<section class="trouble">
  <h2>It doesn't connect?</h2>
  <ul>
    <li>Both devices must be on the same network; guest Wi-Fi often keeps devices apart (“client isolation”).</li>
    <li>Turn off any VPN on the friend's device.</li>
    <li>The server's firewall must allow its ports (HTTPS, voice media, TURN): see the README.</li>
  </ul>
</section>
</div>
</main></body></html>
`;
}

export const SETUP_CSS = `:root{--bg:#f2f3f5;--card:#fff;--text:#1e1f22;--muted:#5c5e66;--accent:#5865f2;--line:#dcdde1}
@media (prefers-color-scheme:dark){:root{--bg:#1e1f22;--card:#2b2d31;--text:#f2f3f5;--muted:#b5bac1;--line:#3f4147;--link:#949cf7}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px 16px 48px}
.layout{display:grid;grid-template-columns:minmax(0,1fr);grid-template-areas:"trust" "open" "trouble";column-gap:20px}
.trust{grid-area:trust}.open{grid-area:open}.trouble{grid-area:trouble}
@media (min-width:900px){.layout{grid-template-columns:minmax(0,1fr) 340px;grid-template-areas:"trust open" "trouble open";align-items:start}.open{position:sticky;top:16px}}h1{font-size:1.6rem;line-height:1.25;margin:8px 0}h1 span{color:var(--accent)}
.lead{color:var(--muted);margin-top:0}section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 20px;margin:16px 0}
h2{font-size:1.15rem;margin:0 0 8px}.n{display:inline-grid;place-items:center;width:1.6em;height:1.6em;border-radius:50%;background:var(--accent);color:#fff;font-size:.85em;margin-right:6px}
.buttons{display:flex;flex-wrap:wrap;gap:8px}.button{display:inline-block;background:var(--accent);color:#fff;text-decoration:none;padding:10px 14px;border-radius:8px;font-weight:600}
.button.secondary{background:transparent;color:var(--accent);border:1px solid var(--accent)}.fp{color:var(--muted);font-size:.85rem}.fp code{word-break:break-all}
details{border-top:1px solid var(--line);padding:8px 0}summary{cursor:pointer;font-weight:600}ol{margin:8px 0;padding-left:1.3em}li{margin:4px 0}
code{font-size:.85em;background:var(--bg);padding:1px 4px;border-radius:4px}
.qr{background:#fff;padding:8px;border-radius:8px;width:216px;line-height:0}.qr svg{display:block;width:200px;height:200px}
.url{font-size:1.2rem;font-weight:600;word-break:break-all}.urls{padding-left:1.2em;word-break:break-all}a{color:var(--link,var(--accent))}.trouble ul{padding-left:1.2em}
`;
