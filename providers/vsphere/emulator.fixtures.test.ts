// The emulator's /sdk against recorded vCenter traffic: the pyvmomi cassettes' SOAP requests are
// replayed verbatim (only session-scoped view ids substituted) and each reply is compared with the
// recorded one for envelope namespaces, element names, xsi:types, MoRef types and fault shape.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type VsphereEmulator } from './emulator';
import { moRefsOf } from './soap/property-collector';
import { child, childrenNamed, descend, parseXml, toMoRef, type XmlNode } from './soap/xml';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixturesRoot = path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/vsphere');
const cassettes = path.join(fixturesRoot, 'pyvmomi-cassettes/extracted');
const govmomiFixtures = path.join(fixturesRoot, 'govmomi/vim25-mo-fixtures');

const readFixture = (name: string) => readFileSync(path.join(cassettes, name), 'utf8');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Structural signature: one entry per element path, e.g.
 * `Body/RetrieveServiceContentResponse/returnval/rootFolder{Folder}` or `…/val[ServiceContent]/about`.
 */
function signature(node: XmlNode, prefix = '', out = new Set<string>()): Set<string> {
  const segment = `${node.name}${node.xsiType ? `[${node.xsiType}]` : ''}${node.attrs.type ? `{${node.attrs.type}}` : ''}`;
  const here = prefix ? `${prefix}/${segment}` : segment;
  out.add(here);
  for (const c of node.children) signature(c, here, out);
  return out;
}

const bodyOf = (xml: string) => descend(parseXml(xml), 'Body')!;
const missingFrom = (actual: Set<string>, expected: Set<string>) => [...expected].filter((p) => !actual.has(p));

