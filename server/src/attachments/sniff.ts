let fileType: Promise<typeof import('file-type')> | undefined;
const loadFileType = () => (fileType ??= import('file-type'));

/**
 * The file's type read from its bytes (file-type), undefined when unknown. file-type loads at the
 * first upload or proxied image, not at start (bench/README.md, issue 16).
 */
export async function sniffType(bytes: Uint8Array): Promise<{ ext: string; mime: string } | undefined> {
  const { fileTypeFromBuffer } = await loadFileType();
  return fileTypeFromBuffer(bytes);
}
