// The emulator checked against public botocore fixtures: wire XML element names (and the EC2 model's
// locationNames), the SDK-parsed shapes against botocore's expected JSON, the error envelope, the
// query-string request bodies of botocore's EC2 protocol tests, and the state names waiters poll for.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  paginateDescribeInstances,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EC2_API_VERSION, imagesOf, SANDBOX_ACCOUNT } from './emulator/catalog';
import { startEmulator, type AwsRunningEmulator } from './emulator';
import { expandQuery, parseQueryString, type QueryValue } from './emulator/query';
import { rawCall } from './test-harness';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixturesDir = path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/aws-ec2');
const readFixture = (relative: string) => readFileSync(path.join(fixturesDir, relative), 'utf8');
const readJson = (relative: string): unknown => JSON.parse(readFixture(relative));

// ---- service model (botocore service-2.json) -------------------------------------------------

interface MemberRef {
  shape: string;
  locationName?: string;
  queryName?: string;
  idempotencyToken?: boolean;
  timestampFormat?: string;
}
interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  enum?: string[];
}
interface ServiceModel {
  metadata: { apiVersion: string; xmlNamespace: string };
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}
const model = readJson('botocore-service-model-2016-11-15/service-2.json') as ServiceModel;

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });
type XmlNode = string | XmlNode[] | { [name: string]: XmlNode };
const asArray = (node: XmlNode): XmlNode[] => (Array.isArray(node) ? node : [node]);

/** Every element path in a document, list positions collapsed (`a.item.b`), attributes skipped. */
function elementPaths(node: XmlNode, prefix = '', out = new Set<string>()): Set<string> {
  if (typeof node !== 'object') return out;
  for (const item of asArray(node)) {
    if (typeof item !== 'object' || Array.isArray(item)) continue;
    for (const [name, child] of Object.entries(item)) {
      if (name.startsWith('@')) continue;
      const p = prefix ? `${prefix}.${name}` : name;
      out.add(p);
      elementPaths(child, p, out);
    }
  }
  return out;
}

/** Elements the EC2 model does not define for this output shape (by locationName), and leaf values of the wrong type. */
function modelViolations(node: XmlNode, shapeName: string, where: string, out: string[] = []): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [...out, `${where}: unknown shape ${shapeName}`];
  if (shape.type === 'structure' || shape.type === 'list') {
    if (typeof node !== 'object' || Array.isArray(node)) return out; // an empty element (<x/>)
    for (const [name, child] of Object.entries(node)) {
      if (name.startsWith('@')) continue;
      const ref =
        shape.type === 'list'
          ? shape.member!.locationName === name || (!shape.member!.locationName && name === 'member')
            ? shape.member
            : undefined
          : Object.entries(shape.members ?? {}).find(([member, m]) => (m.locationName ?? member) === name)?.[1];
      if (!ref) {
        out.push(`${where}.${name}`);
        continue;
      }
      for (const item of asArray(child)) modelViolations(item, ref.shape, `${where}.${name}`, out);
    }
    return out;
  }
  if (typeof node !== 'string') return [...out, `${where}: expected text for ${shape.type}`];
  const ok =
    shape.type === 'boolean'
      ? /^(true|false)$/.test(node)
      : shape.type === 'integer' || shape.type === 'long'
        ? /^-?\d+$/.test(node)
        : shape.type === 'timestamp'
          ? !Number.isNaN(Date.parse(node))
          : shape.type === 'double' || shape.type === 'float'
            ? !Number.isNaN(Number(node))
            : shape.enum
              ? // EC2 sends `windows` where the model's PlatformValues enum says `Windows` (see the
                // botocore DescribeInstances fixture), so enum values compare case-insensitively.
                node === '' || shape.enum.some((e) => e.toLowerCase() === node.toLowerCase())
              : true;
  if (!ok) out.push(`${where}=${node}: not a valid ${shape.type}${shape.enum ? ` enum` : ''}`);
  return out;
}

/** Check one raw emulator response against the model and return its parsed root. */
function checkResponseXml(action: string, body: string): { root: { [name: string]: XmlNode }; paths: Set<string> } {
  const parsed = xml.parse(body) as { [name: string]: XmlNode };
  const rootName = `${action}Response`;
  const root = parsed[rootName];
  expect(root, `root element ${rootName}`).toBeDefined();
  if (typeof root !== 'object' || Array.isArray(root)) throw new Error(`${rootName} has no children`);
  expect(root['@xmlns']).toBe(`${model.metadata.xmlNamespace}/`);
  expect(typeof root.requestId).toBe('string');
  const { requestId: _requestId, ...members } = root;
  const outputShape = model.operations[action]?.output?.shape;
  if (outputShape) expect(modelViolations(members, outputShape, rootName)).toEqual([]);
  return { root, paths: elementPaths(parsed) };
}

