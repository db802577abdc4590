import { describeBusContract } from './contract.js';
import { createMemoryBus } from './memory.js';

describeBusContract('memory', async () => createMemoryBus());
