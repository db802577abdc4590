import type { S3Settings } from './s3.js';

/** Files, uploads and link embeds from the environment (README "Files"). Read by config.ts into `config.files`. */
export interface FilesConfig {
  /** Largest upload (MAX_UPLOAD_MB, default 25). */
  maxUploadBytes: number;
  /** S3 when S3_BUCKET is set; otherwise files live on disk under DATA_DIR/files. */
  s3?: S3Settings;
  /** EMBED_ALLOW_PRIVATE: hosts and CIDRs the link-embed fetcher may reach although private (LAN, tests). */
  embedAllowPrivate: string[];
  /** EMBEDS_DISABLED=1 turns link embeds off. */
  embedsDisabled: boolean;
}

type Env = Record<string, string | undefined>;

export function loadFilesConfig(env: Env): FilesConfig {
  const mb = Number(env.MAX_UPLOAD_MB || 25);
  if (!(mb > 0)) throw new Error(`MAX_UPLOAD_MB must be a positive number, got "${env.MAX_UPLOAD_MB}"`);
  const bucket = env.S3_BUCKET;
  if (bucket && !(env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY)) throw new Error('S3_BUCKET needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  return {
    maxUploadBytes: Math.floor(mb * 1024 * 1024),
    s3: bucket
      ? {
          endpoint: env.S3_ENDPOINT || undefined,
          bucket,
          accessKeyId: env.S3_ACCESS_KEY_ID as string,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY as string,
          region: env.S3_REGION || 'us-east-1',
        }
      : undefined,
    embedAllowPrivate: (env.EMBED_ALLOW_PRIVATE ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    embedsDisabled: env.EMBEDS_DISABLED === '1',
  };
}
