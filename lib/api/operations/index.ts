// Every API operation, for the OpenAPI document and the authorization test. Each area file exports
// `operations`; a route file whose operation is not listed fails the route-coverage test
// (app/api/authorization.test.ts).
import type { Operation } from '../operation';
import { operations as audit } from './audit';
import { operations as catalog } from './catalog';
import { operations as me } from './me';
import { operations as projects } from './projects';
import { operations as providerAccounts } from './provider-accounts';
import { getHealth, getOpenApiDocument } from './system';
import { operations as tokens } from './tokens';
import { operations as users } from './users';

export const ALL_OPERATIONS: readonly Operation[] = [
  getHealth,
  getOpenApiDocument,
  ...me,
  ...tokens,
  ...projects,
  ...users,
  ...catalog,
  ...providerAccounts,
  ...audit,
];
