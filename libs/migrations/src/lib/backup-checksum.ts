import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, TransformCallback } from 'node:stream';
import { BackupManifest, readManifest } from './backup-manifest';
import { BackupIntegrityError, errorText } from './migration-errors';

/**
 * sha256 and size of a data file: taken from the stream as backup writes the file, and from
 * the file on disk before restore trusts it.
 */
export class Digest extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.add(chunk);
    callback(null, chunk);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const digest = new Digest();
  for await (const chunk of createReadStream(file)) digest.add(chunk as Buffer);
  return { sha256: digest.hex(), bytes: digest.bytes };
}

/** Checks every data file against the manifest; throws BackupIntegrityError naming each bad file. */
export async function verifyBackup(dir: string, id: string): Promise<BackupManifest> {
  const { manifest, path } = await readManifest(dir, id);
  const bad: string[] = [];
  for (const table of manifest.tables) {
    if (typeof table.file !== 'string' || table.file.includes('..')) {
      bad.push(`${table.name}: bad file name`);
      continue;
    }
    try {
      const actual = await fileDigest(join(path, table.file));
      if (actual.sha256 !== table.sha256 || actual.bytes !== table.bytes)
        bad.push(`${table.file}: checksum mismatch`);
    } catch (error) {
      bad.push(`${table.file}: ${errorText(error)}`);
    }
  }
  if (bad.length > 0)
    throw new BackupIntegrityError(
      `backup ${id} is corrupt, refusing to use it: ${bad.join('; ')}`,
    );
  return manifest;
}
