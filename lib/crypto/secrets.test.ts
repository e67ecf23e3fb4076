import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptJson, decryptSecret, encryptJson, encryptSecret, loadSecretKey, parseSecretKey } from './secrets';

describe('secrets at rest', () => {
  const key = randomBytes(32);

  it('round-trips with AES-256-GCM and a fresh IV each time', () => {
    const a = encryptSecret('s3cret', key);
    const b = encryptSecret('s3cret', key);
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(decryptSecret(a, key)).toBe('s3cret');
    expect(decryptJson(encryptJson({ clientSecret: 'x' }, key), key)).toEqual({ clientSecret: 'x' });
  });

  it('detects tampering and a wrong key with a clear error', () => {
    const envelope = encryptSecret('s3cret', key);
    const parts = envelope.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => decryptSecret(parts.join('.'), key)).toThrow(/SKYPORT_SECRET_KEY differs/);
    expect(() => decryptSecret(envelope, randomBytes(32))).toThrow(/SKYPORT_SECRET_KEY differs/);
    expect(() => decryptSecret('garbage', key)).toThrow(/Unrecognised/);
  });

  it('accepts base64 or hex keys of 32 bytes only', () => {
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(() => parseSecretKey('short')).toThrow(/32 bytes/);
  });

  it('generates a key once into the data folder (mode 600) when none is configured', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-key-'));
    const first = loadSecretKey({}, dir);
    expect(loadSecretKey({}, dir)).toEqual(first);
    expect(fs.statSync(path.join(dir, 'secret-key')).mode & 0o777).toBe(0o600);
    expect(() => loadSecretKey({})).toThrow(/SKYPORT_SECRET_KEY is not set/);
    fs.rmSync(dir, { recursive: true });
  });
});