// ---- parsed-shape comparison (SDK output vs botocore expected JSON) --------------------------

type Kind = 'string' | 'number' | 'boolean' | 'timestamp' | 'object' | 'array';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function shapePaths(value: unknown, prefix = '', out = new Map<string, Kind>()): Map<string, Kind> {
  if (value instanceof Date || (typeof value === 'string' && ISO_TIME.test(value))) out.set(prefix, 'timestamp');
  else if (Array.isArray(value)) {
    out.set(prefix, 'array');
    for (const item of value) shapePaths(item, `${prefix}[]`, out);
  } else if (value && typeof value === 'object') {
    if (prefix) out.set(prefix, 'object');
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || k === 'ResponseMetadata') continue;
      shapePaths(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else out.set(prefix, typeof value as Kind);
  return out;
}

/**
 * Fixture fields the emulator does not model: key pairs and kernel images (paravirtual era). The
 * emulator's extra fields (newer API members such as CpuOptions) are allowed.
 */
const NOT_MODELLED = /(^|\.)(KernelId|KeyName|RamdiskId)$/;

function expectShapeCovers(emulated: unknown, fixture: unknown) {
  const ours = shapePaths(emulated);
  const theirs = shapePaths(fixture);
  const missing = [...theirs.keys()].filter((p) => !ours.has(p) && !NOT_MODELLED.test(p));
  expect(missing, 'fixture fields missing from the emulator').toEqual([]);
  const kindMismatch = [...theirs].filter(([p, kind]) => ours.has(p) && ours.get(p) !== kind).map(([p, kind]) => `${p}: ${kind} vs ${ours.get(p)}`);
  expect(kindMismatch, 'fields of another type').toEqual([]);
}

function expectElementsCover(emulated: Set<string>, fixtureXml: string) {
  const fixturePaths = elementPaths(xml.parse(fixtureXml) as XmlNode);
  const missing = [...fixturePaths].filter((p) => !emulated.has(p) && !/\.(kernelId|keyName|ramdiskId)$/.test(p));
  expect(missing, 'fixture elements missing from the emulator').toEqual([]);
}

// ---- the tests ---------------------------------------------------------------------------------

const REGION = 'us-west-2';
let emulator: AwsRunningEmulator;
let ec2: EC2Client;
const linuxImage = imagesOf(REGION).find((i) => !i.platform)!.imageId;
const windowsImage = imagesOf(REGION).find((i) => i.platform === 'windows')!.imageId;
/** The emulator clock is held for this file: transitions happen exactly when a test advances it. */
const settle = async () => emulator.clock.advance(20);

async function launch(imageId: string, token: string): Promise<Instance> {
  const result = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 'm5.large',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: token,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'notebook', Value: '' }, { Key: 'Name', Value: token }] }],
    }),
  );
  return result.Instances![0]!;
}

beforeAll(async () => {
  emulator = await startEmulator({ transitionMs: 20 });
  emulator.clock.hold();
  ec2 = new EC2Client({
    region: REGION,
    endpoint: emulator.url,
    credentials: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey },
    maxAttempts: 1,
  });
});
afterAll(() => emulator.close());

