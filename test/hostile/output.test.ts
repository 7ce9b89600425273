// What plens does when its output cannot be written, and the bad inputs that are always one line and exit 2
// (issue 10): EPIPE ends quietly, ENOSPC is one line and exit 1, a --json or trace too large to build is refused
// with its limit, and malformed numbers never turn into a run.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundlePlens, HANG_BOUND_MS, workspace, type Plens } from './cli';

let plens: Plens;
beforeAll(() => { plens = bundlePlens(); }, 60_000);

const SMALL = ['schedule', '--schedule', '1f1b', '--pp', '4', '--microbatches', '8'];

describe('output that cannot be written', () => {
  it('a reader that closes the pipe early (| head -c 1) ends plens quietly, with its own exit code', () => {
    const cli = join(plens.folder, 'cli.js');
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${cli}" schedule --schedule 1f1b --pp 8 --microbatches 2000 | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8', timeout: HANG_BOUND_MS * 2,
    });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('0');
  });

  it('a full device (/dev/full): one line on stderr and exit 1', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = plens.run(SMALL, { stdout: full });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('plens: cannot write the output: no space left on the device (ENOSPC)\n');
    } finally {
      closeSync(full);
    }
  });

  it('trace --out into a folder that does not exist, or onto a full device: one line each', () => {
    const ws = workspace(plens, 'trace');
    const config = ws.script('model=llama3-8b', 'good.plens.yaml');
    const missing = plens.run(['trace', config, '--out', join(ws.dir, 'no', 'such', 'folder', 'trace.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^plens trace: cannot write \S+trace\.json: its folder does not exist\n$/);
    const full = plens.run(['trace', config, '--out', '/dev/full']);
    expect(full.status).toBe(1);
    expect(full.stderr).toBe('plens trace: cannot write /dev/full: no space left on the device (ENOSPC)\n');
  });

  it('--json of a schedule too large to hold as one string is refused with its size limit, --summary still works', () => {
    const huge = ['schedule', '--schedule', '1f1b', '--pp', '64', '--microbatches', '65536'];
    const refused = plens.run([...huge, '--json']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('plens schedule: --json and --trace list every op, and this schedule has up to 25,165,824 ops, above the limit of 1,000,000 (about 80 MB of JSON): use --summary, or fewer micro-batches\n');
    expect(refused.stderr).not.toMatch(/Invalid string length/);
    const summary = spawnSync(process.execPath, [join(plens.folder, 'cli.js'), ...huge, '--json', '--summary'], { encoding: 'utf8', timeout: 30_000 });
    expect(summary.status).toBe(0);
    expect(JSON.parse(summary.stdout).pp).toBe(64);
  }, 40_000);
});

describe('bad input: exit 2 with one line', () => {
  const cases: [string, string[], string][] = [
    ['--nodes 1e308', ['estimate', 'good.plens.yaml', '--nodes', '1e308'], 'plens estimate: --nodes must be a whole number in digits, got "1e308"'],
    ['--nodes beyond any cluster', ['estimate', 'good.plens.yaml', '--nodes', '99999999999'], 'plens estimate: --nodes must be at most 1000000, got 99999999999'],
    ['0x10 where a decimal is expected', [...SMALL.slice(0, 3), '--pp', '0x10', '--microbatches', '8'], 'plens schedule: --pp must be a decimal number, got "0x10"'],
    ['a non-finite cost', [...SMALL, '--f', '1e400'], 'plens schedule: --f must be a finite number, got "1e400"'],
    ['Infinity as a cost', [...SMALL, '--b', 'Infinity'], 'plens schedule: --b must be a decimal number, got "Infinity"'],
    ['a cost so large the step would overflow', [...SMALL, '--f', '1e300'], 'plens schedule: --f must be at most 1000000000000, got 1e300'],
    ['--chunks 3 for a two-chunk schedule', ['schedule', '--schedule', 'zbv', '--pp', '4', '--microbatches', '8', '--chunks', '3'], 'plens schedule: --chunks 3: ZB-V always runs 2 chunks per rank (only interleaved-1f1b takes --chunks)'],
    ['--chunks 2 for a one-chunk schedule', [...SMALL, '--chunks', '2'], 'plens schedule: --chunks 2: 1F1B always runs 1 chunk per rank (only interleaved-1f1b takes --chunks)'],
    ['a hexadecimal threshold', ['check', 'good.plens.yaml', '--max-bubble', '0x1'], 'plens check: --max-bubble must be a decimal number, got "0x1"'],
  ];
  it.each(cases)('%s', (_name, args, line) => {
    const ws = workspace(plens, 'argv');
    ws.script('model=llama3-8b', 'good.plens.yaml');
    const result = plens.run(args, { cwd: ws.dir });
    expect(result.error).toBeUndefined();
    expect([result.status, result.stderr]).toEqual([2, `${line}\n`]);
  });

  it('the chunk count a schedule does take still works', () => {
    const result = plens.run(['schedule', '--schedule', 'interleaved-1f1b', '--pp', '4', '--microbatches', '8', '--chunks', '3', '--summary']);
    expect(result.status).toBe(0);
  });
});
