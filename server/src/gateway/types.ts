import type { AppContext, Caller } from '../context.js';
import type { Activity } from '../presence/service.js';
import type { PresenceStore, SessionStatus } from '../presence/store.js';
import type { GuildCache } from './guild-cache.js';
import type { ReplayLog } from './replay-log.js';
import type { Session, SessionSocket } from './session.js';

/**
 * The seams between the gateway's parts, so that gateway.ts, connection.ts, fanout.ts and
 * members.ts depend on these shapes rather than on each other (no import cycles).
 */

export interface IdentifyOptions {
  intents: number | null;
  shard: [number, number] | null;
  status: SessionStatus;
  /** IDENTIFY's large_threshold, clamped to 50–250. */
  largeThreshold: number;
  /** IDENTIFY's presence.activities, relayed once READY went out. */
  activities?: Activity[];
}

/** A live WebSocket as the gateway drives it (connection.ts implements it). */
export interface GatewaySocket extends SessionSocket {
  readonly open: boolean;
  session: Session | null;
  /** op 9: the session cannot be resumed. */
  invalidSession(): void;
  /** Shutdown: op 7, then a resumable close. */
  reconnect(): void;
  /** The session moved to another connection: close this one, keep the session. */
  release(): void;
}

/** What fan-out and member requests read from the gateway (gateway.ts implements it). */
export interface GatewayState {
  readonly ctx: AppContext;
  readonly cache: GuildCache;
  readonly presence: PresenceStore;
  readonly byUser: Map<string, Set<Session>>;
  /** Changes whenever a session is added to or removed from `byUser`. */
  readonly sessionsVersion: number;
  /** Every dispatch this instance sent, once, for RESUME. */
  readonly log: ReplayLog;
  /** The session was just sent a frame a takeover could not rebuild from the bus log (Redis: checkpoint it). */
  derived(s: Session): void;
  /** Sends one dispatch to one session outside the bus (op 8 replies, extension dispatches). */
  sendTo(s: Session, t: string, dJson: string): void;
  dropGraced(userId: string): Promise<void>;
  dropUnusedGuilds(): void;
}

/** What a connection asks of the gateway. */
export interface GatewayForConnections extends GatewayState {
  readonly connections: Set<GatewaySocket>;
  identify(conn: GatewaySocket, who: Caller, opts: IdentifyOptions, gatewayUrl: string): Promise<void>;
  resume(conn: GatewaySocket, who: Caller, sessionId: string, seq: number): Promise<void>;
  detach(s: Session, code: number): void;
  setStatus(s: Session, status: SessionStatus, activities?: Activity[]): Promise<void>;
}
