// The streaming multipart reader against bodies encoded by the platform's own FormData (undici),
// fed in awkward chunk sizes so boundaries and headers split across chunks.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { receiveMultipart } from './multipart';

async function encoded(form: FormData): Promise<{ bytes: Buffer; contentType: string }> {
  const request = new Request('http://localhost/upload', { method: 'POST', body: form });
  return { bytes: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('receiveMultipart', () => {
  it('streams the file part to disk and collects the fields, whatever the chunking', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'skyport-multipart-'));
    // Content that looks like a delimiter prefix must survive untouched.
    const content = `BilledCost\r\n${'1.5\r\n'.repeat(5000)}\r\n--not-the-boundary\r\n\u00e9`;
    const form = new FormData();
    form.append('providerName', 'Copy Cloud');
    form.append('file', new Blob([content]), 'focus export.csv');
    form.append('billingCurrency', 'usd');
    const { bytes, contentType } = await encoded(form);
    for (const size of [1, 7, 64, 1 << 16]) {
      const filePath = path.join(dir, `f${size}`);
      const received = await receiveMultipart(chunked(bytes, size), contentType, { fileField: 'file', filePath, maxFileBytes: 1 << 20 });
      expect(received.fields).toEqual({ providerName: 'Copy Cloud', billingCurrency: 'usd' });
      expect(received.file).toEqual({ fileName: 'focus export.csv', size: Buffer.byteLength(content) });
      expect(await readFile(filePath, 'utf8')).toBe(content);
    }
  });

  it('rejects a body without its closing boundary, an oversized file and a non-multipart type', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'skyport-multipart-'));
    const form = new FormData();
    form.append('file', new Blob(['x'.repeat(5000)]), 'big.csv');
    const { bytes, contentType } = await encoded(form);
    const filePath = path.join(dir, 'f');
    const why = (pattern: RegExp) => ({ issues: [expect.objectContaining({ message: expect.stringMatching(pattern) })] });
    await expect(receiveMultipart(chunked(bytes.subarray(0, bytes.length - 20), 100), contentType, { fileField: 'file', filePath, maxFileBytes: 1 << 20 })).rejects.toMatchObject(
      why(/closing boundary/),
    );
    const tooBig = receiveMultipart(chunked(bytes, 100), contentType, { fileField: 'file', filePath, maxFileBytes: 1000 });
    await expect(tooBig).rejects.toBeInstanceOf(ValidationError);
    await expect(tooBig).rejects.toMatchObject(why(/larger than/));
    await expect(receiveMultipart(chunked(bytes, 100), 'text/plain', { fileField: 'file', filePath, maxFileBytes: 1 << 20 })).rejects.toMatchObject(why(/multipart/));
  });
});
