/** REST helpers to set up data fast, without clicking through the UI. */
export interface Auth {
  access_token: string;
  refresh_token: string;
  user: { id: string; username: string };
}

export async function call<T = any>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v10${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function registerApi(base: string, username: string, display_name?: string): Promise<Auth> {
  return call<Auth>(base, 'POST', '/auth/register', undefined, { username, password: 'correct horse battery', display_name });
}
