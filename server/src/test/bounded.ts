/**
 * Waits for `p` at most `ms`, ignoring its outcome: for teardown that can hang in native code
 * (`@livekit/rtc-node`'s room disconnect and dispose have sat for minutes after passing runs on
 * CI), which must not hold a file's afterAll until the hook timeout fails it. When the bound is
 * hit it says so, with what the process is still waiting on, so a CI log shows which step hung.
 */
export async function bounded(p: Promise<unknown>, ms = 5_000, what = 'teardown step'): Promise<void> {
  const t0 = Date.now();
  const done = await within(p, ms);
  const took = Date.now() - t0;
  if (!done) console.warn(`bounded: ${what} did not finish in ${took} ms; still pending: ${process.getActiveResourcesInfo().join(', ')}`);
  // A step that returns late but on time may have blocked the thread in native code: say so too.
  else if (took > ms / 2) console.warn(`bounded: ${what} took ${took} ms`);
}

/** Waits for `p` (whatever its outcome) at most `ms`; true if it settled in time. Says nothing. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return done;
}
