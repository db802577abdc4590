/** LAN settings from the environment (README "On your network"). Read by config.ts into `config.lan`. */
export interface LanConfig {
  /** `auto`: our own local CA and certificate; `files`: TLS_CERT + TLS_KEY; `off`: plain HTTP only. */
  tls: 'auto' | 'files' | 'off';
  /** HTTPS port; PORT stays plain HTTP (localhost, /setup, /ca.crt; the rest redirects). */
  httpsPort: number;
  certFile?: string;
  keyFile?: string;
  /** Advertise on the LAN with mDNS (`<mdnsName>.local`, `_retrocast._tcp`, `_https._tcp`). */
  mdns: boolean;
  mdnsName: string;
  /** How often addresses and expiry are re-checked (certificate re-issue). */
  certCheckMs: number;
}

type Env = Record<string, string | undefined>;

const off = (v: string | undefined) => v !== undefined && ['off', '0', 'false', 'no'].includes(v.toLowerCase());

export function loadLanConfig(env: Env): LanConfig {
  // Test servers are plain HTTP on loopback unless a test asks (as voice does for LiveKit).
  const tlsDefault = process.env.VITEST ? 'off' : 'on';
  const certFile = env.TLS_CERT || undefined;
  const keyFile = env.TLS_KEY || undefined;
  if (!!certFile !== !!keyFile) throw new Error('TLS_CERT and TLS_KEY must be set together');
  const rawPort = env.HTTPS_PORT || '8443';
  const httpsPort = Number(rawPort);
  if (!Number.isInteger(httpsPort) || httpsPort < 0 || httpsPort > 65535)
    throw new Error(`HTTPS_PORT must be a port number, got "${rawPort}"`);
  const mdnsName = (env.MDNS_NAME || 'retrocast').toLowerCase().replace(/\.local\.?$/, '');
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(mdnsName))
    throw new Error(`MDNS_NAME must be a host label (letters, digits, -), got "${env.MDNS_NAME}"`);
  const checkS = Number(env.TLS_CHECK_INTERVAL_S || 60);
  return {
    // The operator's own certificate turns TLS on (tests included) unless TLS=off says otherwise.
    tls: off(env.TLS ?? (certFile ? 'on' : tlsDefault)) ? 'off' : certFile ? 'files' : 'auto',
    httpsPort,
    certFile,
    keyFile,
    mdns: !off(env.MDNS ?? (process.env.VITEST ? 'off' : 'on')),
    mdnsName,
    certCheckMs: Number.isFinite(checkS) && checkS > 0 ? checkS * 1000 : 60_000,
  };
}
