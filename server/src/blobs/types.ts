import type { Readable } from 'node:stream';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a stored blob is, as far as the store knows. */
export interface BlobInfo {
  size: number;
}

export interface PresignPutOptions {
  /** Exact size the client declared; the upload must match it. */
  size: number;
  expiresInSec: number;
  /** This server's base URL as the client sees it (disk URLs point back here). */
  baseUrl: string;
}

/**
 * File storage: local disk (default) or S3. Keys are `/`-separated paths of `[A-Za-z0-9._-]`
 * segments, chosen by the server (never by clients). Callers buffer and check sizes before `put`,
 * so a blob is only ever written whole and within limits.
 */
export interface BlobStore {
  readonly kind: 'disk' | 's3';
  put(key: string, body: Buffer, contentType?: string): Promise<void>;
  /** Writes only if no blob has this key yet (atomically); false when one exists. For immutable objects. */
  create(key: string, body: Buffer, contentType?: string): Promise<boolean>;
  /** A stream of the blob (or of bytes `start..end`, inclusive), or undefined if there is none. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Deletes these keys; missing keys are fine. */
  delete(keys: string[]): Promise<void>;
  /** Every key starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** A URL a client can PUT exactly `size` bytes to within the expiry (S3 presign or HMAC-signed URL to this server). */
  presignPut(key: string, opts: PresignPutOptions): Promise<string>;
  close(): Promise<void>;
}

/**
 * Direct uploads land under this prefix, never served: their owner reads, checks and copies the
 * bytes to the real key (`uploadKeyOf(key)` → `key`), after which the upload URL is dead.
 */
export const UPLOAD_PREFIX = 'uploads/';
export const uploadKeyOf = (key: string) => `${UPLOAD_PREFIX}${key}`;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** Keys come from the server, but a bad one must never escape the store's root. */
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (!parts.length || parts.some((p) => !SEGMENT.test(p) || p === '..' || p === '.')) throw new Error(`invalid blob key: ${key}`);
  return key;
}

/** Reads a blob fully, refusing more than `maxBytes`. */
export async function readBlob(store: BlobStore, key: string, maxBytes: number): Promise<Buffer | undefined> {
  const stream = await store.get(key);
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      stream.destroy();
      throw new BlobTooLargeError();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class BlobTooLargeError extends Error {
  constructor() {
    super('blob exceeds the size limit');
  }
}