describe('EC2 responses against botocore response-parsing fixtures', () => {
  it('DescribeInstances: SDK-parsed shape covers the botocore JSON; XML elements cover the fixture and fit the model', async () => {
    const stopped = await launch(linuxImage, 'fixture-linux');
    const windows = await launch(windowsImage, 'fixture-windows');
    await settle();
    await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped.InstanceId!] }));
    await settle();
    const ids = [stopped.InstanceId!, windows.InstanceId!];

    const parsed = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    expect(parsed.$metadata.requestId).toBeTruthy();
    const fixture = readJson('botocore-response-parsing/responses/ec2-describe-instances.json');
    expectShapeCovers(parsed, fixture);
    // Same state name ↔ code pairs as the fixture (stopped = 80, running = 16).
    const fixtureStates = new Map(
      (fixture as { Reservations: { Instances: Instance[] }[] }).Reservations.flatMap((r) => r.Instances).map((i) => [i.State!.Name, i.State!.Code]),
    );
    for (const instance of parsed.Reservations!.flatMap((r) => r.Instances!)) {
      expect(fixtureStates.get(instance.State!.Name)).toBe(instance.State!.Code);
    }

    const raw = await rawCall(emulator, { Action: 'DescribeInstances', 'InstanceId.1': ids[0]!, 'InstanceId.2': ids[1]! }, { region: REGION });
    const { paths } = checkResponseXml('DescribeInstances', raw.text);
    expectElementsCover(paths, readFixture('botocore-response-parsing/responses/ec2-describe-instances.xml'));
  });

  it('RunInstances: a pending reservation shaped like the fixture', async () => {
    const result = await ec2.send(
      new RunInstancesCommand({ ImageId: linuxImage, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ClientToken: 'fixture-run' }),
    );
    expectShapeCovers(result, readJson('botocore-response-parsing/responses/ec2-run-instances.json'));
    expect(result.Instances![0]!.State).toEqual({ Code: 0, Name: 'pending' });
    const raw = await rawCall(
      emulator,
      { Action: 'RunInstances', ImageId: linuxImage, InstanceType: 't3.micro', MinCount: '1', MaxCount: '1', ClientToken: 'fixture-run-raw' },
      { region: REGION },
    );
    const { paths } = checkResponseXml('RunInstances', raw.text);
    expectElementsCover(paths, readFixture('botocore-response-parsing/responses/ec2-run-instances.xml'));
  });

  it('StopInstances / StartInstances: state changes like the fixtures (running→stopping, stopped→pending)', async () => {
    const instance = await launch(linuxImage, 'fixture-power');
    await settle();
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    const stopFixture = readJson('botocore-response-parsing/responses/ec2-stop-instances.json') as { StoppingInstances: unknown[] };
    expectShapeCovers(stop, stopFixture);
    expect(stop.StoppingInstances![0]).toMatchObject({ CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } });
    expect(stop.StoppingInstances![0]).toEqual({ ...(stopFixture.StoppingInstances[0] as object), InstanceId: instance.InstanceId });
    await settle();

    const rawStart = await rawCall(emulator, { Action: 'StartInstances', 'InstanceId.1': instance.InstanceId! }, { region: REGION });
    const { paths } = checkResponseXml('StartInstances', rawStart.text);
    expectElementsCover(paths, readFixture('botocore-response-parsing/responses/ec2-start-instances.xml'));
    await settle();
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    await settle();
    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    const startFixture = readJson('botocore-response-parsing/responses/ec2-start-instances.json') as { StartingInstances: unknown[] };
    expect(start.StartingInstances![0]).toEqual({ ...(startFixture.StartingInstances[0] as object), InstanceId: instance.InstanceId });

    const rawStop = await rawCall(emulator, { Action: 'StopInstances', 'InstanceId.1': instance.InstanceId! }, { region: REGION });
    expect(rawStop.status).toBe(400); // pending (the clock is held): EC2 refuses to stop it yet
    await settle();
    const rawStop2 = await rawCall(emulator, { Action: 'StopInstances', 'InstanceId.1': instance.InstanceId! }, { region: REGION });
    expectElementsCover(checkResponseXml('StopInstances', rawStop2.text).paths, readFixture('botocore-response-parsing/responses/ec2-stop-instances.xml'));
  });

  it('DescribeRegions / DescribeAvailabilityZones: shapes and element names', async () => {
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    expectShapeCovers(regions, readJson('botocore-response-parsing/responses/ec2-describe-regions.json'));
    for (const r of regions.Regions!) expect(r.Endpoint).toBe(`ec2.${r.RegionName}.amazonaws.com`);
    const rawRegions = await rawCall(emulator, { Action: 'DescribeRegions' }, { region: REGION });
    expectElementsCover(checkResponseXml('DescribeRegions', rawRegions.text).paths, readFixture('botocore-response-parsing/responses/ec2-describe-regions.xml'));

    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expectShapeCovers(zones, readJson('botocore-response-parsing/responses/ec2-describe-availability-zones.json'));
    expect(zones.AvailabilityZones!.every((z) => z.RegionName === REGION && z.State === 'available')).toBe(true);
    const rawZones = await rawCall(emulator, { Action: 'DescribeAvailabilityZones' }, { region: REGION });
    expectElementsCover(
      checkResponseXml('DescribeAvailabilityZones', rawZones.text).paths,
      readFixture('botocore-response-parsing/responses/ec2-describe-availability-zones.xml'),
    );
  });

  it('TerminateInstances, DescribeImages, DescribeInstanceTypes (no botocore XML upstream): element names fit the model', async () => {
    const instance = await launch(linuxImage, 'fixture-terminate');
    const terminate = await rawCall(emulator, { Action: 'TerminateInstances', 'InstanceId.1': instance.InstanceId! }, { region: REGION });
    checkResponseXml('TerminateInstances', terminate.text);
    checkResponseXml('DescribeImages', (await rawCall(emulator, { Action: 'DescribeImages', 'Owner.1': 'amazon' }, { region: REGION })).text);
    checkResponseXml('DescribeInstanceTypes', (await rawCall(emulator, { Action: 'DescribeInstanceTypes', MaxResults: '5' }, { region: REGION })).text);
    checkResponseXml('DescribeRegions', (await rawCall(emulator, { Action: 'DescribeRegions', AllRegions: 'true' }, { region: REGION })).text);
  });

  it('error envelope: <Response><Errors><Error> with RequestID, parsed by the SDK like botocore does', async () => {
    const fixtureXml = readFixture('botocore-response-parsing/errors/ec2-describe-instances.xml');
    const fixture = readJson('botocore-response-parsing/errors/ec2-describe-instances.json') as { Error: { Code: string; Message: string } };
    // The fixture's own request: DescribeInstances for the malformed id "foobar".
    const raw = await rawCall(emulator, { Action: 'DescribeInstances', 'InstanceId.1': 'foobar' }, { region: REGION });
    expect(raw.status).toBe(400);
    expect([...elementPaths(xml.parse(raw.text) as XmlNode)].sort()).toEqual([...elementPaths(xml.parse(fixtureXml) as XmlNode)].sort());
    const error = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ['foobar'] })).then(
      () => undefined,
      (e: unknown) => e as { name: string; message: string; $metadata: { requestId?: string; httpStatusCode?: number } },
    );
    expect(error?.name).toBe(fixture.Error.Code);
    expect(error?.message).toBe(fixture.Error.Message);
    expect(error?.$metadata.requestId).toBeTruthy();
  });
});

