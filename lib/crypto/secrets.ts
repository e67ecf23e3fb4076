// Provider credentials at rest: AES-256-GCM under SKYPORT_SECRET_KEY (32 bytes, base64 or hex).
// Envelope "v1.<iv>.<tag>.<ciphertext>" (base64url parts) so the format can evolve.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export function parseSecretKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new SecretKeyError('SKYPORT_SECRET_KEY must be 32 bytes, as 64 hex characters or base64 (openssl rand -base64 32).');
  }
  return key;
}

/**
 * The key from SKYPORT_SECRET_KEY; in the embedded default, generated once into the data folder
 * (mode 600) so a fresh machine needs no setup. With an external database the key must be given,
 * because web processes and workers on other machines must share it.
 */
export function loadSecretKey(env: Record<string, string | undefined>, dataDir?: string): Buffer {
  if (env.SKYPORT_SECRET_KEY) return parseSecretKey(env.SKYPORT_SECRET_KEY); // empty string = unset
  if (!dataDir) throw new SecretKeyError('SKYPORT_SECRET_KEY is not set (required with an external DATABASE_URL).');
  const file = path.join(dataDir, 'secret-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return parseSecretKey(fs.readFileSync(file, 'utf8'));
}

export function encryptSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function decryptSecret(envelope: string, key: Buffer): string {
  const [version, iv, tag, body] = envelope.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new SecretKeyError('Unrecognised secret envelope.');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError('Cannot decrypt a stored secret: SKYPORT_SECRET_KEY differs from the key it was written with.');
  }
}

export function encryptJson(value: unknown, key: Buffer): string {
  return encryptSecret(JSON.stringify(value), key);
}

export function decryptJson(envelope: string, key: Buffer): unknown {
  return JSON.parse(decryptSecret(envelope, key));
}
