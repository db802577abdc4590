/** Discord's mute durations (seconds; null: until turned back on) and the PATCH bodies for them. */
export const MUTE_CHOICES: Array<{ label: string; seconds: number | null }> = [
  { label: 'For 15 Minutes', seconds: 15 * 60 },
  { label: 'For 1 Hour', seconds: 3600 },
  { label: 'For 8 Hours', seconds: 8 * 3600 },
  { label: 'For 24 Hours', seconds: 24 * 3600 },
  { label: 'Until I turn it back on', seconds: null },
];

function muteConfig(seconds: number | null, now = Date.now()) {
  return { end_time: seconds === null ? null : new Date(now + seconds * 1000).toISOString(), selected_time_window: seconds ?? -1 };
}

/** Body muting (or with `seconds` undefined, unmuting) a guild or, with `channelId`, one channel. */
export function muteBody(channelId: string | null, seconds: number | null | undefined): Record<string, unknown> {
  const change = seconds === undefined ? { muted: false } : { muted: true, mute_config: muteConfig(seconds) };
  return channelId ? { channel_overrides: { [channelId]: change } } : change;
}