describe('EC2 query requests against botocore protocol tests (input-ec2.json)', () => {
  interface InputSuite {
    description: string;
    shapes: Record<string, Shape>;
    cases: Array<{ id: string; given: { name: string; input?: { shape: string } }; params: Record<string, unknown>; serialized: { body: string | null } }>;
  }
  const suites = readJson('botocore-protocol-tests/input-ec2.json') as InputSuite[];

  /** The value the EC2 query protocol puts on the wire for `value`, nested the way expandQuery returns it. */
  function expectedWire(value: unknown, shapeName: string, shapes: Record<string, Shape>): QueryValue | undefined {
    const shape = shapes[shapeName]!;
    if (shape.type === 'structure') {
      const out: Record<string, QueryValue> = {};
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        const memberValue = (value as Record<string, unknown>)[member];
        if (memberValue === undefined) continue;
        // EC2 wire names: queryName, else the locationName, else the member name, first letter upper-cased.
        const base = ref.locationName ?? member;
        const name = ref.queryName ?? base[0]!.toUpperCase() + base.slice(1);
        const wire = expectedWire(memberValue, ref.shape, shapes);
        if (wire !== undefined) out[name] = wire;
      }
      return Object.keys(out).length ? out : undefined;
    }
    if (shape.type === 'list') {
      const items = (value as unknown[]).map((v) => expectedWire(v, shape.member!.shape, shapes)).filter((v): v is QueryValue => v !== undefined);
      return items.length ? items : undefined;
    }
    if (shape.type === 'blob') return Buffer.from(String(value)).toString('base64');
    if (shape.type === 'timestamp') {
      // The query protocol's default timestamp format is ISO 8601 without fractional seconds.
      const format = (shape as Shape & { timestampFormat?: string }).timestampFormat ?? 'iso8601';
      return format === 'unixTimestamp' ? String(value) : new Date(Number(value) * 1000).toISOString().replace('.000Z', 'Z');
    }
    return String(value);
  }

  // The two PutWithContentEncoding cases describe a gzip-compressed body and carry no text to parse.
  const cases = suites.flatMap((suite) =>
    suite.cases
      .filter((c) => typeof c.serialized.body === 'string')
      .map((c) => ({ suite, c })),
  );

  it.each(cases.map(({ suite, c }) => [c.id, suite, c] as const))('%s: the emulator parser reads the serialised body', (_id, suite, c) => {
    const parsed = expandQuery(parseQueryString(c.serialized.body!));
    expect(parsed.Action).toBe(c.given.name);
    expect(parsed.Version).toBe('2020-01-08');
    const { Action: _a, Version: _v, ...rest } = parsed;
    const inputShape = c.given.input?.shape;
    const expected = (inputShape && expectedWire(c.params, inputShape, suite.shapes)) || {};
    // The SDK fills an idempotency token the caller left out; the parser must still carry it through.
    const tokenMember = inputShape ? Object.entries(suite.shapes[inputShape]?.members ?? {}).find(([, m]) => m.idempotencyToken) : undefined;
    if (tokenMember && !(tokenMember[0] in c.params)) {
      const wireName = tokenMember[1].queryName ?? tokenMember[0][0]!.toUpperCase() + tokenMember[0].slice(1);
      expect(rest[wireName]).toMatch(/^[0-9a-f-]{36}$/);
      delete rest[wireName];
    }
    expect(rest).toEqual(expected);
  });
});

