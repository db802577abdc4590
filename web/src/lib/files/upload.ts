/**
 * Direct upload (Discord's flow): ask for upload URLs, PUT each file there with progress (XHR, so
 * the browser reports bytes sent), then send one message naming the uploads. Cancel aborts the PUTs.
 */
import { request } from '../api/client';
import type { Message } from '../api/types';

export const MAX_FILES = 10;

interface Slot {
  id: string;
  upload_url: string;
  upload_filename: string;
}

function put(url: string, file: File, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? (onProgress(1), resolve()) : reject(new Error(`Upload failed (${xhr.status})`)));
    xhr.onerror = () => reject(new Error('Upload failed'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export async function uploadAndSend(channelId: string, files: File[], content: string, onProgress: (index: number, fraction: number) => void, signal: AbortSignal): Promise<Message> {
  const { attachments: slots } = await request<{ attachments: Slot[] }>('POST', `/channels/${channelId}/attachments`, {
    body: { files: files.map((f, i) => ({ id: String(i), filename: f.name || 'pasted.png', file_size: f.size })) },
  });
  await Promise.all(slots.map((s, i) => put(s.upload_url, files[i], (p) => onProgress(i, p), signal)));
  if (signal.aborted) throw new DOMException('Upload cancelled', 'AbortError');
  return request<Message>('POST', `/channels/${channelId}/messages`, {
    body: { content, attachments: slots.map((s, i) => ({ id: String(i), filename: files[i].name || 'pasted.png', uploaded_filename: s.upload_filename })) },
  });
}
