import {
  type ChannelOverride,
  INT64_PATTERN,
  type MuteConfig,
  type PatchUserGuildSettingsBody,
  type UserGuildSettings,
} from '@retrocast/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import { type ChannelOverrideRow, channelRecipients, channels } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { invalidField } from '../http/errors.js';
import { accessGuild } from '../permissions/access.js';
import { isMuteActive } from './decide.js';

const INT64_ID = new RegExp(INT64_PATTERN);

import {
  DM_SETTINGS_ID,
  loadAllSettings,
  loadGuildDefaults,
  lockSettings,
  type SettingsPatch,
  type SettingsRow,
  updateSettings,
} from './store.js';

const muteConfig = (muted: boolean, end: string | null | undefined, window: number | null | undefined): MuteConfig | null =>
  muted ? { end_time: end ?? null, selected_time_window: window ?? null } : null;

/** Discord's wire object; a mute whose end time passed reads as not muted. Defaults when no row exists. */
export function toWireSettings(
  row: SettingsRow | undefined,
  guildId: string | null,
  guildDefault: number,
  now = new Date(),
): UserGuildSettings {
  const overrides: ChannelOverride[] = Object.entries(row?.channelOverrides ?? {}).map(([channelId, o]) => {
    const muted = isMuteActive(o.muted, o.mute_end_time, now);
    return {
      channel_id: channelId,
      message_notifications: o.message_notifications,
      muted,
      mute_config: muteConfig(muted, o.mute_end_time, o.selected_time_window),
      collapsed: false,
    };
  });
  const muted = isMuteActive(row?.muted, row?.muteEndTime, now);
  return {
    guild_id: guildId,
    message_notifications: guildId === null ? 0 : (row?.messageNotifications ?? guildDefault),
    muted,
    mute_config: muteConfig(muted, row?.muteEndTime?.toISOString(), row?.muteWindow),
    suppress_everyone: row?.suppressEveryone ?? false,
    suppress_roles: row?.suppressRoles ?? false,
    mobile_push: true,
    hide_muted_channels: false,
    mute_scheduled_events: false,
    notify_highlights: 0,
    flags: 0,
    channel_overrides: overrides,
    version: row?.version ?? 0,
  };
}

/** READY's `user_guild_settings`: every stored row of the user (guilds they left are skipped). */
export async function loadReadySettings(ctx: AppContext, userId: string, guildIds: string[]) {
  const rows = await loadAllSettings(ctx.db, userId);
  const defaults = await loadGuildDefaults(ctx.db, guildIds);
  const entries = rows
    .filter((r) => r.guildId === DM_SETTINGS_ID || (guildIds.includes(r.guildId) && defaults.has(r.guildId)))
    .map((r) => (r.guildId === DM_SETTINGS_ID ? toWireSettings(r, null, 0) : toWireSettings(r, r.guildId, defaults.get(r.guildId) ?? 0)));
  return { entries, partial: false, version: entries.reduce((v, e) => Math.max(v, e.version), 0) };
}

type OverrideInput = NonNullable<PatchUserGuildSettingsBody['channel_overrides']>;
type OneOverride = {
  message_notifications?: number;
  muted?: boolean;
  mute_config?: { end_time?: string | null; selected_time_window?: number | null } | null;
};

/** Channel overrides as a map; Discord's client sends an object keyed by channel id, some libraries an array. */
function overridesById(input: OverrideInput): Map<string, OneOverride> {
  if (Array.isArray(input)) return new Map(input.map(({ channel_id, ...rest }) => [channel_id, rest]));
  return new Map(Object.entries(input));
}

/** The channels an override may name: the guild's channels, or for `@me` the caller's DMs. */
async function checkOverrideChannels(ctx: AppContext, userId: string, guildId: string | null, ids: string[]) {
  if (!ids.length) return;
  // Keys of the object form are not checked by the schema: a non-id must not reach the database.
  const notId = ids.find((id) => !INT64_ID.test(id));
  if (notId !== undefined) throw invalidField(`channel_overrides.${notId}`, 'CHANNEL_INVALID', 'Unknown channel.');
  const rows =
    guildId === null
      ? await ctx.db
          .select({ id: channelRecipients.channelId })
          .from(channelRecipients)
          .where(and(eq(channelRecipients.userId, userId), inArray(channelRecipients.channelId, ids)))
      : await ctx.db
          .select({ id: channels.id })
          .from(channels)
          .where(and(eq(channels.guildId, guildId), inArray(channels.id, ids)));
  const known = new Set(rows.map((r) => r.id));
  const bad = ids.find((id) => !known.has(id));
  if (bad) throw invalidField(`channel_overrides.${bad}`, 'CHANNEL_INVALID', 'Unknown channel.');
}

