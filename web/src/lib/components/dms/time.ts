import { RETROCAST_EPOCH } from '$protocol/snowflake';

/** "now", "5m", "3h", "2d" since a snowflake's time (the DM list's last activity). */
export function relativeTime(id: string, now: number): string {
  const ms = Number((BigInt(id) >> 22n) + RETROCAST_EPOCH);
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
