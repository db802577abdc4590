/**
 * Sending files from the browser: one multipart POST /channels/{id}/messages (`files[n]` +
 * `payload_json`) over XHR, so the browser reports bytes sent (progress) and abort() cancels. It
 * goes to this server whatever the file store is, so S3 needs no browser CORS or public endpoint.
 * (The direct-upload flow, POST …/attachments + PUT, is there for API clients.)
 */
import { HttpError, loadTokens, refreshTokens } from '../api/client';
import type { Message } from '../api/types';

export const MAX_FILES = 10;

function send(channelId: string, form: FormData, token: string | undefined, onLoaded: (bytes: number) => void, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v10/channels/${channelId}/messages`);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onLoaded(e.loaded);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('Upload failed: network error'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    if (signal.aborted) return reject(new DOMException('Upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** Sends `content` with `files`; `onProgress(i, fraction)` per file (files go out in order). */
export async function uploadAndSend(channelId: string, files: File[], content: string, onProgress: (index: number, fraction: number) => void, signal: AbortSignal): Promise<Message> {
  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content, attachments: files.map((f, i) => ({ id: i, filename: f.name || 'pasted.png' })) }));
  files.forEach((f, i) => form.append(`files[${i}]`, f, f.name || 'pasted.png'));
  const report = (loaded: number) => {
    let offset = 0;
    files.forEach((f, i) => {
      onProgress(i, Math.max(0, Math.min(1, (loaded - offset) / Math.max(1, f.size))));
      offset += f.size;
    });
  };
  let res = await send(channelId, form, loadTokens()?.access_token, report, signal);
  if (res.status === 401 && loadTokens()) {
    const t = await refreshTokens();
    if (t) res = await send(channelId, form, t.access_token, report, signal);
  }
  if (res.status !== 200) throw new HttpError(res.status, (res.body as never) ?? { code: 0, message: `HTTP ${res.status}` });
  files.forEach((_, i) => onProgress(i, 1));
  return res.body as Message;
}
