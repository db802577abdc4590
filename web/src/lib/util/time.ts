import { prefs } from '$lib/state/prefs.svelte';

const date = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const longDate = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
/** Formatters per clock setting (Appearance → 12/24-hour), built once. */
const times = new Map<boolean | undefined, Intl.DateTimeFormat>();
function time(): Intl.DateTimeFormat {
  const h12 = prefs.hour12;
  let f = times.get(h12);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', hour12: h12 });
    times.set(h12, f);
  }
  return f;
}

/** "Today at 14:02", "Yesterday at 09:10", or a date. */
export function formatStamp(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = (day(now) - day(d)) / 86_400_000;
  if (diff === 0) return `Today at ${time().format(d)}`;
  if (diff === 1) return `Yesterday at ${time().format(d)}`;
  return `${date.format(d)} ${time().format(d)}`;
}

export function formatTime(iso: string): string {
  return time().format(new Date(iso));
}

export function formatFull(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { hour12: prefs.hour12 });
}

/** "December 2, 2026": the date separator between days. */
export function formatDay(iso: string): string {
  return longDate.format(new Date(iso));
}

/** True when two timestamps fall on different local days. */
export function otherDay(a: string, b: string): boolean {
  return new Date(a).toDateString() !== new Date(b).toDateString();
}
