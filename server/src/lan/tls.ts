import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { lanAddresses, machineLocalName } from './addresses.js';
import {
  type CertificateAuthority,
  createCa,
  fingerprint,
  type IssuedCert,
  issueServerCert,
  loadCa,
  SERVER_CERT_DAYS,
  type SubjectNames,
  spkiHash,
  subjectNames,
} from './certs.js';
import type { LanConfig } from './config.js';
import * as x509 from './x509.js';

/** Re-issue this long before the server certificate expires. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** What the HTTPS server serves: key, and the chain (leaf, then our CA when it is ours). */
export interface TlsMaterial {
  key: string;
  cert: string;
}

/**
 * The server's TLS state: our CA (DATA_DIR/tls/ca.key never leaves this process except into that
 * 0600 file) and a server certificate for every name and address we answer on, re-issued when
 * they change or expiry nears; or the operator's TLS_CERT/TLS_KEY, re-read when they change.
 */
export class TlsManager {
  ca: CertificateAuthority | null = null;
  caFingerprint = '';
  caSpki = '';
  server!: IssuedCert | { cert: x509.X509Certificate; certPem: string; keyPem: string };
  private extraNames = new Set<string>();
  private listeners = new Set<(m: TlsMaterial) => void>();
  private timer: NodeJS.Timeout | null = null;
  private filesStamp = '';

  private constructor(
    private readonly cfg: LanConfig,
    private readonly addresses: () => string[],
    readonly dir: string,
  ) {}

  /** `addresses`: this machine's current network addresses (a parameter so tests can move it). */
  static async open(
    cfg: LanConfig,
    host: string,
    dataDir: string,
    addresses: () => string[] = () => lanAddresses(host).map((a) => a.address),
  ): Promise<TlsManager> {
    const m = new TlsManager(cfg, addresses, join(dataDir, 'tls'));
    if (cfg.tls === 'files') m.readFiles();
    else {
      await m.loadOrCreateCa();
      await m.check();
    }
    return m;
  }

  /** Names the certificate must cover now. */
  wantedNames(): SubjectNames {
    const dns = new Set([`${this.cfg.mdnsName}.local`, ...this.extraNames]);
    const own = machineLocalName();
    if (own) dns.add(own);
    dns.add('localhost');
    const ips = new Set(['127.0.0.1', '::1', ...this.addresses()]);
    return { dns: [...dns], ips: [...ips] };
  }

  /** Files holding the current certificate and key (for LiveKit's TURN/TLS). */
  files(): { cert: string; key: string } {
    if (this.cfg.tls === 'files') return { cert: this.cfg.certFile as string, key: this.cfg.keyFile as string };
    return { cert: join(this.dir, 'server.crt'), key: join(this.dir, 'server.key') };
  }

  material(): TlsMaterial {
    const pems = [this.server.certPem, ...(this.ca ? [this.ca.certPem] : [])];
    return { key: this.server.keyPem, cert: pems.map((p) => `${p.trim()}\n`).join('') };
  }

  /** Called with new material after every re-issue (the HTTPS server swaps its context). */
  onChange(fn: (m: TlsMaterial) => void): void {
    this.listeners.add(fn);
  }

  /** A name to cover from now on (mDNS renamed us to retrocast-2.local); re-issues if needed. */
  async addName(dns: string): Promise<void> {
    this.extraNames.add(dns.toLowerCase());
    await this.check();
  }

  /** Re-issues the certificate when a wanted name is missing or expiry is near. True if it did. */
  async check(now = new Date()): Promise<boolean> {
    if (this.cfg.tls === 'files') {
      const before = this.filesStamp;
      this.readFiles();
      if (before === this.filesStamp) return false;
      for (const fn of this.listeners) fn(this.material());
      return true;
    }
    if (!this.server) this.readIssued();
    const want = this.wantedNames();
    if (this.server && this.ca && this.covers(want) && this.server.cert.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS) {
      return false;
    }
    if (!this.ca) throw new Error('no CA');
    this.server = await issueServerCert(this.ca, want, now);
    this.write('server.key', this.server.keyPem, 0o600);
    this.write('server.crt', this.server.certPem, 0o644);
    for (const fn of this.listeners) fn(this.material());
    return true;
  }

  /** Starts the periodic check (addresses change when a laptop moves between networks). */
  startWatching(log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void }): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.check().then(
        (changed) => changed && log.info({ names: subjectNames(this.server.cert) }, 'tls: certificate re-issued'),
        (err) => log.warn({ err }, 'tls: certificate check failed'),
      );
    }, this.cfg.certCheckMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private covers(want: SubjectNames): boolean {
    const have = subjectNames(this.server.cert);
    // One spelling per address (::1 and 0:0:0:0:0:0:0:1 are the same).
    const norm = (ip: string) => (ipaddr.isValid(ip) ? ipaddr.parse(ip).toNormalizedString() : ip.toLowerCase());
    return want.dns.every((d) => have.dns.includes(d)) && want.ips.every((ip) => have.ips.map(norm).includes(norm(ip)));
  }

  private async loadOrCreateCa(): Promise<void> {
    const certFile = join(this.dir, 'ca.crt');
    const keyFile = join(this.dir, 'ca.key');
    if (existsSync(certFile) && existsSync(keyFile)) {
      this.ca = await loadCa(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
    } else {
      this.ca = await createCa(`Retrocast local CA (${hostname().split('.')[0]})`);
      this.write('ca.key', this.ca.keyPem, 0o600);
      this.write('ca.crt', this.ca.certPem, 0o644);
    }
    this.caFingerprint = await fingerprint(this.ca.cert);
    this.caSpki = await spkiHash(this.ca.cert);
  }

  private readIssued(): void {
    try {
      const certPem = readFileSync(join(this.dir, 'server.crt'), 'utf8');
      const keyPem = readFileSync(join(this.dir, 'server.key'), 'utf8');
      const cert = new x509.X509Certificate(certPem);
      // A certificate from another CA (the CA files were replaced) is not ours any more.
      if (this.ca && cert.issuer === this.ca.cert.subject) this.server = { cert, certPem, keyPem };
    } catch {}
  }

  private readFiles(): void {
    const certPem = readFileSync(this.cfg.certFile as string, 'utf8');
    const keyPem = readFileSync(this.cfg.keyFile as string, 'utf8');
    const stamp = certPem + keyPem;
    if (stamp === this.filesStamp) return;
    // A chain file: the first certificate is the server's own.
    this.server = { cert: new x509.X509Certificate(x509.PemConverter.decode(certPem)[0]), certPem, keyPem };
    this.filesStamp = stamp;
  }

  private write(name: string, data: string, mode: number): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, name);
    writeFileSync(`${file}.tmp`, data, { mode });
    chmodSync(`${file}.tmp`, mode);
    renameSync(`${file}.tmp`, file);
  }
}

export { SERVER_CERT_DAYS };
