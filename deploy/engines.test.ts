import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = join(import.meta.dirname, '../scripts/check-engines.mjs');

/** Runs scripts/check-engines.mjs; resolves with its exit code and output. */
async function check(root?: string) {
  try {
    const { stdout } = await run(process.execPath, root ? [script, root] : [script]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('installed dependencies accept the oldest Node in engines (issue 18)', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'rc-engines-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('holds for this repository: every package in node_modules accepts Node 20.19', async () => {
    const r = await check();
    expect(r.out).toMatch(/all \d+ installed packages accept Node 20\.19\.0/);
    expect(r.code).toBe(0);
  });

  it('fails naming a nested package that needs a newer Node', async () => {
    const put = (dir: string, pkg: object) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
    };
    put(fixture, { name: 'app', engines: { node: '>=20.19' }, workspaces: ['web'] });
    put(join(fixture, 'node_modules/ok'), { name: 'ok', version: '1.0.0', engines: { node: '>=18' } });
    put(join(fixture, 'node_modules/@scope/lib/node_modules/newer'), { name: 'newer', version: '3.1.0', engines: { node: '>=22' } });
    put(join(fixture, 'node_modules/@scope/lib'), { name: '@scope/lib', version: '1.0.0' });
    put(join(fixture, 'web/node_modules/machina'), { name: 'machina', version: '7.0.1', engines: { node: '>=22.22' } });
    const r = await check(fixture);
    expect(r.code).toBe(1);
    expect(r.out).toContain('node_modules/@scope/lib/node_modules/newer@3.1.0 wants node >=22');
    expect(r.out).toContain('web/node_modules/machina@7.0.1 wants node >=22.22');
    expect(r.out).not.toContain('ok@');
  });
});
