import { handle } from '@/lib/api/handler';
import { listInstanceTypes } from '@/lib/api/operations/catalog';
import * as instanceTypes from '@/lib/catalog/instance-types';

export const dynamic = 'force-dynamic';

export const GET = handle(listInstanceTypes, async ({ db, query }) => ({ instanceTypes: await instanceTypes.listInstanceTypes(db, query.provider) }));
