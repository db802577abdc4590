import { Errors } from '@retrocast/protocol';
import { ApiError } from '../http/errors.js';

/**
 * Bounds concurrent expensive work (Argon2: 64 MiB and a thread each). At most `concurrency` jobs
 * run; up to `maxQueued` wait in order; beyond that a job is refused at once with 503, so a login
 * flood costs the flooder refusals instead of starving everyone else of memory and threads.
 */
export class WorkQueue {
  private running = 0;
  private waiting: Array<() => void> = [];

  constructor(
    public concurrency: number,
    public maxQueued: number,
  ) {}

  get queued() {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) throw new ApiError(Errors.SERVICE_UNAVAILABLE);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), else free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The process's Argon2 queue; `configure` from the config at startup (ARGON2_CONCURRENCY, ARGON2_QUEUE). */
export const argon2Queue = new WorkQueue(2, 16);
