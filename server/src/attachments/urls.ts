import { signPath, toQuery, verifyPath } from '../blobs/signing.js';

/**
 * Signing keys of the servers in this process (one in production; tests start several). Message wire
 * shapes are built without a context, so the key is registered once at startup (attachments/files.ts).
 */
const keys: Uint8Array[] = [];

export function registerAttachmentUrlKey(key: Uint8Array) {
  if (!keys.some((k) => Buffer.compare(k, key) === 0)) keys.unshift(key);
}

/** URLs stay the same for an hour (cacheable) and are valid for a day after that, like Discord's CDN links. */
const BUCKET_SEC = 3600;
const TTL_SEC = 25 * 3600;

export function attachmentPath(a: { channelId: string; id: string; filename: string }): string {
  return `/attachments/${a.channelId}/${a.id}/${encodeURIComponent(a.filename)}`;
}

/** `/attachments/{channel}/{id}/{name}?ex=…&is=…&hm=…` (relative: the client knows the server it talks to). */
export function signedAttachmentUrl(a: { channelId: string; id: string; filename: string }, now = Date.now()): string {
  const path = attachmentPath(a);
  if (!keys.length) return path;
  return `${path}?${toQuery(signPath(keys[0], path, TTL_SEC, Math.floor(now / 1000 / BUCKET_SEC) * BUCKET_SEC * 1000))}`;
}

export function verifyAttachmentUrl(path: string, query: Record<string, unknown>): boolean {
  return keys.some((k) => verifyPath(k, path, query));
}
