/** Orders decimal snowflake strings without BigInt: longer is larger, else lexical. */
export function cmpId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** True when a is newer than b (b may be missing). */
export function newer(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return cmpId(a, b) > 0;
}
