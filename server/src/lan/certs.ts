import { webcrypto } from 'node:crypto';
import * as x509 from './x509.js';

/**
 * Our local certificate authority and the server certificates it signs (the mkcert idea), with
 * @peculiar/x509 over Node's WebCrypto. ECDSA P-256 everywhere: every current browser and OS
 * accepts it, and keys are cheap to make.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;
/** Apple refuses server certificates valid for more than 398 days; stay under. */
export const SERVER_CERT_DAYS = 397;
const CA_YEARS = 10;

export interface CertificateAuthority {
  cert: x509.X509Certificate;
  key: CryptoKey;
  certPem: string;
  keyPem: string;
}

export interface IssuedCert {
  cert: x509.X509Certificate;
  certPem: string;
  keyPem: string;
}

export interface SubjectNames {
  dns: string[];
  ips: string[];
}

const toPem = (der: ArrayBuffer, label: string) => x509.PemConverter.encode(der, label);

async function exportKey(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey), 'PRIVATE KEY');
}

export async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  return (await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign'])) as unknown as CryptoKey;
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[089a-f]/, '1');

export async function createCa(commonName: string, now = new Date()): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [commonName] }, { O: ['Retrocast'] }],
    notBefore: new Date(now.getTime() - DAY),
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey, certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

export async function loadCa(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  return { cert: new x509.X509Certificate(certPem), key: await importKey(keyPem), certPem, keyPem };
}

/** A server certificate for `names`, signed by `ca`, with a fresh key. */
export async function issueServerCert(ca: CertificateAuthority, names: SubjectNames, now = new Date()): Promise<IssuedCert> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [names.dns[0] ?? 'retrocast.local'] }, { O: ['Retrocast'] }],
    issuer: ca.cert.subjectName,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + SERVER_CERT_DAYS * DAY),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

/** The DNS names and IP addresses a certificate covers (its SAN extension). */
export function subjectNames(cert: x509.X509Certificate): SubjectNames {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const json = san?.names.toJSON() ?? [];
  return { dns: json.filter((n) => n.type === 'dns').map((n) => n.value), ips: json.filter((n) => n.type === 'ip').map((n) => n.value) };
}

/** SHA-256 of the DER, as `AB:CD:…` (what trust dialogs show) . */
export async function fingerprint(cert: x509.X509Certificate): Promise<string> {
  const hash = Buffer.from(await cert.getThumbprint('SHA-256'));
  return [...hash].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** base64 SHA-256 of the SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
export async function spkiHash(cert: x509.X509Certificate): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', cert.publicKey.rawData)).toString('base64');
}
