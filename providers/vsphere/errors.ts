// vim25 faults → Skyport's normalized ProviderError. The fault's xsi:type (InvalidLogin,
// DuplicateName, …) becomes providerCode; faultstring / localizedMessage becomes providerMessage.
import { codeForHttpStatus, ProviderError, type ProviderErrorCode } from '../errors';
import { child, descend, type XmlNode } from './soap/xml';

interface FaultRule {
  code: ProviderErrorCode;
  retryable?: boolean;
}

// Grouped by what a caller should do, not by the vim25 type hierarchy.
const FAULT_RULES: Record<string, FaultRule> = {
  InvalidLogin: { code: 'auth_failed' },
  NotAuthenticated: { code: 'auth_failed' },
  NoPermission: { code: 'auth_failed' },
  NoClientCertificate: { code: 'auth_failed' },
  ManagedObjectNotFound: { code: 'not_found' },
  NotFound: { code: 'not_found' },
  InvalidArgument: { code: 'invalid_request' },
  InvalidRequest: { code: 'invalid_request' },
  InvalidType: { code: 'invalid_request' },
  InvalidProperty: { code: 'invalid_request' },
  MethodNotFound: { code: 'invalid_request' },
  NotSupported: { code: 'invalid_request' },
  NotImplemented: { code: 'invalid_request' },
  InvalidName: { code: 'invalid_request' },
  DuplicateName: { code: 'conflict', retryable: false },
  AlreadyExists: { code: 'conflict', retryable: false },
  InvalidPowerState: { code: 'conflict', retryable: false },
  InvalidState: { code: 'conflict', retryable: false },
  TaskInProgress: { code: 'conflict', retryable: true },
  ConcurrentAccess: { code: 'conflict', retryable: true },
  InsufficientResourcesFault: { code: 'quota_exceeded' },
  InsufficientCpuResourcesFault: { code: 'quota_exceeded' },
  InsufficientMemoryResourcesFault: { code: 'quota_exceeded' },
  InsufficientHostCapacityFault: { code: 'quota_exceeded' },
  NotEnoughLicenses: { code: 'quota_exceeded' },
  OutOfBounds: { code: 'quota_exceeded' },
  NoDiskSpace: { code: 'quota_exceeded' },
  RequestCanceled: { code: 'unavailable' },
  HostCommunication: { code: 'unavailable' },
  SystemError: { code: 'unavailable' },
  ServerBusy: { code: 'throttled' },
};

/** A fault as it appears on the wire: SOAP Fault detail or TaskInfo.error. */
export interface VimFaultInfo {
  /** vim25 type name, e.g. `InvalidLogin`; `ServerFaultCode` when the detail names none. */
  type: string;
  message: string;
}

/** Read the fault type and message from a `<soapenv:Fault>` element. */
export function parseSoapFault(fault: XmlNode): VimFaultInfo {
  const message = child(fault, 'faultstring')?.text ?? 'SOAP fault';
  const detail = child(fault, 'detail')?.children[0];
  const type = detail?.xsiType ?? detail?.name.replace(/Fault$/, '') ?? child(fault, 'faultcode')?.text ?? 'ServerFaultCode';
  return { type, message };
}

/** Read a LocalizedMethodFault (TaskInfo.error): `<fault xsi:type=…/><localizedMessage>…`. */
export function parseLocalizedFault(error: XmlNode): VimFaultInfo {
  const fault = child(error, 'fault');
  const message = child(error, 'localizedMessage')?.text || descend(fault, 'faultMessage', 'message')?.text || '';
  return { type: fault?.xsiType ?? 'SystemError', message: message || fault?.xsiType || 'task failed' };
}

export function faultToProviderError(fault: VimFaultInfo, httpStatus?: number): ProviderError {
  const rule: FaultRule =
    FAULT_RULES[fault.type] ??
    (fault.type.startsWith('Insufficient') ? { code: 'quota_exceeded' } : undefined) ??
    { code: httpStatus && httpStatus !== 500 ? codeForHttpStatus(httpStatus) : 'unavailable' };
  return new ProviderError(rule.code, `vSphere ${fault.type}: ${fault.message}`, {
    providerCode: fault.type,
    providerMessage: fault.message,
    httpStatus,
    retryable: rule.retryable,
  });
}

/** An HTTP reply that carried no SOAP fault (a proxy's 503 page, a 404 for a wrong path). */
export function httpStatusToProviderError(status: number, bodySnippet: string): ProviderError {
  const code: ProviderErrorCode = status === 503 ? 'throttled' : codeForHttpStatus(status);
  return new ProviderError(code, `vSphere endpoint answered HTTP ${status}`, {
    providerCode: `HTTP${status}`,
    providerMessage: bodySnippet.slice(0, 300) || `HTTP ${status}`,
    httpStatus: status,
  });
}
