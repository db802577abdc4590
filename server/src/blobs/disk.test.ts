import { describeBlobContract } from './contract.js';

describeBlobContract('disk', () => ({}));