/** A mute's end time from mute_config; in the past is refused (it would mean "not muted"). */
function checkEndTime(path: string, cfg: { end_time?: string | null } | null | undefined, now: Date): Date | null {
  if (!cfg?.end_time) return null;
  const end = new Date(cfg.end_time);
  if (Number.isNaN(end.getTime())) throw invalidField(path, 'DATE_TIME_INVALID', 'Invalid end time.');
  if (end.getTime() <= now.getTime()) throw invalidField(path, 'DATE_TIME_IN_PAST', 'The end time must be in the future.');
  return end;
}

function mergeOverride(prev: ChannelOverrideRow | undefined, input: OneOverride, path: string, now: Date) {
  const next: ChannelOverrideRow = prev ? { ...prev } : { message_notifications: 3, muted: false, mute_end_time: null };
  if (input.message_notifications !== undefined) next.message_notifications = input.message_notifications;
  if (input.muted !== undefined) next.muted = input.muted;
  if (input.mute_config !== undefined || input.muted !== undefined) {
    next.mute_end_time = next.muted ? (checkEndTime(`${path}.mute_config.end_time`, input.mute_config, now)?.toISOString() ?? null) : null;
    next.selected_time_window = next.muted ? (input.mute_config?.selected_time_window ?? null) : null;
  }
  return next;
}

/** Validates a PATCH into column changes; throws 400 before anything is written. */
async function checkPatch(ctx: AppContext, who: Caller, guildId: string | null, body: PatchUserGuildSettingsBody, now: Date) {
  const patch: SettingsPatch = {};
  if (body.message_notifications !== undefined) patch.messageNotifications = body.message_notifications;
  if (body.suppress_everyone !== undefined) patch.suppressEveryone = body.suppress_everyone;
  if (body.suppress_roles !== undefined) patch.suppressRoles = body.suppress_roles;
  if (body.muted !== undefined) patch.muted = body.muted;
  if (body.mute_config !== undefined || body.muted !== undefined) {
    const muted = body.muted ?? true;
    patch.muteEndTime = muted ? checkEndTime('mute_config.end_time', body.mute_config, now) : null;
    patch.muteWindow = muted ? (body.mute_config?.selected_time_window ?? null) : null;
  }
  const overrides = body.channel_overrides ? overridesById(body.channel_overrides) : new Map<string, OneOverride>();
  await checkOverrideChannels(ctx, who.id, guildId, [...overrides.keys()]);
  return { patch, overrides };
}

/**
 * PATCH /users/@me/guilds/{guild|@me}/settings: merges the change (channel overrides per channel)
 * and sends USER_GUILD_SETTINGS_UPDATE to all of the caller's sessions. `guildId` null: DMs.
 */
export async function doPatchSettings(ctx: AppContext, who: Caller, guildId: string | null, body: PatchUserGuildSettingsBody) {
  const now = new Date();
  const guildDefault = guildId === null ? 0 : (await accessGuild(ctx.db, guildId, who.id)).guild.defaultMessageNotifications;
  const { patch, overrides } = await checkPatch(ctx, who, guildId, body, now);
  return transact(ctx, async (tx, emit) => {
    const row = await lockSettings(tx, who.id, guildId ?? DM_SETTINGS_ID);
    if (body.muted === undefined && body.mute_config !== undefined) patch.muted = row.muted || body.mute_config !== null;
    if (overrides.size) {
      const merged = { ...row.channelOverrides };
      for (const [id, input] of overrides) merged[id] = mergeOverride(merged[id], input, `channel_overrides.${id}`, now);
      patch.channelOverrides = merged;
    }
    const updated = await updateSettings(tx, row, patch);
    const wire = toWireSettings(updated, guildId, guildDefault, now);
    emit({ t: 'USER_GUILD_SETTINGS_UPDATE', d: wire, user_ids: [who.id] });
    return wire;
  });
}

/** GET /users/@me/guilds/{guild|@me}/settings. */
export async function accessSettings(ctx: AppContext, who: Caller, guildId: string | null) {
  if (guildId === null) {
    const rows = await loadAllSettings(ctx.db, who.id);
    return toWireSettings(
      rows.find((r) => r.guildId === DM_SETTINGS_ID),
      null,
      0,
    );
  }
  const access = await accessGuild(ctx.db, guildId, who.id);
  const rows = await loadAllSettings(ctx.db, who.id);
  return toWireSettings(
    rows.find((r) => r.guildId === guildId),
    guildId,
    access.guild.defaultMessageNotifications,
  );
}
