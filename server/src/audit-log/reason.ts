/** The `X-Audit-Log-Reason` header (URL-encoded, as Discord libraries send it), max 512 chars. */
export function auditReason(req: { headers: Record<string, string | string[] | undefined> }): string | null {
  const raw = req.headers['x-audit-log-reason'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return null;
  let text = value;
  try {
    text = decodeURIComponent(value);
  } catch {
    // Not URL-encoded: keep it verbatim.
  }
  // Control characters (NUL cannot even be stored) have no place in a one-line reason.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean ? clean.slice(0, 512) : null;
}
