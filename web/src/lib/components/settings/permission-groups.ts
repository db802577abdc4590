import type { PermissionName } from '$protocol/permissions';

/** Permission toggles grouped and labelled the way Discord's settings show them. */
export const PERMISSION_GROUPS: { name: string; perms: [PermissionName, string][]; channel: boolean }[] = [
  {
    name: 'General Server Permissions',
    channel: false,
    perms: [
      ['ADMINISTRATOR', 'Administrator'],
      ['VIEW_AUDIT_LOG', 'View Audit Log'],
      ['MANAGE_GUILD', 'Manage Server'],
      ['MANAGE_ROLES', 'Manage Roles'],
      ['MANAGE_CHANNELS', 'Manage Channels'],
      ['KICK_MEMBERS', 'Kick Members'],
      ['BAN_MEMBERS', 'Ban Members'],
      ['CREATE_INSTANT_INVITE', 'Create Invite'],
      ['CHANGE_NICKNAME', 'Change Nickname'],
      ['MANAGE_NICKNAMES', 'Manage Nicknames'],
      ['MANAGE_GUILD_EXPRESSIONS', 'Manage Emojis'],
      ['MANAGE_WEBHOOKS', 'Manage Webhooks'],
      ['VIEW_CHANNEL', 'Read Text Channels & See Voice Channels'],
    ],
  },
  {
    name: 'Text Permissions',
    channel: true,
    perms: [
      ['SEND_MESSAGES', 'Send Messages'],
      ['SEND_TTS_MESSAGES', 'Send TTS Messages'],
      ['MANAGE_MESSAGES', 'Manage Messages'],
      ['EMBED_LINKS', 'Embed Links'],
      ['ATTACH_FILES', 'Attach Files'],
      ['READ_MESSAGE_HISTORY', 'Read Message History'],
      ['MENTION_EVERYONE', 'Mention Everyone'],
      ['USE_EXTERNAL_EMOJIS', 'Use External Emojis'],
      ['ADD_REACTIONS', 'Add Reactions'],
    ],
  },
  {
    name: 'Voice Permissions',
    channel: true,
    perms: [
      ['CONNECT', 'Connect'],
      ['SPEAK', 'Speak'],
      ['STREAM', 'Video'],
      ['MUTE_MEMBERS', 'Mute Members'],
      ['DEAFEN_MEMBERS', 'Deafen Members'],
      ['MOVE_MEMBERS', 'Move Members'],
      ['USE_VAD', 'Use Voice Activity'],
      ['PRIORITY_SPEAKER', 'Priority Speaker'],
    ],
  },
];

/** Channel-level overrides: the channel groups plus the server permissions that apply per channel. */
export const CHANNEL_OVERRIDE_PERMS: [PermissionName, string][] = [
  ['VIEW_CHANNEL', 'View Channel'],
  ['MANAGE_CHANNELS', 'Manage Channel'],
  ['MANAGE_ROLES', 'Manage Permissions'],
  ['CREATE_INSTANT_INVITE', 'Create Invite'],
  ...PERMISSION_GROUPS.filter((g) => g.channel).flatMap((g) => g.perms),
];

export const hexColor = (c: number) => (c ? `#${c.toString(16).padStart(6, '0')}` : '#99aab5');
