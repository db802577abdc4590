import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from './tokens.js';

describe('access token verification (remembered until expiry)', () => {
  const secret = new TextEncoder().encode('s'.repeat(32));

  it('a remembered token stops verifying when it expires', async () => {
    const token = await signAccessToken(secret, { sub: '1', fam: '2' }, 2);
    expect(await verifyAccessToken(secret, token)).toMatchObject({ sub: '1', fam: '2' });
    expect(await verifyAccessToken(secret, token)).toMatchObject({ sub: '1', fam: '2' }); // remembered
    const exp = (await verifyAccessToken(secret, token))?.exp ?? 0;
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    expect(await verifyAccessToken(secret, token)).toBeNull();
  });

  it('what one secret verified does not verify with another', async () => {
    const token = await signAccessToken(secret, { sub: '1', fam: '2' });
    expect(await verifyAccessToken(secret, token)).not.toBeNull();
    expect(await verifyAccessToken(new TextEncoder().encode('t'.repeat(32)), token)).toBeNull();
  });

  it('a tampered token is refused even when the original is remembered', async () => {
    const token = await signAccessToken(secret, { sub: '1', fam: '2' });
    expect(await verifyAccessToken(secret, token)).not.toBeNull();
    const [h, p, sig] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: '3' })).toString('base64url');
    expect(await verifyAccessToken(secret, `${h}.${other}.${sig}`)).toBeNull();
  });
});
