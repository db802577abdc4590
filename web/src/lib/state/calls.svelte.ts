/**
 * DM and group DM calls: the running call per channel (CALL_CREATE / CALL_UPDATE / CALL_DELETE),
 * who is in it (VOICE_STATE_UPDATE without guild_id), and what this device does about it. The
 * connection itself is the voice client's (op 4 with guild_id null, LiveKit room = channel id).
 */
import { dmsApi } from '../api/dms';
import type { Dispatch } from '../gateway/socket';
import { type CallsState, emptyCalls, reduceCalls } from './calls';
import { voice } from './voice-client.svelte';

class CallsStore {
  state: CallsState = $state.raw(emptyCalls);
  /** Calls this device dismissed locally (declined) by message id, so the overlay stays closed. */
  dismissed: Set<string> = $state.raw(new Set());

  apply(ev: Dispatch) {
    this.state = reduceCalls(this.state, ev);
  }

  get(channelId: string) {
    return this.state.calls[channelId];
  }

  /** Users in the call of `channelId`. */
  participants(channelId: string): string[] {
    return Object.entries(this.state.voice)
      .filter(([, ch]) => ch === channelId)
      .map(([id]) => id)
      .sort();
  }

  inCall(channelId: string) {
    return voice.guildId === null && voice.channelId === channelId && voice.status !== 'idle';
  }

  /** The call ringing this user that they have not answered or declined yet. */
  incoming(me: string | undefined) {
    if (!me) return undefined;
    return Object.values(this.state.calls).find(
      (c) => c.ringing.includes(me) && !this.inCall(c.channel_id) && !this.dismissed.has(c.message_id),
    );
  }

  join(channelId: string) {
    voice.join(null, channelId);
  }

  async decline(channelId: string) {
    const c = this.get(channelId);
    if (c) this.dismissed = new Set([...this.dismissed, c.message_id]);
    await dmsApi.stopRinging(channelId).catch(() => {});
  }
}

export const calls = new CallsStore();
