import { type Static, Type } from 'typebox';

/** Discord caps a message at 10 files. */
export const MAX_ATTACHMENTS = 10;

/** POST /channels/{id}/attachments: ask for upload URLs (direct upload). `id` is the client's own key for the file. */
export const CreateUploadsBody = Type.Object({
  files: Type.Array(
    Type.Object({
      id: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Integer()])),
      filename: Type.String({ minLength: 1, maxLength: 1024 }),
      file_size: Type.Integer({ minimum: 0 }),
    }),
    { minItems: 1, maxItems: MAX_ATTACHMENTS },
  ),
});
export type CreateUploadsBody = Static<typeof CreateUploadsBody>;

/** One upload slot: PUT the bytes to `upload_url` within 5 minutes, then send `uploaded_filename: upload_filename`. */
export const UploadSlot = Type.Object({
  id: Type.Union([Type.String(), Type.Integer()]),
  upload_url: Type.String(),
  upload_filename: Type.String(),
});
export const CreateUploadsResponse = Type.Object({ attachments: Type.Array(UploadSlot) });
export type CreateUploadsResponse = Static<typeof CreateUploadsResponse>;
