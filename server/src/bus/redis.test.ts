import { describe, it } from 'vitest';
import { describeBusContract, describeBusLog } from './contract.js';
import { createRedisBus } from './redis.js';

const url = process.env.TEST_REDIS_URL;
const prefix = `test-${process.pid}-${Date.now()}`;
if (url) {
  describeBusContract('redis', () => createRedisBus(url, prefix));
  describeBusLog('redis', () => createRedisBus(url, `${prefix}-log`));
} else describe.skip('Bus contract: redis (set TEST_REDIS_URL)', () => it('skipped', () => {}));
