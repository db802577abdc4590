import type { SharpOptions } from 'sharp';
import { invalidField } from '../http/errors.js';

type Sharp = typeof import('sharp');
let sharpLib: Sharp | undefined;

/** sharp (libvips, ~20 MiB resident) loads at the first image, not at start. */
export async function loadSharp(): Promise<Sharp> {
  sharpLib ??= (await import('sharp')).default;
  return sharpLib;
}

/**
 * Pixel budgets, read from the image header before anything is decoded (a 31 KB PNG can declare
 * 16000×16000 = 256 megapixels). Discord refuses uploads past a similar area for previews, and its
 * avatars, icons and emoji are far smaller.
 */
export const PIXEL_BUDGET = {
  /** Attachments that get re-encoded and previewed: 50 MP per frame (8660×5773, a large camera photo). */
  attachment: 50_000_000,
  /** Avatars, guild icons, custom emoji (stored at ≤ 1024 px): 4096×4096 per frame. */
  picture: 4096 * 4096,
  /** Every frame of an animation together (a 10 MB GIF of 500×500 × 400 frames). */
  animation: 100_000_000,
};

/** Image work that runs longer than this is abandoned (sharp's own timeout, per pipeline). */
export const IMAGE_TIMEOUT_SECONDS = 10;
/** Images processed at once; the rest wait in line, so a burst of uploads cannot take every thread. */
export const IMAGE_CONCURRENCY = 2;

/** The image declares (or decodes to) more pixels than its budget allows. */
export class ImageTooLargeError extends Error {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly budget: number,
  ) {
    super(`image of ${width}×${height} exceeds ${budget} pixels`);
  }
}

/** Discord-style 400 naming the field and the dimensions. */
export function imageTooLarge(field: string, err: ImageTooLargeError) {
  const mp = Math.floor(err.budget / 1_000_000);
  return invalidField(field, 'IMAGE_TOO_LARGE', `Image dimensions ${err.width}×${err.height} exceed the limit of ${mp} megapixels.`);
}

/**
 * Header-only look at an image (no pixel is decoded): throws `ImageTooLargeError` when a frame is
 * past `budget`, or all frames together past the animation budget. Returns sharp's metadata.
 */
export async function checkPixels(bytes: Buffer, budget: number) {
  const sharp = await loadSharp();
  const meta = await sharp(bytes, { animated: true, limitInputPixels: false }).metadata();
  const width = meta.width ?? 0;
  const frame = meta.pageHeight ?? meta.height ?? 0;
  if (width * frame > budget) throw new ImageTooLargeError(width, frame, budget);
  if (width * frame * (meta.pages ?? 1) > PIXEL_BUDGET.animation) throw new ImageTooLargeError(width, frame, PIXEL_BUDGET.animation);
  return meta;
}

/**
 * A sharp pipeline that will not decode past `budget` pixels, nor run past the time limit.
 * libvips does the pixel work on its own threads (off the event loop); `imageWork` bounds how many
 * (and has loaded sharp: call this inside an `imageWork` job).
 */
export function boundedSharp(bytes: Buffer, budget: number, options: SharpOptions = {}) {
  if (!sharpLib) throw new Error('boundedSharp: sharp is not loaded yet (call it inside imageWork)');
  const sharp = sharpLib;
  // An animation loads as one tall image of all its frames: its limit is the animation budget.
  const limitInputPixels = options.animated ? Math.max(budget, PIXEL_BUDGET.animation) : budget;
  return sharp(bytes, { limitInputPixels, sequentialRead: true, ...options }).timeout({ seconds: IMAGE_TIMEOUT_SECONDS });
}

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `job` when one of the `IMAGE_CONCURRENCY` slots is free (FIFO). */
export async function imageWork<T>(job: () => Promise<T>): Promise<T> {
  if (running >= IMAGE_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    await loadSharp();
    return await job();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** How many image jobs run and wait right now (tests, metrics). */
export function imageWorkLoad() {
  return { running, waiting: waiting.length };
}