describe('instance states against waiters-2.json and paginators-1.json', () => {
  interface Acceptor {
    matcher: string;
    argument?: string;
    expected: unknown;
    state: 'success' | 'failure' | 'retry';
  }
  const waiters = (readJson('botocore-service-model-2016-11-15/waiters-2.json') as { waiters: Record<string, { acceptors: Acceptor[] }> }).waiters;

  /** Evaluate the waiter's `Reservations[].Instances[].State.Name` acceptors on one DescribeInstances result. */
  function waiterVerdict(name: string, states: string[]): 'success' | 'failure' | 'retry' {
    for (const acceptor of waiters[name]!.acceptors) {
      if (acceptor.argument !== 'Reservations[].Instances[].State.Name') continue;
      if (acceptor.matcher === 'pathAll' && states.length > 0 && states.every((s) => s === acceptor.expected)) return acceptor.state;
      if (acceptor.matcher === 'pathAny' && states.some((s) => s === acceptor.expected)) return acceptor.state;
    }
    return 'retry';
  }

  /** Poll like the SDK waiter; each poll moves the held emulator clock 10 ms (so 2 polls per transition). */
  async function waitUntil(id: string, waiter: string, seen: Set<string>) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const result = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const states = result.Reservations!.flatMap((r) => r.Instances!).map((inst) => inst.State!.Name!);
      states.forEach((s) => seen.add(s));
      const verdict = waiterVerdict(waiter, states);
      if (verdict !== 'retry') return verdict;
      emulator.clock.advance(10);
    }
    return 'timeout';
  }

  it('a launch → stop → start → terminate life cycle satisfies InstanceRunning / InstanceStopped / InstanceTerminated', async () => {
    const seen = new Set<string>();
    const instance = await launch(linuxImage, 'waiter-life');
    seen.add(instance.State!.Name!);
    expect(await waitUntil(instance.InstanceId!, 'InstanceRunning', seen)).toBe('success');
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(await waitUntil(instance.InstanceId!, 'InstanceStopped', seen)).toBe('success');
    await ec2.send(new StartInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(await waitUntil(instance.InstanceId!, 'InstanceRunning', seen)).toBe('success');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(await waitUntil(instance.InstanceId!, 'InstanceTerminated', seen)).toBe('success');
    const modelStates = model.shapes.InstanceStateName!.enum!;
    expect([...seen].every((s) => modelStates.includes(s))).toBe(true);
    // Every state a waiter names was actually produced by the emulator along the way, except the ones
    // waiters treat as failures that a clean life cycle never shows.
    const waiterStates = new Set(
      ['InstanceRunning', 'InstanceStopped', 'InstanceTerminated'].flatMap((w) => waiters[w]!.acceptors.filter((a) => a.state === 'success').map((a) => String(a.expected))),
    );
    expect([...waiterStates].filter((s) => !seen.has(s))).toEqual([]);
  });

  it('DescribeInstances pages with the paginator tokens the model names (NextToken / MaxResults)', async () => {
    const paginators = (readJson('botocore-service-model-2016-11-15/paginators-1.json') as { pagination: Record<string, { input_token: string; output_token: string; limit_key: string; result_key: string }> }).pagination;
    expect(paginators.DescribeInstances).toEqual({ input_token: 'NextToken', output_token: 'NextToken', limit_key: 'MaxResults', result_key: 'Reservations' });
    emulator.seedVms({ region: 'eu-central-1', count: 23, namePrefix: 'pager' });
    const regional = new EC2Client({ region: 'eu-central-1', endpoint: emulator.url, credentials: SANDBOX_ACCOUNT, maxAttempts: 1 });
    let pages = 0;
    const ids = new Set<string>();
    for await (const page of paginateDescribeInstances({ client: regional, pageSize: 10 }, {})) {
      pages += 1;
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) ids.add(i.InstanceId!);
    }
    expect(pages).toBe(3);
    expect(ids.size).toBe(23);
    expect(EC2_API_VERSION).toBe(model.metadata.apiVersion);
  });
});
