// Every API operation, for the OpenAPI document and the authorization test. Each area file exports
// `operations`; a route file whose operation is not listed fails the route-coverage test
// (app/api/authorization.test.ts).
import type { Operation } from '../operation';
import { operations as approvals } from './approvals';
import { operations as audit } from './audit';
import { operations as budgets } from './budgets';
import { operations as catalog } from './catalog';
import { operations as costs } from './costs';
import { operations as me } from './me';
import { operations as notifications } from './notifications';
import { operations as policies } from './policies';
import { operations as projects } from './projects';
import { operations as providerAccounts } from './provider-accounts';
import { operations as requests } from './requests';
import { getHealth, getOpenApiDocument } from './system';
import { operations as tokens } from './tokens';
import { operations as users } from './users';
import { operations as vms } from './vms';
import { operations as vmActions } from './vms-actions';

export const ALL_OPERATIONS: readonly Operation[] = [
  getHealth,
  getOpenApiDocument,
  ...me,
  ...tokens,
  ...projects,
  ...users,
  ...catalog,
  ...providerAccounts,
  ...vms,
  ...vmActions,
  ...requests,
  ...audit,
  ...policies,
  ...approvals,
  ...notifications,
  ...costs,
  ...budgets,
];
