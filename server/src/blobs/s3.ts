import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { type BlobStore, checkKey } from './types.js';

export interface S3Settings {
  endpoint?: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404;
};

/** Blobs in an S3 bucket (AWS, MinIO, …). Path-style addressing so MinIO on one host works; the bucket is created if missing. */
export async function createS3BlobStore(s: S3Settings): Promise<BlobStore> {
  const client = new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    // Checksums on every request would also be baked into presigned PUT URLs, which browsers can't satisfy.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = s.bucket;
  try {
    await client.send(new HeadBucketCommand({ Bucket }));
  } catch (err) {
    if (!notFound(err)) throw err;
    await client.send(new CreateBucketCommand({ Bucket })).catch((e) => {
      if ((e as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw e;
    });
  }

  return {
    kind: 's3',
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: checkKey(key), Body: body, ContentType: contentType ?? 'application/octet-stream' }));
    },
    async create(key, body, contentType) {
      try {
        // S3 conditional write: 412 Precondition Failed when the key exists.
        const ContentType = contentType ?? 'application/octet-stream';
        await client.send(new PutObjectCommand({ Bucket, Key: checkKey(key), Body: body, ContentType, IfNoneMatch: '*' }));
        return true;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412 || status === 409) return false;
        throw err;
      }
    },
    async get(key, range) {
      try {
        const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
        const res = await client.send(new GetObjectCommand({ Bucket, Key: checkKey(key), Range }));
        return res.Body as Readable;
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    async head(key) {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: checkKey(key) }));
        return { size: res.ContentLength ?? 0 };
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000).map((k) => ({ Key: checkKey(k) }));
        if (batch.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch, Quiet: true } }));
      }
    },
    async list(prefix) {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const res = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
    async presignPut(key, { size, expiresInSec }) {
      // ContentLength is signed, so S3 refuses a body of any other size.
      return getSignedUrl(client, new PutObjectCommand({ Bucket, Key: checkKey(key), ContentLength: size }), { expiresIn: expiresInSec });
    },
    async close() {
      client.destroy();
    },
  };
}
