import { join } from 'node:path';
import type { Config } from '../config.js';
import { createDiskBlobStore } from './disk.js';
import { deriveUrlKey } from './signing.js';
import type { BlobStore } from './types.js';

export type { BlobStore } from './types.js';

/** S3 when configured, else disk under DATA_DIR/files. The AWS SDK (~10–20 MiB) loads only for S3. */
export async function openBlobStore(config: Config): Promise<BlobStore> {
  if (config.files.s3) return (await import('./s3.js')).createS3BlobStore(config.files.s3);
  return createDiskBlobStore(join(config.dataDir, 'files'), deriveUrlKey(config.jwtSecret));
}
