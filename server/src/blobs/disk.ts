import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { signPath, toQuery } from './signing.js';
import { type BlobStore, checkKey } from './types.js';

/** Path of the HMAC-signed PUT endpoint that receives direct uploads for the disk store (blobs/routes.ts). */
export const DISK_UPLOAD_PREFIX = '/uploads/';

/** Blobs as files under `root` (DATA_DIR/files). Writes go to a temp file first, so readers never see half a blob. */
export function createDiskBlobStore(root: string, urlKey: Uint8Array): BlobStore {
  const pathOf = (key: string) => join(root, ...checkKey(key).split('/'));
  const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

  return {
    kind: 'disk',
    async put(key, body) {
      const file = pathOf(key);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, file);
    },
    async create(key, body) {
      const file = pathOf(key);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, body);
      try {
        // link() fails if the name exists: create-if-absent without a window between check and write.
        await link(tmp, file);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      } finally {
        await unlink(tmp);
      }
    },
    async get(key, range) {
      const file = pathOf(key);
      try {
        if (!(await stat(file)).isFile()) return undefined;
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },
    async head(key) {
      try {
        const s = await stat(pathOf(key));
        return s.isFile() ? { size: s.size } : undefined;
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async delete(keys) {
      await Promise.all(keys.map((k) => rm(pathOf(k), { force: true })));
    },
    async list(prefix) {
      const out: string[] = [];
      const walk = async (dir: string) => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (err) {
          if (missing(err)) return;
          throw err;
        }
        for (const e of entries) {
          const full = join(dir, e.name);
          if (e.isDirectory()) await walk(full);
          else if (!e.name.endsWith('.tmp')) out.push(relative(root, full).split(sep).join('/'));
        }
      };
      // Only the folder the prefix names is walked, not the whole store.
      const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      await walk(base ? join(root, ...base.split('/')) : root);
      return out.filter((k) => k.startsWith(prefix)).sort();
    },
    async presignPut(key, { size, expiresInSec, baseUrl }) {
      const path = `${DISK_UPLOAD_PREFIX}${checkKey(key)}`;
      const signed = signPath(urlKey, `PUT ${path} ${size}`, expiresInSec);
      return `${baseUrl}${path}?size=${size}&${toQuery(signed)}`;
    },
    async close() {},
  };
}
