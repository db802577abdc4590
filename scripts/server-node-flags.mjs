// Node flags of the server process that `npm start` runs (scripts/start.mjs); the bench and
// bench/scripts/start-rss.mjs run the server with the same ones.
import { availableParallelism } from 'node:os';

/**
 * V8's helper threads (GC, background compilation): one fewer than the CPUs, at most Node's default
 * of 4, so the main thread keeps a core of its own. Each helper that compiles (PGlite's WebAssembly
 * at start, hot JS) allocates from its own glibc arena, and an arena keeps the holes compilation
 * leaves: on 2 CPUs an idle server's arenas held 43–55 MiB with four helpers, 4–34 MiB with one
 * (bench/README.md, "npm start idle RSS"). Server CPU per request did not change.
 */
export function serverNodeFlags() {
  return [`--v8-pool-size=${Math.min(4, Math.max(1, availableParallelism() - 1))}`];
}
