/** Server env for the S3 backend in tests, from scripts/minio.sh's TEST_S3_* variables; undefined when unset. */
export function s3TestEnv(): Record<string, string> | undefined {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  return {
    S3_ENDPOINT: endpoint,
    // A bucket of its own per suite: the server sweeps files whose rows are gone from *its* database,
    // so suites running in parallel must not share one.
    S3_BUCKET: `rc-test-${process.pid.toString(36)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
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
