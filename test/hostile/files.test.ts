// A workspace as an attacker would write it (issue 10): files a `# plens: model=` directive names that are devices,
// FIFOs, folders, symlinks out of the workspace, or too large. Each is one per-file problem at the directive (or,
// for a FILE on the command line, one line and exit 2), never a hang, an internal error, or a stop to the other
// files of the same `plens check`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundlePlens, HANG_BOUND_MS, workspace, type Plens } from './cli';

let plens: Plens;
beforeAll(() => { plens = bundlePlens(); }, 60_000);

/** The `directive/model-file` line of a check's output for one script. */
function modelFileProblem(stdout: string, script: string): string | undefined {
  return stdout.split('\n').find((line) => line.startsWith(`${script}:1:`) && line.includes('directive/model-file'));
}

describe('files named by # plens: model=', () => {
  it('/dev/zero is a device: refused at the directive, not read', () => {
    const ws = workspace(plens, 'zero');
    ws.script('model=/dev/zero', 'zero.plens.yaml');
    const inside = plens.run(['check', 'zero.plens.yaml'], { cwd: ws.dir });
    expect(inside.error).toBeUndefined();
    expect(modelFileProblem(inside.stdout, 'zero.plens.yaml')).toMatch(/outside the config's folder/);
    // Allowed outside, it is still a device.
    const outside = plens.run(['check', 'zero.plens.yaml', '--allow-outside'], { cwd: ws.dir });
    expect(outside.error).toBeUndefined();
    expect(modelFileProblem(outside.stdout, 'zero.plens.yaml')).toMatch(/"\/dev\/zero".*a device, not a regular file/);
    expect(outside.stdout + outside.stderr).not.toMatch(/internal error/);
  }, HANG_BOUND_MS * 3);

  it('a committed symlink to /dev/zero is resolved and refused the same way', () => {
    const ws = workspace(plens, 'zerolink');
    symlinkSync('/dev/zero', join(ws.dir, 'config.json'));
    ws.script('model=./config.json', 'link.plens.yaml');
    const result = plens.run(['check', 'link.plens.yaml', '--allow-outside'], { cwd: ws.dir });
    expect(result.error).toBeUndefined();
    expect(modelFileProblem(result.stdout, 'link.plens.yaml')).toMatch(/a device, not a regular file/);
  });

  it('a FIFO is refused without waiting for a writer', () => {
    const ws = workspace(plens, 'fifo');
    execFileSync('mkfifo', [join(ws.dir, 'config.json')]);
    ws.script('model=./config.json', 'fifo.plens.yaml');
    const result = plens.run(['check', 'fifo.plens.yaml'], { cwd: ws.dir });
    expect(result.error).toBeUndefined();
    expect(modelFileProblem(result.stdout, 'fifo.plens.yaml')).toMatch(/a named pipe \(FIFO\), not a regular file/);
  });

  it('a folder is refused', () => {
    const ws = workspace(plens, 'folder');
    mkdirSync(join(ws.dir, 'config.json'));
    ws.script('model=./config.json', 'dir.plens.yaml');
    const result = plens.run(['check', 'dir.plens.yaml'], { cwd: ws.dir });
    expect(modelFileProblem(result.stdout, 'dir.plens.yaml')).toMatch(/a folder, not a regular file/);
  });

  it('a symlink leaving the workspace, and ../../etc/passwd, are refused and nothing of the target is shown', () => {
    const ws = workspace(plens, 'escape');
    symlinkSync('/etc/passwd', join(ws.dir, 'config.json'));
    ws.script('model=./config.json', 'link.plens.yaml');
    ws.script('model=../../../../../../../../etc/passwd', 'dots.plens.yaml');
    const result = plens.run(['check', 'link.plens.yaml', 'dots.plens.yaml'], { cwd: ws.dir });
    expect(modelFileProblem(result.stdout, 'link.plens.yaml')).toMatch(/resolves to \/etc\/passwd, outside the config's folder and the working directory/);
    expect(modelFileProblem(result.stdout, 'dots.plens.yaml')).toMatch(/outside the config's folder and the working directory/);
    expect(result.stdout).not.toMatch(/root:/);
  });

  it('a model file larger than 4 MiB is refused by its size, before it is read', () => {
    const ws = workspace(plens, 'large');
    writeFileSync(join(ws.dir, 'config.json'), `{"hidden_size": 4096, "pad": "${'x'.repeat(5 * 1024 * 1024)}"}`);
    ws.script('model=./config.json', 'large.plens.yaml');
    const result = plens.run(['check', 'large.plens.yaml'], { cwd: ws.dir });
    expect(modelFileProblem(result.stdout, 'large.plens.yaml')).toMatch(/5\.0 MiB is larger than any config plens reads \(limit 4 MiB\)/);
  });

  it('a model file inside the workspace is still read', () => {
    const ws = workspace(plens, 'good');
    writeFileSync(join(ws.dir, 'config.json'), readFileSyncText('test/fixtures/hf/llama3_1_70b_instruct_config.json'));
    ws.script('model=./config.json', 'good.plens.yaml');
    const result = plens.run(['check', 'good.plens.yaml'], { cwd: ws.dir });
    expect(result.stdout).not.toMatch(/directive\/model-file/);
  });
});

describe('files on the command line', () => {
  it('a device, a FIFO, a folder, an oversized and a binary file are each one line on stderr, exit 2, and do not stop the other files', () => {
    const ws = workspace(plens, 'argv');
    execFileSync('mkfifo', [join(ws.dir, 'pipe.plens.yaml')]);
    mkdirSync(join(ws.dir, 'folder.plens.yaml'));
    writeFileSync(join(ws.dir, 'big.json'), `{"pad": "${'x'.repeat(5 * 1024 * 1024)}"}`);
    writeFileSync(join(ws.dir, 'binary.plens.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    ws.script('model=llama3-8b', 'good.plens.yaml');
    symlinkSync('/dev/zero', join(ws.dir, 'zero.yaml'));
    const result = plens.run(['check', 'zero.yaml', 'pipe.plens.yaml', 'folder.plens.yaml', 'big.json', 'binary.plens.yaml', 'good.plens.yaml'], { cwd: ws.dir });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'zero.yaml: a device, not a regular file; plens reads regular files only',
      'pipe.plens.yaml: a named pipe (FIFO), not a regular file; plens reads regular files only',
      'folder.plens.yaml: a folder, not a regular file; plens reads regular files only',
      'big.json: 5.0 MiB is larger than any config plens reads (limit 4 MiB); not read',
      'binary.plens.yaml: the file contains NUL bytes: it is binary, not a config file',
    ]);
    // The good file was still checked.
    expect(result.stdout).toMatch(/^6 files checked: \d+ errors?, \d+ warnings?, 5 not read \(see stderr\)$/m);
    expect(result.stdout).not.toMatch(/^good\.plens\.yaml:\d+:\d+: error/m);
  });

  it('estimate of a binary file: exit 2 with one line', () => {
    const ws = workspace(plens, 'binary');
    writeFileSync(join(ws.dir, 'binary.json'), Buffer.from([0x7b, 0, 0x7d]));
    const result = plens.run(['estimate', 'binary.json'], { cwd: ws.dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('plens estimate: binary.json: the file contains NUL bytes: it is binary, not a config file\n');
  });
});

describe('tree-sitter grammars', () => {
  it("come from plens's own folder: a workspace's node_modules and loose .wasm files are never loaded", () => {
    const ws = workspace(plens, 'grammars');
    // What a hostile workspace could plant where a careless loader might look: garbage that fails to compile.
    const junk = Buffer.from('\0asm not a grammar');
    for (const [dir, file] of [['web-tree-sitter', 'web-tree-sitter.wasm'], ['tree-sitter-bash', 'tree-sitter-bash.wasm'], ['tree-sitter-python', 'tree-sitter-python.wasm']]) {
      mkdirSync(join(ws.dir, 'node_modules', dir!), { recursive: true });
      writeFileSync(join(ws.dir, 'node_modules', dir!, file!), junk);
      writeFileSync(join(ws.dir, file!), junk);
    }
    writeFileSync(join(ws.dir, 'train.sh'), 'torchrun pretrain_gpt.py --num-layers 8 --hidden-size 1024 --num-attention-heads 16 --tensor-model-parallel-size 2\n');
    // Compiling the grammars takes over a second of CPU: a set-up with a generous bound, not a hang test.
    const result = spawnSync(process.execPath, [join(plens.folder, 'cli.js'), 'estimate', 'train.sh', '--json'], { cwd: ws.dir, encoding: 'utf8', timeout: 30_000 });
    expect(result.error).toBeUndefined();
    const json = JSON.parse(result.stdout) as { format: string; design: { plan: { tp: number }; model: { layers: number } }; problems: { code: string }[] };
    // The script was parsed by the shipped grammar: its flags are read and no reader says it lacks a grammar.
    expect(json.format).toBe('megatron-shell');
    expect([json.design.plan.tp, json.design.model.layers]).toEqual([2, 8]);
    expect(json.problems.map((problem) => problem.code)).not.toContain('reader/not-initialised');
  }, 40_000);
});

function readFileSyncText(path: string): string {
  return execFileSync('cat', [path], { encoding: 'utf8' });
}
