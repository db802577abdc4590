import type { AppContext } from '../context.js';
import { decodeDataUri, prepareImage } from './images.js';

export type ImageKind = 'avatars' | 'icons' | 'channel-icons';

/** Blob key of a user avatar or guild icon master. */
export function imageKey(kind: ImageKind, ownerId: string, hash: string): string {
  return `${kind}/${ownerId}/${hash}.${hash.startsWith('a_') ? 'gif' : 'png'}`;
}

/**
 * `PATCH … {avatar|icon: data URI | null}` → the hash to keep on the row (null clears it). The
 * master is stored under a content hash, so old URLs keep working until the owner changes it again.
 */
export async function doStoreImage(ctx: AppContext, kind: ImageKind, ownerId: string, value: string | null, field: string): Promise<string | null> {
  if (value === null) return null;
  const img = await prepareImage(decodeDataUri(value, field), field);
  await ctx.blobs.put(imageKey(kind, ownerId, img.hash), img.bytes, img.animated ? 'image/gif' : 'image/png');
  return img.hash;
}
