import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './paging';
import { vmNameForKey } from './naming';
import { observedVmFrom, vmStateFor } from './state';
import { sizeIdFor } from './sizes';
import { faultToProviderError, parseLocalizedFault, parseSoapFault } from './errors';
import type { ObjectContent } from './soap/property-collector';
import { certificateMatchesThumbprint, normalizeThumbprint } from './soap/transport';
import { descend, escapeXml, parseXml, textElement } from './soap/xml';
import type { PeerCertificate } from 'node:tls';

describe('vim25 fault mapping', () => {
  it.each([
    ['InvalidLogin', 'auth_failed', false],
    ['NotAuthenticated', 'auth_failed', false],
    ['NoPermission', 'auth_failed', false],
    ['ManagedObjectNotFound', 'not_found', false],
    ['InvalidArgument', 'invalid_request', false],
    ['DuplicateName', 'conflict', false],
    ['InvalidPowerState', 'conflict', false],
    ['TaskInProgress', 'conflict', true],
    ['InsufficientResourcesFault', 'quota_exceeded', false],
    ['InsufficientStorageSpace', 'quota_exceeded', false],
    ['SystemError', 'unavailable', true],
    ['HostCommunication', 'unavailable', true],
    ['SomethingNew', 'unavailable', true],
  ] as const)('%s → %s (retryable %s)', (type, code, retryable) => {
    const error = faultToProviderError({ type, message: `msg for ${type}` }, 500);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.providerCode).toBe(type);
    expect(error.providerMessage).toBe(`msg for ${type}`);
  });

  it('reads type and message from a SOAP fault and from a TaskInfo.error', () => {
    const soap = parseXml(
      '<Fault><faultcode>ServerFaultCode</faultcode><faultstring>The name &apos;x&apos; already exists.</faultstring>' +
        '<detail><DuplicateNameFault xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="DuplicateName"><name>x</name></DuplicateNameFault></detail></Fault>',
    );
    expect(parseSoapFault(soap)).toEqual({ type: 'DuplicateName', message: "The name 'x' already exists." });
    const taskError = parseXml(
      '<error xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><fault xsi:type="InsufficientResourcesFault"></fault><localizedMessage>no room</localizedMessage></error>',
    );
    expect(parseLocalizedFault(taskError)).toEqual({ type: 'InsufficientResourcesFault', message: 'no room' });
  });
});

describe('vim25 XML', () => {
  it('escapes every XML special character in text and attributes', () => {
    const nasty = `a<b>&"c'`;
    const xml = textElement('value', nasty, { note: nasty });
    expect(xml).toBe('<value note="a&lt;b&gt;&amp;&quot;c&apos;">a&lt;b&gt;&amp;&quot;c&apos;</value>');
    expect(parseXml(xml).text).toBe(nasty);
    expect(escapeXml('plain')).toBe('plain');
  });

  it('tells a MoRef type attribute from xsi:type', () => {
    const node = parseXml(
      '<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ManagedObjectReference" type="Folder">group-h6</val>',
    );
    expect(node.xsiType).toBe('ManagedObjectReference');
    expect(node.attrs.type).toBe('Folder');
    expect(descend(parseXml('<a><b><c>1</c></b></a>'), 'b', 'c')?.text).toBe('1');
  });
});

describe('TLS thumbprint pinning', () => {
  const cert = { fingerprint: 'AA:BB:' + '00:'.repeat(17) + '11', fingerprint256: 'CC:DD:' + '00:'.repeat(29) + '22' } as PeerCertificate;
  it('accepts the SHA-256 or SHA-1 fingerprint in any case, with or without colons', () => {
    expect(certificateMatchesThumbprint(cert, cert.fingerprint256.toLowerCase())).toBe(true);
    expect(certificateMatchesThumbprint(cert, normalizeThumbprint(cert.fingerprint))).toBe(true);
    expect(certificateMatchesThumbprint(cert, 'CC:DD:' + '00:'.repeat(29) + '23')).toBe(false);
  });
});

