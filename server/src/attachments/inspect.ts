import { boundedSharp, checkPixels, ImageTooLargeError, imageWork, PIXEL_BUDGET } from '../images/work.js';
import { sniffType } from './sniff.js';

/** Types a browser may render inline from our origin: pictures and media, never HTML, SVG or scripts. */
export const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/x-wav',
  'audio/flac',
  'audio/x-flac',
  'audio/mp4',
  'audio/aac',
]);

/** Raster formats sharp re-encodes (metadata dropped); GIF is kept byte-for-byte to keep its animation. */
const REENCODE = new Set(['image/png', 'image/jpeg', 'image/webp']);

export interface Inspected {
  contentType: string;
  width: number | null;
  height: number | null;
  /** What to store: the upload itself, or its re-encoded form without EXIF/XMP (GPS!) metadata. */
  bytes: Buffer;
}

/** NUL-free valid UTF-8 is text; anything else without a known signature is opaque bytes. */
function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.length < bytes.length ? head.subarray(0, head.length - 4) : head);
    return true;
  } catch {
    return false;
  }
}

/**
 * The stored type comes from the bytes, never from the client's name or header. Images get their
 * dimensions, and JPEG/PNG/WebP are re-encoded upright (`rotate()` applies the EXIF orientation) with
 * sharp's default of dropping all metadata. Throws `ImageTooLargeError` past the pixel budget.
 */
export async function inspectFile(bytes: Buffer): Promise<Inspected> {
  const sniffed = await sniffType(bytes).catch(() => undefined);
  const contentType = sniffed?.mime ?? (looksLikeText(bytes) ? 'text/plain; charset=utf-8' : 'application/octet-stream');
  if (!contentType.startsWith('image/') || !['image/png', 'image/jpeg', 'image/webp', 'image/gif'].includes(contentType)) {
    return { contentType, width: null, height: null, bytes };
  }
  try {
    return await imageWork(async () => {
      // Header first: a pixel bomb is refused before a single pixel is decoded.
      const meta = await checkPixels(bytes, PIXEL_BUDGET.attachment);
      const animated = (meta.pages ?? 1) > 1;
      if (REENCODE.has(contentType) && !animated) {
        const { data, info } = await boundedSharp(bytes, PIXEL_BUDGET.attachment).rotate().toBuffer({ resolveWithObject: true });
        return { contentType, width: info.width, height: info.height, bytes: data };
      }
      return { contentType, width: meta.width ?? null, height: meta.pageHeight ?? meta.height ?? null, bytes };
    });
  } catch (err) {
    if (err instanceof ImageTooLargeError) throw err;
    // A broken image is still a file; it just isn't shown as one.
    return { contentType: 'application/octet-stream', width: null, height: null, bytes };
  }
}

/**
 * A resized copy for previews, never enlarged: fits inside width×height, or with `cover` fills it
 * (the shorter side matches; the client crops). WebP at quality 90 with sharp chroma subsampling
 * (small previews at 85 looked blocky), or GIF kept as such.
 */
export async function resizeImage(bytes: Buffer, contentType: string, width?: number, height?: number, fit: 'inside' | 'cover' = 'inside'): Promise<{ data: Buffer; type: string }> {
  const animated = contentType === 'image/gif' || contentType === 'image/webp';
  return imageWork(async () => {
    await checkPixels(bytes, PIXEL_BUDGET.attachment);
    const img = boundedSharp(bytes, PIXEL_BUDGET.attachment, { animated }).rotate().resize({ width, height, fit: fit === 'cover' ? 'outside' : 'inside', withoutEnlargement: true });
    if (contentType === 'image/gif') return { data: await img.gif().toBuffer(), type: 'image/gif' };
    return { data: await img.webp({ quality: 90, smartSubsample: true }).toBuffer(), type: 'image/webp' };
  });
}

/**
 * Discord-like file names: the last path segment only (no traversal), no control or shell-special
 * characters, nothing invisible, spaces → `_`, no leading dots, at most 100 characters keeping
 * the extension.
 */
export function sanitizeFilename(raw: string | undefined): string {
  let name = (raw ?? '').split(/[\\/]/).pop() ?? '';
  name = name
    .normalize('NFKC')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    // Invisible "letters" (Hangul fillers), zero-width and bidi controls: a name must show itself.
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .replace(/\s+/g, '_')
    .replace(/[^\p{L}\p{N}._-]/gu, '');
  // Only an extension left (`ﾠ‮.txt`): keep it after a visible stem.
  if (/^\.[^.]+$/.test(name)) name = `unknown${name}`;
  name = name.replace(/^[.]+/, '');
  if (name.length > 100) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, 100 - ext.length) + ext;
  }
  return name || 'unknown';
}
