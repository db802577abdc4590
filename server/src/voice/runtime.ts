import { Errors } from '@retrocast/protocol';
import type { AppContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import type { LiveKit } from './livekit-process.js';
import type { VoiceStore } from './store.js';

/**
 * Voice's per-app state, kept beside the AppContext (not in it) so voice stays one folder:
 * the LiveKit in use (set once the HTTP port is known) and the voice state store.
 */
export interface VoiceRuntime {
  lk: LiveKit | null;
  store: VoiceStore;
  /** Resolves when LiveKit is up (or known absent) and startup reconciliation has run. */
  started: Promise<void>;
  /** Timers that drop states whose LiveKit connection never arrived. */
  timers: Set<NodeJS.Timeout>;
}

const runtimes = new WeakMap<AppContext, VoiceRuntime>();

export function attachVoice(ctx: AppContext, rt: VoiceRuntime): void {
  runtimes.set(ctx, rt);
}

export function voiceOf(ctx: AppContext): VoiceRuntime {
  const rt = runtimes.get(ctx);
  if (!rt) throw new Error('voice is not installed on this app (installVoice in app.ts)');
  return rt;
}

/** The LiveKit to talk to, waiting briefly for a child that is still starting. */
export async function requireLiveKit(rt: VoiceRuntime): Promise<LiveKit> {
  const lk = rt.lk;
  if (!lk) throw new ApiError(Errors.VOICE_UNAVAILABLE);
  if (lk.up()) return lk;
  const ok = await Promise.race([lk.ready, new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
  if (!ok || !lk.up()) throw new ApiError(Errors.VOICE_UNAVAILABLE);
  return lk;
}
