// vim25 wire encoding for the emulator: envelopes, faults and xsi:typed property values, shaped
// like vCenter's replies (see the pyvmomi cassettes in the shared fixtures).
import { escapeXml, type MoRef } from '../soap/xml';

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"\n' +
  ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n' +
  ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n';
const ENVELOPE_CLOSE = '\n</soapenv:Body>\n</soapenv:Envelope>';

/** `<MethodResponse xmlns="urn:vim25">returnval…</MethodResponse>` in an envelope. */
export function responseEnvelope(method: string, content: string): string {
  return `${ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">${content}</${method}Response>${ENVELOPE_CLOSE}`;
}

/** A vim25 fault raised by a handler; becomes an HTTP 500 SOAP Fault (or a TaskInfo.error). */
export class VimFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** Serialized fault fields (e.g. `<obj type=…>` for ManagedObjectNotFound). */
    readonly fieldsXml = '',
  ) {
    super(message);
    this.name = 'VimFault';
  }
}

export function faultEnvelope(fault: VimFault): string {
  const detail = `<${fault.type}Fault xmlns="urn:vim25" xsi:type="${fault.type}">${fault.fieldsXml}</${fault.type}Fault>`;
  return (
    ENVELOPE_OPEN +
    `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${escapeXml(fault.message)}</faultstring>` +
    `<detail>${detail}</detail></soapenv:Fault>` +
    ENVELOPE_CLOSE
  );
}

/** Body of a load-shedding reply (HTTP 503), as vCenter's reverse proxy gives under pressure. */
export function busyEnvelope(): string {
  return (
    ENVELOPE_OPEN +
    '<soapenv:Fault><faultcode>ServerFaultCode</faultcode>' +
    '<faultstring>503 Service Unavailable (the server is busy; too many concurrent requests)</faultstring>' +
    '</soapenv:Fault>' +
    ENVELOPE_CLOSE
  );
}

export const faults = {
  notFound: (ref: MoRef) =>
    new VimFault(
      'ManagedObjectNotFound',
      `The object '${ref.type}:${ref.value}' has already been deleted or has not been completely created`,
      moRef('obj', ref),
    ),
  invalidArgument: (property: string) =>
    new VimFault('InvalidArgument', `A specified parameter was not correct: ${property}`, text('invalidProperty', property)),
  invalidProperty: (name: string) => new VimFault('InvalidProperty', `Invalid property: ${name}`, text('name', name)),
  duplicateName: (name: string, parent: MoRef) =>
    new VimFault('DuplicateName', `The name '${name}' already exists.`, text('name', name) + moRef('object', parent)),
  invalidPowerState: (requested: string, existing: string) =>
    new VimFault(
      'InvalidPowerState',
      'The attempted operation cannot be performed in the current state (' + existing + ').',
      text('requestedState', requested) + text('existingState', existing),
    ),
  notAuthenticated: () => new VimFault('NotAuthenticated', 'The session is not authenticated.'),
  invalidLogin: () => new VimFault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.'),
  methodNotFound: (method: string) =>
    new VimFault('MethodNotFound', `Method ${method} is not implemented by this emulator`, text('method', method)),
  systemError: () => new VimFault('SystemError', 'A general system error occurred: Internal server error', text('reason', 'Internal server error')),
  insufficientResources: () =>
    new VimFault('InsufficientResourcesFault', 'Insufficient resources to satisfy configured failover level for vSphere HA.'),
  invalidState: (message: string) => new VimFault('InvalidState', message),
};

// ---- value encoding ----

/** A property value: the `<val>` element's xsi:type, extra attributes and serialized content. */
export interface WireValue {
  xsiType: string;
  attrs?: Record<string, string>;
  inner: string;
}

export function text(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function moRef(name: string, ref: MoRef, withXsiType = false): string {
  const xsi = withXsiType ? ' xsi:type="ManagedObjectReference"' : '';
  return `<${name} type="${ref.type}"${xsi}>${escapeXml(ref.value)}</${name}>`;
}

export const values = {
  string: (value: string): WireValue => ({ xsiType: 'xsd:string', inner: escapeXml(value) }),
  int: (value: number): WireValue => ({ xsiType: 'xsd:int', inner: String(value) }),
  long: (value: number): WireValue => ({ xsiType: 'xsd:long', inner: String(value) }),
  boolean: (value: boolean): WireValue => ({ xsiType: 'xsd:boolean', inner: String(value) }),
  dateTime: (value: Date): WireValue => ({ xsiType: 'xsd:dateTime', inner: value.toISOString() }),
  enumValue: (type: string, value: string): WireValue => ({ xsiType: type, inner: escapeXml(value) }),
  moRef: (ref: MoRef): WireValue => ({ xsiType: 'ManagedObjectReference', attrs: { type: ref.type }, inner: escapeXml(ref.value) }),
  moRefs: (refs: readonly MoRef[]): WireValue => ({
    xsiType: 'ArrayOfManagedObjectReference',
    inner: refs.map((r) => moRef('ManagedObjectReference', r, true)).join(''),
  }),
  strings: (items: readonly string[]): WireValue => ({
    xsiType: 'ArrayOfString',
    inner: items.map((s) => `<string xsi:type="xsd:string">${escapeXml(s)}</string>`).join(''),
  }),
  data: (xsiType: string, inner: string): WireValue => ({ xsiType, inner }),
};

export function valElement(value: WireValue): string {
  let attrs = '';
  for (const [key, v] of Object.entries(value.attrs ?? {})) attrs += ` ${key}="${escapeXml(v)}"`;
  return `<val${attrs} xsi:type="${value.xsiType}">${value.inner}</val>`;
}
