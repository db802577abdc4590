import { describe, it } from 'vitest';
import { describeBlobContract } from './contract.js';
import { s3TestEnv } from './test-env.js';

const env = s3TestEnv();
if (env) describeBlobContract('s3', () => env);
else describe.skip('BlobStore contract: s3 (set TEST_S3_ENDPOINT, see scripts/minio.sh)', () => it('skipped', () => {}));
