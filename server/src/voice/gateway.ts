import { Errors, GatewayCloseCodes, GatewayOpcodes, VoiceStateUpdateCommand } from '@retrocast/protocol';
import type { AppContext } from '../context.js';
import {
  type GatewayClient,
  registerGuildCreateExtender,
  registerOpcodeHandler,
  registerSessionEndHandler,
} from '../gateway/extensions.js';
import { ApiError } from '../http/errors.js';
import { voiceOf } from './runtime.js';
import { doJoinVoice, doLeaveVoice, doUpdateSelfVoice } from './service.js';
import { toWireGuildVoiceState } from './wire.js';

/**
 * Voice in the gateway, the Discord way: op 4 VOICE_STATE_UPDATE joins, moves, leaves or changes
 * self mute/deaf, and the joining session gets VOICE_SERVER_UPDATE {guild_id, endpoint, token}
 * (endpoint = LiveKit URL, token = LiveKit access token). GUILD_CREATE carries `voice_states`;
 * a session that ends for good leaves voice.
 */
async function compileCommand() {
  const { Compile } = await import('typebox/compile');
  return Compile(VoiceStateUpdateCommand);
}
let compiled: ReturnType<typeof compileCommand> | undefined;
/** The op 4 check, compiled at the first op 4: loading typebox's compiler cost ~90 ms of every start's CPU. */
const command = () => (compiled ??= compileCommand());

async function onVoiceStateUpdate(ctx: AppContext, client: GatewayClient, d: unknown): Promise<void> {
  if (!(await command()).Check(d)) return client.close(GatewayCloseCodes.DECODE_ERROR, 'Invalid VOICE_STATE_UPDATE.');
  const { userId, sessionId } = client;
  try {
    if (d.channel_id === null) {
      await doLeaveVoice(ctx, userId, { guild_id: d.guild_id });
      return;
    }
    const prev = await voiceOf(ctx).store.get(userId);
    if (prev && prev.channel_id === d.channel_id && prev.session_id === sessionId) {
      await doUpdateSelfVoice(ctx, userId, sessionId, d.self_mute, d.self_deaf);
      return;
    }
    const server = await doJoinVoice(ctx, userId, d.channel_id, {
      sessionId,
      guildId: d.guild_id,
      selfMute: d.self_mute,
      selfDeaf: d.self_deaf,
      origin: client.origin,
    });
    const dm = server.guild_id === null ? { channel_id: d.channel_id } : {};
    client.dispatch('VOICE_SERVER_UPDATE', { guild_id: server.guild_id, ...dm, endpoint: server.endpoint, token: server.token });
  } catch (err) {
    // Discord answers a refused join (no CONNECT, full channel) with silence; REST join explains.
    if (!(err instanceof ApiError)) throw err;
    ctx.log.debug({ userId, code: err.def.code }, 'voice: op 4 join refused');
    // Discord's "null endpoint": no voice server for this guild, so the client can say so at once.
    if (err.def === Errors.VOICE_UNAVAILABLE) client.dispatch('VOICE_SERVER_UPDATE', { guild_id: d.guild_id, endpoint: null, token: '' });
  }
}

export function installVoiceGateway(): void {
  registerOpcodeHandler(GatewayOpcodes.VOICE_STATE_UPDATE, onVoiceStateUpdate);
  registerGuildCreateExtender(guildVoiceStates);
  registerSessionEndHandler(leaveOnSessionEnd);
}

async function guildVoiceStates(ctx: AppContext, guildId: string) {
  return { voice_states: (await voiceOf(ctx).store.list(guildId)).map(toWireGuildVoiceState) };
}

async function leaveOnSessionEnd(ctx: AppContext, sessionId: string, userId: string) {
  await doLeaveVoice(ctx, userId, { session_id: sessionId });
}
