const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const date = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** "Today at 14:02", "Yesterday at 09:10", or a date. */
export function formatStamp(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = (day(now) - day(d)) / 86_400_000;
  if (diff === 0) return `Today at ${time.format(d)}`;
  if (diff === 1) return `Yesterday at ${time.format(d)}`;
  return `${date.format(d)} ${time.format(d)}`;
}

export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

export function formatFull(iso: string): string {
  return new Date(iso).toLocaleString();
}
