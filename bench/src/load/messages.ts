/** IPC between the orchestrator and its load-generator child processes. */

export const MARKER = 'bench:';

/** Message content carrying its send time: `bench:<run tag>:<CLOCK_MONOTONIC ns>` (shared by all processes of the machine). */
export const stampedContent = (tag: string) => `${MARKER}${tag}:${process.hrtime.bigint()}`;

export type GatewayCommand =
  | { type: 'connect'; url: string; tokens: string[]; concurrency: number; intents: number; timeoutMs: number }
  /** Start counting messages of this run tag from zero. */
  | { type: 'reset'; tag: string }
  | { type: 'report' }
  | { type: 'close' };

export interface ConnectResult {
  type: 'connected';
  ok: number;
  failed: number;
  firstError?: string;
  /** Connect → READY, µs. */
  ready: string;
  /** Connect → first GUILD_CREATE, µs. */
  guildCreate: string;
}

export interface GatewayReport {
  type: 'report';
  /** POST sent → MESSAGE_CREATE received, per receiving session, µs. */
  latency: string;
  received: number;
  /** Fewest and most bench messages any one open session received since the last reset. */
  minPerSession: number;
  maxPerSession: number;
  open: number;
  closedUnexpectedly: number;
  lastCloseCode?: number;
}

export type PostCommand = {
  type: 'post';
  url: string;
  channelId: string;
  tokens: string[];
  tag: string;
  durationMs: number;
} & ({ mode: 'rate'; perSecond: number } | { mode: 'closed'; concurrency: number });

export interface PostReport {
  type: 'posted';
  ok: number;
  errors: number;
  firstError?: string;
  /** POST round trip, µs. */
  latency: string;
  /** Worst lateness of the open-loop schedule, ms (the generator falling behind). */
  maxLagMs: number;
  elapsedMs: number;
}
