/**
 * Waits for `p` at most `ms`, ignoring its outcome: for teardown that can hang in native code
 * (`@livekit/rtc-node`'s room disconnect and dispose have sat for minutes after passing runs on
 * CI), which must not hold a file's afterAll until the hook timeout fails it.
 */
export async function bounded(p: Promise<unknown>, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
