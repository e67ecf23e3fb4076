import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaProblems, type DiscoveryDocument } from '../discovery-schema';
import { signAssertion } from './bare-client';
import { issueAccessToken, verifyAccessToken, verifyTokenRequest, GOOGLE_TOKEN_AUDIENCE } from './oauth';
import { encodePageToken, isWireError, pageAfter, pageSizeFor } from './paging';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const discovery = JSON.parse(
  readFileSync(path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/gcp-compute/discovery/compute.v1.subset.json'), 'utf8'),
) as DiscoveryDocument;

describe('discovery schema validator (used by the fixture tests)', () => {
  const operation = discovery.schemas.Operation!;
  it('accepts libcloud\'s captured Operation and reports unknown fields, wrong types and bad enums', () => {
    const captured = { kind: 'compute#operation', name: 'op', status: 'DONE', progress: 100, error: { errors: [{ code: 'X', message: 'y' }] } };
    expect(schemaProblems(discovery, operation, captured)).toEqual([]);
    expect(schemaProblems(discovery, operation, { ...captured, invented: 1 })).toEqual(['$.invented: not a field of this schema']);
    expect(schemaProblems(discovery, operation, { ...captured, progress: '100' })).toEqual(['$.progress: expected integer, got "100"']);
    expect(schemaProblems(discovery, operation, { ...captured, status: 'FINISHED' })).toEqual(['$.status: FINISHED not in enum']);
    expect(schemaProblems(discovery, operation, { ...captured, error: { errors: [{ code: 1 }] } })).toEqual(['$.error.errors[0].code: expected string, got number']);
  });
});

describe('emulator paging', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  it('serves keyset pages: items added before the cursor do not shift later pages', () => {
    const first = pageAfter(names, (n) => n, undefined, 2);
    if (isWireError(first)) throw new Error('unexpected');
    expect(first.items).toEqual(['a', 'b']);
    const grown = ['0', ...names];
    const second = pageAfter(grown, (n) => n, first.nextPageToken, 2);
    if (isWireError(second)) throw new Error('unexpected');
    expect(second.items).toEqual(['c', 'd']);
    const last = pageAfter(names, (n) => n, encodePageToken('d'), 2);
    expect(isWireError(last) ? last : last.items).toEqual(['e']);
    expect(isWireError(last) ? 'x' : last.nextPageToken).toBeUndefined();
  });

  it('caps maxResults like GCE (≤ 500, 0 = default) and by the server maximum', () => {
    expect(pageSizeFor(undefined, 500)).toBe(500);
    expect(pageSizeFor('0', 500)).toBe(500);
    expect(pageSizeFor('50', 20)).toBe(20);
    const tooMany = pageSizeFor('501', 500);
    expect(isWireError(tooMany) && tooMany.status).toBe(400);
    expect(isWireError(pageSizeFor('-1', 500))).toBe(true);
  });
});

describe('emulator OAuth', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const account = {
    email: 'sa@p.iam.gserviceaccount.com',
    project: 'p',
    clientId: '1',
    keyId: 'k',
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const key = { client_email: account.email, private_key_id: 'k', private_key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const form = (assertion: string) => new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });

  it('accepts an RS256 assertion for Google\'s token audience and rejects a wrong audience', () => {
    expect(verifyTokenRequest(form(signAssertion(key)), [account], [GOOGLE_TOKEN_AUDIENCE], Date.now())).toBe(account);
    const wrongAud = verifyTokenRequest(form(signAssertion(key, Date.now(), 'https://evil.example/token')), [account], [GOOGLE_TOKEN_AUDIENCE], Date.now());
    expect(wrongAud).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('issues tokens that verify until they expire and fail when tampered with or signed by another secret', () => {
    const now = Date.now();
    const { access_token: token, expires_in: lifetime } = issueAccessToken('secret', account, now);
    expect(verifyAccessToken('secret', token, now)).toMatchObject({ email: account.email, project: 'p' });
    expect(verifyAccessToken('secret', token, now + (lifetime + 1) * 1000)).toBeUndefined();
    expect(verifyAccessToken('other', token, now)).toBeUndefined();
    const [prefix, payload, mac] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ email: 'x', project: 'other', exp: 9e9 })).toString('base64url');
    expect(verifyAccessToken('secret', `${prefix}.${forgedPayload}.${mac}`, now)).toBeUndefined();
    expect(payload).toBeTruthy();
  });
});
