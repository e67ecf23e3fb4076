import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesOf, roleArn, SANDBOX_ACCOUNT } from './catalog';
import { decodePageToken, encodePageToken, wildcardMatch } from './ec2-api';
import { startEmulator, type AwsRunningEmulator } from './index';
import { expandQuery, parseQueryString } from './query';
import { rawCall, xmlText } from '../test-harness';

const imageId = imagesOf('us-east-1')[0]!.imageId;

function runParams(token: string, extra: Record<string, string> = {}) {
  return {
    Action: 'RunInstances',
    ImageId: imageId,
    InstanceType: 't3.micro',
    MinCount: '1',
    MaxCount: '1',
    ClientToken: token,
    'TagSpecification.1.ResourceType': 'instance',
    'TagSpecification.1.Tag.1.Key': 'Name',
    'TagSpecification.1.Tag.1.Value': token,
    ...extra,
  };
}

describe('AWS emulator wire behaviour', () => {
  let emulator: AwsRunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 20, maxPageSize: 1000 });
  });
  afterAll(() => emulator.close());

  it('verifies SigV4: unknown key → AuthFailure 401, wrong secret or altered body → SignatureDoesNotMatch 403', async () => {
    const unknown = await rawCall(emulator, { Action: 'DescribeRegions' }, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) } });
    expect(unknown.status).toBe(401);
    expect(xmlText(unknown.text, 'Code')).toBe('AuthFailure');
    const wrongSecret = await rawCall(emulator, { Action: 'DescribeRegions' }, { credentials: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: 'wrong' } });
    expect(wrongSecret.status).toBe(403);
    expect(xmlText(wrongSecret.text, 'Code')).toBe('SignatureDoesNotMatch');
    const tampered = await rawCall(emulator, { Action: 'DescribeRegions' }, { tamper: (body) => `${body}&AllRegions=true` });
    expect(xmlText(tampered.text, 'Code')).toBe('SignatureDoesNotMatch');
    const stale = await rawCall(emulator, { Action: 'DescribeRegions' }, { now: new Date(Date.now() - 20 * 60_000) });
    expect(xmlText(stale.text, 'Code')).toBe('RequestExpired');
    const ok = await rawCall(emulator, { Action: 'DescribeRegions' });
    expect(ok.status).toBe(200);
  });

  it('refuses regions the account has not opted into', async () => {
    const result = await rawCall(emulator, { Action: 'DescribeInstances' }, { region: 'af-south-1' });
    expect(result.status).toBe(401);
    const all = await rawCall(emulator, { Action: 'DescribeRegions', AllRegions: 'true' });
    expect(all.text).toContain('<regionName>af-south-1</regionName><regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint><optInStatus>not-opted-in</optInStatus>');
    const enabled = await rawCall(emulator, { Action: 'DescribeRegions' });
    expect(enabled.text).not.toContain('af-south-1');
  });

  it('replays RunInstances for the same ClientToken and parameters, rejects other parameters with IdempotentParameterMismatch', async () => {
    const before = emulator.vmCount();
    const first = await rawCall(emulator, runParams('tok-1'));
    const again = await rawCall(emulator, runParams('tok-1'));
    expect(first.status).toBe(200);
    expect(xmlText(again.text, 'instanceId')).toBe(xmlText(first.text, 'instanceId'));
    expect(xmlText(again.text, 'reservationId')).toBe(xmlText(first.text, 'reservationId'));
    expect(emulator.vmCount()).toBe(before + 1);
    const mismatch = await rawCall(emulator, runParams('tok-1', { InstanceType: 't3.small' }));
    expect(mismatch.status).toBe(400);
    expect(xmlText(mismatch.text, 'Code')).toBe('IdempotentParameterMismatch');
    // Tokens are regional: the same token in another region launches there.
    const elsewhere = await rawCall(emulator, { ...runParams('tok-1'), ImageId: imagesOf('eu-west-1')[0]!.imageId }, { region: 'eu-west-1' });
    expect(xmlText(elsewhere.text, 'instanceId')).not.toBe(xmlText(first.text, 'instanceId'));
  });

  it('validates RunInstances input like EC2', async () => {
    const badType = await rawCall(emulator, runParams('tok-bad-type', { InstanceType: 'x9.huge' }));
    expect(xmlText(badType.text, 'Code')).toBe('InvalidParameterValue');
    const badImage = await rawCall(emulator, runParams('tok-bad-image', { ImageId: 'ami-0000000000000000f' }));
    expect(xmlText(badImage.text, 'Code')).toBe('InvalidAMIID.NotFound');
    const reservedTag = await rawCall(emulator, runParams('tok-aws-tag', { 'TagSpecification.1.Tag.1.Key': 'aws:owner' }));
    expect(xmlText(reservedTag.text, 'Code')).toBe('InvalidParameterValue');
    const dry = await rawCall(emulator, runParams('tok-dry', { DryRun: 'true' }));
    expect(dry.status).toBe(412);
    expect(xmlText(dry.text, 'Code')).toBe('DryRunOperation');
  });

  it('enforces the vCPU quota with VcpuLimitExceeded', async () => {
    const small = await startEmulator({ vcpuLimit: 4 });
    try {
      expect((await rawCall(small, runParams('q-1'))).status).toBe(200);
      expect((await rawCall(small, runParams('q-2'))).status).toBe(200);
      const third = await rawCall(small, runParams('q-3'));
      expect(third.status).toBe(400);
      expect(xmlText(third.text, 'Code')).toBe('VcpuLimitExceeded');
      expect(small.vmCount()).toBe(2);
    } finally {
      await small.close();
    }
  });

  it('moves instances pending → running, refuses resize unless stopped, keeps terminated ones visible', async () => {
    const run = await rawCall(emulator, runParams('tok-life'));
    const id = xmlText(run.text, 'instanceId')!;
    expect(run.text).toContain('<name>pending</name>');
    emulator.clock.advance(40); // past transitionMs on the emulator clock: no real sleep to race
    const described = await rawCall(emulator, { Action: 'DescribeInstances', 'InstanceId.1': id });
    expect(described.text).toContain('<name>running</name>');
    const resizeRunning = await rawCall(emulator, { Action: 'ModifyInstanceAttribute', InstanceId: id, 'InstanceType.Value': 't3.small' });
    expect(xmlText(resizeRunning.text, 'Code')).toBe('IncorrectInstanceState');
    const terminate = await rawCall(emulator, { Action: 'TerminateInstances', 'InstanceId.1': id });
    expect(terminate.text).toMatch(/<currentState><code>32<\/code><name>shutting-down<\/name><\/currentState><previousState><code>16<\/code><name>running<\/name>/);
    emulator.clock.advance(40); // past transitionMs on the emulator clock: no real sleep to race
    const gone = await rawCall(emulator, { Action: 'DescribeInstances', 'InstanceId.1': id });
    expect(gone.text).toContain('<name>terminated</name>');
    const notThere = await rawCall(emulator, { Action: 'DescribeInstances', 'InstanceId.1': 'i-0123456789abcdef0' });
    expect(xmlText(notThere.text, 'Code')).toBe('InvalidInstanceID.NotFound');
  });

  it('pages DescribeInstances with MaxResults/NextToken and rejects MaxResults with InstanceId', async () => {
    emulator.seedVms({ region: 'ap-southeast-2', count: 12, namePrefix: 'paged' });
    const ids = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await rawCall(emulator, { Action: 'DescribeInstances', MaxResults: '5', ...(token ? { NextToken: token } : {}) }, { region: 'ap-southeast-2' });
      for (const m of page.text.matchAll(/<instanceId>([^<]+)<\/instanceId>/g)) ids.add(m[1]!);
      token = xmlText(page.text, 'nextToken');
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(ids.size).toBe(12);
    const tooSmall = await rawCall(emulator, { Action: 'DescribeInstances', MaxResults: '2' }, { region: 'ap-southeast-2' });
    expect(xmlText(tooSmall.text, 'Code')).toBe('InvalidParameterValue');
    const combo = await rawCall(emulator, { Action: 'DescribeInstances', MaxResults: '5', 'InstanceId.1': [...ids][0]! }, { region: 'ap-southeast-2' });
    expect(xmlText(combo.text, 'Code')).toBe('InvalidParameterCombination');
    const badToken = await rawCall(emulator, { Action: 'DescribeInstances', NextToken: 'garbage' }, { region: 'ap-southeast-2' });
    expect(xmlText(badToken.text, 'Code')).toBe('InvalidPaginationToken');
  });

  it('filters by tag and by wildcard', async () => {
    const page = await rawCall(emulator, { Action: 'DescribeInstances', 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.1': 'paged-1?' }, { region: 'ap-southeast-2' });
    const names = [...page.text.matchAll(/<key>Name<\/key><value>([^<]+)<\/value>/g)].map((m) => m[1]);
    expect(names.sort()).toEqual(['paged-10', 'paged-11', 'paged-12']);
    const badFilter = await rawCall(emulator, { Action: 'DescribeInstances', 'Filter.1.Name': 'colour', 'Filter.1.Value.1': 'x' });
    expect(xmlText(badFilter.text, 'Code')).toBe('InvalidParameterValue');
  });

  it('injects faults shaped as EC2 returns them', async () => {
    emulator.injectFault({ kind: 'throttle', operation: 'DescribeRegions' });
    const throttled = await rawCall(emulator, { Action: 'DescribeRegions' });
    expect(throttled.status).toBe(503);
    expect(xmlText(throttled.text, 'Code')).toBe('RequestLimitExceeded');
    emulator.injectFault({ kind: 'server_error' });
    expect((await rawCall(emulator, { Action: 'DescribeRegions' })).status).toBe(500);
    emulator.injectFault({ kind: 'auth', operation: 'DescribeRegions' });
    expect(xmlText((await rawCall(emulator, { Action: 'DescribeRegions' })).text, 'Code')).toBe('AuthFailure');
    expect((await rawCall(emulator, { Action: 'DescribeRegions' })).status).toBe(200);
  });

  it('serves STS AssumeRole, honouring the external id condition, with the awsQuery error envelope', async () => {
    const denied = await rawCall(
      emulator,
      { Action: 'AssumeRole', RoleArn: roleArn('SkyportBrokerExternal'), RoleSessionName: 's1' },
      { service: 'sts' },
    );
    expect(denied.status).toBe(403);
    expect(denied.text).toMatch(/<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code>/);
    const granted = await rawCall(
      emulator,
      { Action: 'AssumeRole', RoleArn: roleArn('SkyportBrokerExternal'), RoleSessionName: 's1', ExternalId: 'skyport-external-id' },
      { service: 'sts' },
    );
    expect(granted.status).toBe(200);
    const session = {
      accessKeyId: xmlText(granted.text, 'AccessKeyId')!,
      secretAccessKey: xmlText(granted.text, 'SecretAccessKey')!,
      sessionToken: xmlText(granted.text, 'SessionToken')!,
    };
    const who = await rawCall(emulator, { Action: 'GetCallerIdentity' }, { service: 'sts', credentials: session });
    expect(xmlText(who.text, 'Arn')).toBe(`arn:aws:sts::${SANDBOX_ACCOUNT.accountId}:assumed-role/SkyportBrokerExternal/s1`);
    const withoutToken = await rawCall(emulator, { Action: 'DescribeRegions' }, { credentials: { ...session, sessionToken: undefined } });
    expect(xmlText(withoutToken.text, 'Code')).toBe('AuthFailure');
    emulator.expireSession(session.accessKeyId);
    const expired = await rawCall(emulator, { Action: 'DescribeRegions' }, { credentials: session });
    expect(xmlText(expired.text, 'Code')).toBe('RequestExpired');
  });

  it('persists state to statePath and restores it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyport-aws-'));
    const statePath = path.join(dir, 'state.json');
    try {
      const first = await startEmulator({ statePath });
      await rawCall(first, runParams('persisted'));
      await first.close();
      const second = await startEmulator({ statePath });
      try {
        expect(second.vmCount()).toBe(1);
        const replay = await rawCall(second, runParams('persisted'));
        expect(replay.status).toBe(200);
        expect(second.vmCount()).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('query parsing and paging tokens', () => {
  it('expands EC2 query lists and structures', () => {
    const flat = parseQueryString('Action=X&Filter.1.Name=tag%3Aa&Filter.1.Value.1=b&Filter.1.Value.2=c&Filter.2.Name=d&Placement.AvailabilityZone=z');
    expect(expandQuery(flat)).toEqual({
      Action: 'X',
      Filter: [
        { Name: 'tag:a', Value: ['b', 'c'] },
        { Name: 'd' },
      ],
      Placement: { AvailabilityZone: 'z' },
    });
  });

  it('round-trips page tokens and rejects forged ones', () => {
    expect(decodePageToken(encodePageToken({ after: 42 }))).toEqual({ after: 42 });
    expect(() => decodePageToken(Buffer.from('{"after":"x"}').toString('base64url'))).toThrow(/pagination token/);
  });

  it('matches EC2 filter wildcards', () => {
    expect(wildcardMatch('web-*', 'web-01')).toBe(true);
    expect(wildcardMatch('web-?', 'web-10')).toBe(false);
    expect(wildcardMatch('a\\*b', 'a*b')).toBe(true);
    expect(wildcardMatch('a\\*b', 'axb')).toBe(false);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
  });
});
