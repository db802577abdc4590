/**
 * Sending files from the browser, over XHR so the browser reports bytes sent (progress bars) and
 * abort() cancels. First the direct upload of the spec: POST …/attachments for presigned URLs, PUT
 * each file straight to the store (S3/MinIO, or this server on disk), then send the message naming
 * the uploads. If the store can't be reached from the browser (a loopback-only MinIO, no CORS), the
 * same files go as one multipart POST …/messages (`files[n]` + `payload_json`) to this server.
 */
import { HttpError, loadTokens, refreshTokens, request } from '../api/client';
import type { Message } from '../api/types';

export { MAX_FILES } from './types';

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

interface Slot {
  id: string;
  upload_url: string;
  upload_filename: string;
}

/** The store refused the connection (not an HTTP answer): worth retrying through this server. */
class Unreachable extends Error {}

function put(url: string, file: File, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? (onProgress(1), resolve()) : reject(new Error(`Upload failed (${xhr.status})`)));
    xhr.onerror = () => reject(new Unreachable('file store unreachable'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    if (signal.aborted) return reject(new DOMException('Upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

const nameOf = (f: File) => f.name || 'pasted.png';

async function directUpload(channelId: string, files: File[], content: string, onProgress: (index: number, fraction: number) => void, signal: AbortSignal): Promise<Message> {
  const { attachments: slots } = await request<{ attachments: Slot[] }>('POST', `/channels/${channelId}/attachments`, {
    body: { files: files.map((f, i) => ({ id: String(i), filename: nameOf(f), file_size: f.size })) },
  });
  await Promise.all(slots.map((s, i) => put(s.upload_url, files[i], (p) => onProgress(i, p), signal)));
  return request<Message>('POST', `/channels/${channelId}/messages`, {
    body: { content, attachments: slots.map((s, i) => ({ id: String(i), filename: nameOf(files[i]), uploaded_filename: s.upload_filename })) },
  });
}

/** Sends `content` with `files`; `onProgress(i, fraction)` per file. */
export async function uploadAndSend(channelId: string, files: File[], content: string, onProgress: (index: number, fraction: number) => void, signal: AbortSignal): Promise<Message> {
  try {
    return await directUpload(channelId, files, content, onProgress, signal);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    return multipartSend(channelId, files, content, onProgress, signal);
  }
}

/** One multipart request to this server; progress per file as its bytes go out (in order). */
async function multipartSend(channelId: string, files: File[], content: string, onProgress: (index: number, fraction: number) => void, signal: AbortSignal): Promise<Message> {
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
