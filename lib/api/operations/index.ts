// Every API operation, for the OpenAPI document and the authorization test. A route file whose
// operation is not listed here fails the route-coverage test (app/api/routes.test.ts).
import type { Operation } from '../operation';
import { getHealth, getOpenApiDocument } from './system';

export const ALL_OPERATIONS: readonly Operation[] = [getHealth, getOpenApiDocument];
