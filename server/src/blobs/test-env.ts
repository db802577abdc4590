/** Server env for the S3 backend in tests, from scripts/minio.sh's TEST_S3_* variables; undefined when unset. */
export function s3TestEnv(): Record<string, string> | undefined {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  return {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: process.env.TEST_S3_BUCKET || 'retrocast-test',
    S3_ACCESS_KEY_ID: process.env.TEST_S3_ACCESS_KEY_ID || 'retrocast',
    S3_SECRET_ACCESS_KEY: process.env.TEST_S3_SECRET_ACCESS_KEY || 'retrocast-secret',
    S3_REGION: process.env.TEST_S3_REGION || 'us-east-1',
  };
}

/** The blob-store backends a server suite runs on: disk always, S3 when MinIO is up. */
export function blobBackends(): { name: string; env: Record<string, string> }[] {
  const s3 = s3TestEnv();
  return [{ name: 'disk', env: {} }, ...(s3 ? [{ name: 's3', env: s3 }] : [])];
}
