import hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Microsecond latencies from 1 µs to 10 min, 3 significant digits. */
export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/** Histograms cross process boundaries as HdrHistogram's compressed base64 encoding. */
export const encode = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);

export function mergeEncoded(parts: string[]): Histogram {
  const total = newHistogram();
  for (const p of parts) if (p) total.add(hdr.decodeFromCompressedBase64(p));
  return total;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Percentiles in milliseconds (recorded in µs). */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}
