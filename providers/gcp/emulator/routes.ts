// The Compute v1 REST routes the emulator serves, named by their discovery method ids (which are
// also the operation names used for fault injection and request recording).

export interface RouteSpec {
  operation: string;
  httpMethod: 'GET' | 'POST' | 'DELETE';
  /** Discovery-style path template, relative to the service path `compute/v1/`. */
  path: string;
}

export const SERVICE_PATH = '/compute/v1/';
export const TOKEN_PATH = '/token';
export const TOKEN_OPERATION = 'oauth2.token';

const INSTANCE = 'projects/{project}/zones/{zone}/instances/{instance}';

export const COMPUTE_ROUTES: readonly RouteSpec[] = [
  { operation: 'compute.instances.insert', httpMethod: 'POST', path: 'projects/{project}/zones/{zone}/instances' },
  { operation: 'compute.instances.list', httpMethod: 'GET', path: 'projects/{project}/zones/{zone}/instances' },
  { operation: 'compute.instances.aggregatedList', httpMethod: 'GET', path: 'projects/{project}/aggregated/instances' },
  { operation: 'compute.instances.get', httpMethod: 'GET', path: INSTANCE },
  { operation: 'compute.instances.delete', httpMethod: 'DELETE', path: INSTANCE },
  { operation: 'compute.instances.start', httpMethod: 'POST', path: `${INSTANCE}/start` },
  { operation: 'compute.instances.stop', httpMethod: 'POST', path: `${INSTANCE}/stop` },
  { operation: 'compute.instances.reset', httpMethod: 'POST', path: `${INSTANCE}/reset` },
  { operation: 'compute.instances.setMachineType', httpMethod: 'POST', path: `${INSTANCE}/setMachineType` },
  { operation: 'compute.instances.setLabels', httpMethod: 'POST', path: `${INSTANCE}/setLabels` },
  { operation: 'compute.zoneOperations.get', httpMethod: 'GET', path: 'projects/{project}/zones/{zone}/operations/{operation}' },
  { operation: 'compute.zoneOperations.wait', httpMethod: 'POST', path: 'projects/{project}/zones/{zone}/operations/{operation}/wait' },
  { operation: 'compute.zones.list', httpMethod: 'GET', path: 'projects/{project}/zones' },
  { operation: 'compute.zones.get', httpMethod: 'GET', path: 'projects/{project}/zones/{zone}' },
  { operation: 'compute.regions.list', httpMethod: 'GET', path: 'projects/{project}/regions' },
  { operation: 'compute.regions.get', httpMethod: 'GET', path: 'projects/{project}/regions/{region}' },
  { operation: 'compute.machineTypes.list', httpMethod: 'GET', path: 'projects/{project}/zones/{zone}/machineTypes' },
  { operation: 'compute.machineTypes.get', httpMethod: 'GET', path: 'projects/{project}/zones/{zone}/machineTypes/{machineType}' },
  { operation: 'compute.images.list', httpMethod: 'GET', path: 'projects/{project}/global/images' },
  { operation: 'compute.images.get', httpMethod: 'GET', path: 'projects/{project}/global/images/{image}' },
];

interface CompiledRoute extends RouteSpec {
  pattern: RegExp;
  names: string[];
}

const COMPILED: CompiledRoute[] = COMPUTE_ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
});

export interface MatchedRoute {
  operation: string;
  params: Record<string, string>;
}

/** Match a request path (with the `/compute/v1/` prefix) to a route; undefined when none fits. */
export function matchRoute(method: string, pathname: string): MatchedRoute | undefined {
  if (!pathname.startsWith(SERVICE_PATH)) return undefined;
  const relative = pathname.slice(SERVICE_PATH.length);
  for (const route of COMPILED) {
    if (route.httpMethod !== method) continue;
    const match = route.pattern.exec(relative);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { operation: route.operation, params };
  }
  return undefined;
}