describe('state, size, name and page-token mapping', () => {
  it('maps power states', () => {
    expect(vmStateFor('poweredOn')).toBe('running');
    expect(vmStateFor('poweredOff')).toBe('stopped');
    expect(vmStateFor('suspended')).toBe('stopped');
    expect(vmStateFor(undefined)).toBe('unknown');
  });

  it('maps hardware to the Skyport size table or a custom id', () => {
    expect(sizeIdFor(2, 4096)).toBe('medium');
    expect(sizeIdFor(3, 5000)).toBe('custom-3x5000');
  });

  it('derives a stable, vCenter-safe VM name from the key', () => {
    expect(vmNameForKey('sp-abc-1')).toBe('sky-sp-abc-1');
    const odd = vmNameForKey('key with spaces/and slashes');
    expect(odd).toBe(vmNameForKey('key with spaces/and slashes'));
    expect(odd).toMatch(/^sky-h-[0-9a-f]{40}$/);
    expect(vmNameForKey('x'.repeat(200)).length).toBeLessThanOrEqual(80);
  });

  it('round-trips page tokens and rejects garbage', () => {
    const token = { token: 'abc-123', view: 'session[1]2' };
    expect(decodePageToken(encodePageToken(token))).toEqual(token);
    expect(() => decodePageToken('not-a-token')).toThrow(/malformed/);
  });

  it('reads custom attributes by field name into tags and Skyport ownership', () => {
    const val = (xml: string) => parseXml(`<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${xml}</val>`);
    const content: ObjectContent = {
      obj: { type: 'VirtualMachine', value: 'vm-7' },
      props: new Map([
        ['name', val('xsi:type="xsd:string">web-1')],
        ['config.hardware.numCPU', val('xsi:type="xsd:int">1')],
        ['config.hardware.memoryMB', val('xsi:type="xsd:int">2048')],
        ['runtime.powerState', val('xsi:type="VirtualMachinePowerState">poweredOn')],
        [
          'customValue',
          val(
            'xsi:type="ArrayOfCustomFieldValue">' +
              ['a@b.c', 'p', 'r', 'id-1'].map((v, i) => `<CustomFieldValue xsi:type="CustomFieldStringValue"><key>${101 + i}</key><value>${v}</value></CustomFieldValue>`).join(''),
          ),
        ],
      ]),
    };
    const names = new Map([
      [101, 'skyport-owner'],
      [102, 'skyport-project'],
      [103, 'skyport-request'],
      [104, 'skyport-id'],
    ]);
    const vm = observedVmFrom(content, 'DC-East', names);
    expect(vm).toMatchObject({ providerId: 'vm-7', name: 'web-1', size: 'small', state: 'running', region: 'DC-East' });
    expect(vm.skyport).toEqual({ owner: 'a@b.c', project: 'p', request: 'r', skyportId: 'id-1' });
    expect(vm.createdAt).toBeUndefined(); // no config.createDate (vSphere before 6.7): charged from first sight
  });

  it('reads config.createDate as the creation time, and ignores one that is not a date', () => {
    const val = (xml: string) => parseXml(`<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${xml}</val>`);
    const content = (createDate: string): ObjectContent => ({
      obj: { type: 'VirtualMachine', value: 'vm-8' },
      props: new Map([
        ['name', val('xsi:type="xsd:string">db-1')],
        ['config.createDate', val(`xsi:type="xsd:dateTime">${createDate}`)],
      ]),
    });
    expect(observedVmFrom(content('2026-10-18T08:30:00.123Z'), 'DC-East', new Map()).createdAt).toEqual(new Date('2026-10-18T08:30:00.123Z'));
    expect(observedVmFrom(content('yesterday'), 'DC-East', new Map()).createdAt).toBeUndefined();
  });
});
