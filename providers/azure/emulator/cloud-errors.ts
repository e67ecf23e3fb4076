// Error bodies in the shapes Azure really sends: ARM CloudError `{"error":{code,message,target?,details?}}`
// and the Entra ID (AAD) OAuth2 error JSON.
import { randomUUID } from 'node:crypto';

export interface CloudErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export interface ArmErrorResponse {
  status: number;
  body: { error: CloudErrorDetail & { details?: CloudErrorDetail[] } };
  headers?: Record<string, string>;
}

export function armError(
  status: number,
  code: string,
  message: string,
  extra: { target?: string; details?: CloudErrorDetail[]; headers?: Record<string, string> } = {},
): ArmErrorResponse {
  const error: ArmErrorResponse['body']['error'] = { code, message };
  if (extra.target) error.target = extra.target;
  if (extra.details) error.details = extra.details;
  return { status, body: { error }, headers: extra.headers };
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmErrorResponse {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function resourceGroupNotFound(resourceGroup: string): ArmErrorResponse {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

export function subscriptionNotFound(subscriptionId: string): ArmErrorResponse {
  return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
}

export function invalidParameter(target: string, message: string): ArmErrorResponse {
  return armError(400, 'InvalidParameter', message, { target });
}

/** Compute RP throttling: 429 + Retry-After, OperationNotAllowed with a TooManyRequests detail. */
export function throttled(operation: string): ArmErrorResponse {
  const now = new Date();
  const end = new Date(now.getTime() + 15 * 60_000);
  return armError(429, 'OperationNotAllowed', 'The server rejected the request because too many requests have been received for this subscription.', {
    details: [
      {
        code: 'TooManyRequests',
        target: 'HighCostGet30Min',
        message: JSON.stringify({
          operationGroup: 'HighCostGet30Min',
          startTime: now.toISOString(),
          endTime: end.toISOString(),
          allowedRequestCount: 800,
          measuredRequestCount: 1238,
        }),
      },
    ],
    headers: {
      'retry-after': '1',
      'x-ms-ratelimit-remaining-resource': `Microsoft.Compute/${operation};0`,
    },
  });
}

export function internalError(): ArmErrorResponse {
  return armError(500, 'InternalExecutionError', 'An internal execution error occurred. Please retry later.');
}

/** Regional vCPU quota exhaustion as the Compute RP reports it on PUT virtualMachines. */
export function quotaExceeded(location: string, family: string): ArmErrorResponse {
  const message =
    `Operation could not be completed as it results in exceeding approved ${family} Cores quota. ` +
    `Additional details - Deployment Model: Resource Manager, Location: ${location}, Current Limit: 10, Current Usage: 10, ` +
    `Additional Required: 2, (Minimum) New Limit Required: 12. Submit a request for Quota increase at ` +
    `https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView by specifying parameters listed in the 'Details' section for deployment to succeed. ` +
    `Please read more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/per-vm-quota-requests`;
  return armError(409, 'OperationNotAllowed', message, {
    details: [{ code: 'QuotaExceeded', message, target: family }],
  });
}

export function invalidAuthenticationToken(): ArmErrorResponse {
  return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
    headers: {
      'www-authenticate':
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."',
    },
  });
}

export function authenticationFailed(): ArmErrorResponse {
  return armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
}

export function operationNotAllowed(message: string): ArmErrorResponse {
  return armError(409, 'OperationNotAllowed', message);
}

/** Entra ID token endpoint error (`/{tenant}/oauth2/v2.0/token`). */
export interface EntraErrorResponse {
  status: number;
  body: {
    error: string;
    error_description: string;
    error_codes: number[];
    timestamp: string;
    trace_id: string;
    correlation_id: string;
    error_uri: string;
  };
}

export function entraError(status: number, error: string, aadsts: number, description: string): EntraErrorResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  };
}

export function invalidClientSecret(clientId: string): EntraErrorResponse {
  return entraError(
    401,
    'invalid_client',
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  );
}

export function unknownApplication(clientId: string, tenantId: string): EntraErrorResponse {
  return entraError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
}

export function tenantNotFound(tenantId: string): EntraErrorResponse {
  return entraError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

export function invalidScope(scope: string): EntraErrorResponse {
  return entraError(
    400,
    'invalid_scope',
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  );
}
