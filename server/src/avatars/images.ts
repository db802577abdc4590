import { createHash } from 'node:crypto';
import { boundedSharp, checkPixels, ImageTooLargeError, imageTooLarge, imageWork, PIXEL_BUDGET } from '../images/work.js';
import { invalidField } from '../http/errors.js';
import { sniffType } from '../attachments/sniff.js';

/** Decoded images above this are refused (Discord: 10 MB; the JSON body limit usually bites first). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Stored masters are at most this wide/high; every served size is derived from them. */
const MASTER_SIZE = 1024;
const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface StoredImage {
  /** Discord-style hash: 32 hex, `a_` prefix when animated. */
  hash: string;
  animated: boolean;
  /** PNG master, or the GIF itself for animations. */
  bytes: Buffer;
}

const invalid = (field: string) => invalidField(field, 'IMAGE_INVALID', 'Invalid image data');

/** `data:image/png;base64,…` → bytes. The declared type is ignored; the bytes decide. */
export function decodeDataUri(uri: string, field: string, maxBytes = MAX_IMAGE_BYTES): Buffer {
  const m = /^data:[\w.+/-]*;base64,([A-Za-z0-9+/=\s]+)$/.exec(uri);
  if (!m) throw invalid(field);
  const bytes = Buffer.from(m[1], 'base64');
  if (!bytes.length) throw invalid(field);
  if (bytes.length > maxBytes) throw invalidField(field, 'BINARY_TYPE_MAX_SIZE', `File cannot be larger than ${Math.floor(maxBytes / 1024)} kb.`);
  return bytes;
}

/**
 * A user-supplied picture → what we store: PNG/JPEG/WebP are re-encoded as PNG (metadata gone,
 * upright, at most 1024 px); animated GIFs are kept as GIF so they stay animated.
 */
export async function prepareImage(bytes: Buffer, field: string, maxSide = MASTER_SIZE): Promise<StoredImage> {
  const type = (await sniffType(bytes).catch(() => undefined))?.mime;
  if (!type || !ACCEPTED.has(type)) throw invalid(field);
  try {
    return await imageWork(async () => {
      // Header first: a pixel bomb is refused before a single pixel is decoded.
      const meta = await checkPixels(bytes, PIXEL_BUDGET.picture);
      const animated = type === 'image/gif' && (meta.pages ?? 1) > 1;
      const fit = { width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true } as const;
      const out = animated
        ? await boundedSharp(bytes, PIXEL_BUDGET.picture, { animated: true }).resize(fit).gif().toBuffer()
        : await boundedSharp(bytes, PIXEL_BUDGET.picture).rotate().resize(fit).png().toBuffer();
      const digest = createHash('sha256').update(out).digest('hex').slice(0, 32);
      return { hash: animated ? `a_${digest}` : digest, animated, bytes: out };
    });
  } catch (err) {
    if (err instanceof ImageTooLargeError) throw imageTooLarge(field, err);
    throw invalid(field);
  }
}

export type ImageFormat = 'png' | 'webp' | 'gif' | 'jpg' | 'jpeg';

/** The master rendered at `size` px (longest side) in `format`; GIF keeps animation. */
export async function renderImage(master: Buffer, animated: boolean, format: ImageFormat, size?: number): Promise<{ data: Buffer; type: string }> {
  const keepAnimation = animated && (format === 'gif' || format === 'webp');
  // Masters are ours and at most 1024 px, but still share the image queue and its limits.
  return imageWork(() => renderMaster(master, keepAnimation, format, size));
}

async function renderMaster(master: Buffer, keepAnimation: boolean, format: ImageFormat, size?: number) {
  let img = boundedSharp(master, PIXEL_BUDGET.picture, { animated: keepAnimation });
  if (size) img = img.resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true });
  if (format === 'gif') return { data: await img.gif().toBuffer(), type: 'image/gif' };
  if (format === 'webp') return { data: await img.webp({ quality: 90 }).toBuffer(), type: 'image/webp' };
  if (format === 'jpg' || format === 'jpeg') return { data: await img.flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer(), type: 'image/jpeg' };
  return { data: await img.png().toBuffer(), type: 'image/png' };
}
