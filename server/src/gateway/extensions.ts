import type { AppContext } from '../context.js';

/**
 * Extension points for other domains (voice), so they can add gateway behaviour without editing
 * the gateway. Register at module load or during app build; registrations are process-wide.
 */

/** What an opcode handler may do with the session that sent the payload. */
export interface GatewayClient {
  sessionId: string;
  userId: string;
  /** Our origin as this socket reached it (`wss://host:port`, or PUBLIC_URL's). */
  origin?: string;
  /** Sends one dispatch to this session only (sequenced, buffered for RESUME). */
  dispatch(t: string, d: unknown): void;
  /** Closes the connection with a Discord close code (4000–4014). */
  close(code: number, reason: string): void;
}

export type OpcodeHandler = (ctx: AppContext, client: GatewayClient, d: unknown) => void | Promise<void>;

/** Adds fields to a GUILD_CREATE (READY's or a join's) for `userId`, e.g. `voice_states`. */
export type GuildCreateExtender = (
  ctx: AppContext,
  guildId: string,
  userId: string,
) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** Adds fields to READY for `userId` (e.g. `user_guild_settings`); `guildIds` are the guilds READY lists. */
export type ReadyExtender = (ctx: AppContext, userId: string, guildIds: string[]) => Promise<Record<string, unknown>>;

/** Runs when a session ends for good (not resumable any more), e.g. to leave voice. */
export type SessionEndHandler = (ctx: AppContext, sessionId: string, userId: string) => void | Promise<void>;

const opcodeHandlers = new Map<number, OpcodeHandler>();
const guildCreateExtenders: GuildCreateExtender[] = [];
const sessionEndHandlers: SessionEndHandler[] = [];
const readyExtenders: ReadyExtender[] = [];

/** Handle a client opcode the gateway does not (e.g. 4 VOICE_STATE_UPDATE). Only identified sessions reach it. */
export function registerOpcodeHandler(op: number, fn: OpcodeHandler): void {
  opcodeHandlers.set(op, fn);
}

export function registerGuildCreateExtender(fn: GuildCreateExtender): void {
  if (!guildCreateExtenders.includes(fn)) guildCreateExtenders.push(fn);
}

export function registerReadyExtender(fn: ReadyExtender): void {
  if (!readyExtenders.includes(fn)) readyExtenders.push(fn);
}

export async function extendReady(ctx: AppContext, userId: string, guildIds: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const fn of readyExtenders) Object.assign(out, await fn(ctx, userId, guildIds));
  return out;
}

export function registerSessionEndHandler(fn: SessionEndHandler): void {
  if (!sessionEndHandlers.includes(fn)) sessionEndHandlers.push(fn);
}

export const getOpcodeHandler = (op: number) => opcodeHandlers.get(op);

export async function extendGuildCreate(ctx: AppContext, guildId: string, userId: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const fn of guildCreateExtenders) Object.assign(out, await fn(ctx, guildId, userId));
  return out;
}

export async function runSessionEnd(ctx: AppContext, sessionId: string, userId: string) {
  for (const fn of sessionEndHandlers) {
    try {
      await fn(ctx, sessionId, userId);
    } catch (err) {
      ctx.log.error({ err }, 'gateway session end handler failed');
    }
  }
}

/** Dispatches a new session gets right after READY and its GUILD_CREATEs (e.g. CALL_CREATE for running DM calls). */
export type AfterReadyDispatcher = (ctx: AppContext, userId: string) => Promise<Array<{ t: string; d: unknown }>>;
const afterReadyDispatchers: AfterReadyDispatcher[] = [];

export function registerAfterReady(fn: AfterReadyDispatcher): void {
  if (!afterReadyDispatchers.includes(fn)) afterReadyDispatchers.push(fn);
}

export async function runAfterReady(ctx: AppContext, userId: string): Promise<Array<{ t: string; d: unknown }>> {
  const out: Array<{ t: string; d: unknown }> = [];
  for (const fn of afterReadyDispatchers) out.push(...(await fn(ctx, userId)));
  return out;
}
