import type { SnowflakeGenerator } from '@retrocast/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { SessionGuard } from './auth/session-guard.js';
import type { BlobStore } from './blobs/types.js';
import type { Bus } from './bus/types.js';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { Activity } from './presence/store.js';
import type { RateLimitStore } from './ratelimit/store.js';

/** Shared infrastructure every service receives. Built once in app.ts. */
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  bus: Bus;
  /** File storage: disk under DATA_DIR/files or S3 (blobs/). */
  blobs: BlobStore;
  ids: SnowflakeGenerator;
  rateLimits: RateLimitStore;
  /** Which logins are still alive (logout, password change, disabled/deleted accounts). */
  sessions: SessionGuard;
  log: FastifyBaseLogger;
  /** Who is online as others see it; set by the gateway plugin (unset: nobody is online). */
  presence?: PresenceReader;
}

/** Read side of the gateway's presence store: users who are offline or invisible are left out. */
export interface PresenceReader {
  get(userIds: string[]): Promise<Map<string, 'online' | 'idle' | 'dnd' | 'offline'>>;
  /** What they are doing ("Playing …"); users without activities are left out. */
  activities(userIds: string[]): Promise<Map<string, Activity[]>>;
}

/** The caller of a request, set by the auth hook. */
export interface Caller {
  id: string;
  bot: boolean;
  /** Refresh-token family of the login this access token came from (users only). */
  family?: string;
  /** Expiry of the access token (seconds since the epoch; users only). */
  exp?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    user?: Caller;
  }
}

/** The authenticated caller; routes behind the auth hook can rely on it. */
export function caller(request: { user?: Caller }): Caller {
  if (!request.user) throw new Error('route is public but asked for the caller');
  return request.user;
}