describe('vSphere emulator vs. recorded vCenter 6.0 traffic (pyvmomi cassettes)', () => {
  let emulator: VsphereEmulator;
  let cookie: string | undefined;

  const post = (body: string, withCookie = true): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const request = https.request(
        emulator.url,
        {
          method: 'POST',
          ca: emulator.caCertPem,
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: '"urn:vim25/6.0"',
            ...(withCookie && cookie ? { Cookie: `vmware_soap_session=${cookie}` } : {}),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  /** Replay `<cassette>.<NN>.<Method>.request.xml` and check the reply against the paired response. */
  async function replay(stem: string, substitute: (xml: string) => string = (x) => x) {
    const reply = await post(substitute(readFixture(`${stem}.request.xml`)));
    const recorded = readFixture(`${stem}.response.xml`);
    return { reply, recorded, actual: bodyOf(reply.body), expected: bodyOf(recorded) };
  }

  beforeAll(async () => {
    emulator = await startEmulator({ users: { my_user: 'my_password' } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('serves /sdk/vimServiceVersions.xml like vCenter', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      https
        .get(`${emulator.url}/vimServiceVersions.xml`, { ca: emulator.caCertPem }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    const expected = signature(parseXml(readFixture('basic_container_view.01.GET-sdk-vimServiceVersions.response.xml')));
    expect(missingFrom(signature(parseXml(reply)), expected)).toEqual([]);
    const vim25 = childrenNamed(parseXml(reply), 'namespace').find((n) => child(n, 'name')?.text === 'urn:vim25');
    expect(vim25).toBeDefined();
  });

  it('RetrieveServiceContent: same envelope namespaces, managers and MoRef types as vCenter', async () => {
    for (const stem of ['basic_connection.01.RetrieveServiceContent', 'basic_container_view.02.RetrieveServiceContent']) {
      const { reply, actual, expected } = await replay(stem);
      expect(reply.status).toBe(200);
      for (const ns of ['xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"', 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', 'xmlns:xsd="http://www.w3.org/2001/XMLSchema"']) {
        expect(reply.body).toContain(ns);
      }
      expect(reply.body).toContain('<RetrieveServiceContentResponse xmlns="urn:vim25">');
      expect(missingFrom(signature(actual), signature(expected))).toEqual([]);
      const rootFolder = toMoRef(descend(actual, 'RetrieveServiceContentResponse', 'returnval', 'rootFolder'));
      expect(rootFolder).toEqual(toMoRef(descend(expected, 'RetrieveServiceContentResponse', 'returnval', 'rootFolder')));
    }
  });

  it('Login with the recorded credentials returns a UserSession and sets vmware_soap_session', async () => {
    const { reply, actual, expected } = await replay('basic_connection.02.Login');
    expect(reply.status).toBe(200);
    expect(missingFrom(signature(actual), signature(expected))).toEqual([]);
    expect(descend(actual, 'LoginResponse', 'returnval', 'userName')?.text).toBe('my_user');
    const setCookie = ([] as string[]).concat(reply.headers['set-cookie'] ?? []);
    cookie = /vmware_soap_session=("[^"]*")/.exec(setCookie.join(';'))?.[1];
    expect(cookie).toBeTruthy();
    expect(setCookie.join(';')).toMatch(/Path=\/; HttpOnly; Secure;/);
  });

  it('RetrievePropertiesEx: ServiceInstance.content and SessionManager.currentSession in the recorded returnval shape', async () => {
    for (const stem of ['basic_connection.04.RetrievePropertiesEx', 'basic_connection.05.RetrievePropertiesEx']) {
      const { reply, actual, expected } = await replay(stem);
      expect(reply.status).toBe(200);
      expect(missingFrom(signature(actual), signature(expected))).toEqual([]);
    }
    const { actual } = await replay('basic_connection.05.RetrievePropertiesEx');
    const val = descend(actual, 'RetrievePropertiesExResponse', 'returnval', 'objects', 'propSet', 'val');
    expect(val?.xsiType).toBe('UserSession');
    expect(child(val, 'userName')?.text).toBe('my_user');
  });

  it('CreateContainerView → RetrievePropertiesEx(view) → DestroyView as recorded', async () => {
    const created = await replay('basic_container_view.05.CreateContainerView');
    expect(created.reply.status).toBe(200);
    expect(missingFrom(signature(created.actual), signature(created.expected))).toEqual([]);
    const view = toMoRef(descend(created.actual, 'CreateContainerViewResponse', 'returnval'))!;
    const recordedView = toMoRef(descend(created.expected, 'CreateContainerViewResponse', 'returnval'))!;
    expect(view.type).toBe('ContainerView');
    const useOurView = (xml: string) => xml.split(recordedView.value).join(view.value);

    const listed = await replay('basic_container_view.07.RetrievePropertiesEx', useOurView);
    expect(listed.reply.status).toBe(200);
    expect(missingFrom(signature(listed.actual), signature(listed.expected))).toEqual([]);
    const val = descend(listed.actual, 'RetrievePropertiesExResponse', 'returnval', 'objects', 'propSet', 'val')!;
    expect(val.xsiType).toBe('ArrayOfManagedObjectReference');
    // This vCenter had no datacenters; ours has two, each a typed MoRef item.
    expect(val.children.every((item) => item.name === 'ManagedObjectReference' && item.xsiType === 'ManagedObjectReference')).toBe(true);
    expect(moRefsOf(val).map((r) => r.type)).toEqual(['Datacenter', 'Datacenter']);

    const destroyed = await replay('basic_container_view.08.DestroyView', useOurView);
    expect(destroyed.reply.status).toBe(200);
    expect(signature(destroyed.actual)).toEqual(signature(destroyed.expected));
  });

  it('a wrong password gives the recorded InvalidLogin SOAP fault with HTTP 500', async () => {
    const { reply, actual, expected } = await replay('basic_connection_bad_password.02.Login');
    expect(reply.status).toBe(500);
    expect(signature(actual)).toEqual(signature(expected));
    const fault = child(actual, 'Fault');
    expect(child(fault, 'faultcode')?.text).toBe('ServerFaultCode');
    expect(child(fault, 'faultstring')?.text).toBe(child(child(expected, 'Fault'), 'faultstring')?.text);
    expect(descend(fault, 'detail', 'InvalidLoginFault')?.xsiType).toBe('InvalidLogin');
  });

  it('calls without a session cookie fail with NotAuthenticated (HTTP 500 fault)', async () => {
    const reply = await post(readFixture('basic_connection.05.RetrievePropertiesEx.request.xml'), false);
    expect(reply.status).toBe(500);
    const detail = descend(bodyOf(reply.body), 'Fault', 'detail')?.children[0];
    expect(detail?.xsiType).toBe('NotAuthenticated');
  });

  it('pages a RetrievePropertiesEx by maxObjects with a token and ContinueRetrievePropertiesEx', async () => {
    const created = await replay('basic_container_view.05.CreateContainerView');
    const view = toMoRef(descend(created.actual, 'CreateContainerViewResponse', 'returnval'))!;
    const envelope = (inner: string) =>
      readFixture('basic_connection.04.RetrievePropertiesEx.request.xml').replace(/<soapenv:Body>.*<\/soapenv:Body>/s, `<soapenv:Body>${inner}</soapenv:Body>`);
    const first = await post(
      envelope(
        '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet>' +
          '<propSet><type>Datacenter</type><all>false</all><pathSet>name</pathSet></propSet>' +
          `<objectSet><obj type="ContainerView">${view.value}</obj><skip>true</skip>` +
          '<selectSet xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
          '</objectSet></specSet><options><maxObjects>1</maxObjects></options></RetrievePropertiesEx>',
      ),
    );
    const firstResult = descend(bodyOf(first.body), 'RetrievePropertiesExResponse', 'returnval');
    const token = child(firstResult, 'token')?.text;
    expect(childrenNamed(firstResult, 'objects')).toHaveLength(1);
    expect(token).toBeTruthy();
    const next = await post(
      envelope(
        `<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>${token}</token></ContinueRetrievePropertiesEx>`,
      ),
    );
    const nextResult = descend(bodyOf(next.body), 'ContinueRetrievePropertiesExResponse', 'returnval');
    expect(childrenNamed(nextResult, 'objects')).toHaveLength(1);
    expect(child(nextResult, 'token')).toBeUndefined();
  });
});

describe('vim25 decoding against govmomi property fixtures', () => {
  const load = (name: string) => parseXml(readFileSync(path.join(govmomiFixtures, name), 'utf8'));

  it('reads MoRef and ArrayOfManagedObjectReference values (xsi:type aware)', () => {
    const returnval = child(load('cluster_host_property.xml'), 'returnval');
    const props = new Map(childrenNamed(returnval, 'propSet').map((p) => [child(p, 'name')!.text, child(p, 'val')!]));
    expect(moRefsOf(props.get('parent'))).toEqual([{ type: 'Folder', value: 'group-h6' }]);
    expect(props.get('host')?.xsiType).toBe('ArrayOfManagedObjectReference');
    expect(moRefsOf(props.get('host')).map((r) => r.value)).toEqual(['host-14', 'host-17', 'host-19', 'host-52']);
  });

  it('keeps dotted property paths and xsd-typed primitives', () => {
    const returnval = child(load('nested_property.xml'), 'returnval');
    const names = childrenNamed(returnval, 'propSet').map((p) => child(p, 'name')?.text);
    expect(names).toEqual(['config.name', 'config.uuid']);
    expect(childrenNamed(returnval, 'propSet').map((p) => child(p, 'val')?.xsiType)).toEqual(['string', 'string']);
  });

  it('sees per-property NotAuthenticated faults in missingSet', () => {
    const returnval = child(load('not_authenticated_fault.xml'), 'returnval');
    const faults = childrenNamed(returnval, 'missingSet').map((m) => descend(m, 'fault', 'fault')?.xsiType);
    expect(faults).toEqual(['NotAuthenticated', 'NotAuthenticated']);
  });
});
