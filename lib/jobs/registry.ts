// The task list and cron list of the whole app (contract 2), assembled from each area's own
// lib/<area>/tasks.ts. One import line per area; task names are '<area>.<verb>'.
import type { CronItem, TaskList } from './types';
import * as approvals from '../approvals/tasks';
import * as billing from '../billing/tasks';
import * as inventory from '../inventory/tasks';
import * as notifications from '../notifications/tasks';
import * as provisioning from '../provisioning/tasks';
import * as vms from '../vms/tasks';

const areas: { tasks: TaskList; cron: CronItem[] }[] = [provisioning, vms, approvals, inventory, notifications, billing];

export const tasks: TaskList = Object.assign({}, ...areas.map((a) => a.tasks)) as TaskList;
export const cron: CronItem[] = areas.flatMap((a) => a.cron);
