import type { Operation } from '../operation';

export const operations: Operation[] = [];
