// Imports inside src/config run one way: a reader folder uses the shared machinery, never the reverse, and no
// group of files imports each other in a circle (type-only imports included: a circle of types is still a
// circle a reader of the code has to hold in mind at once).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CONFIG_DIR = resolve(__dirname, '../../src/config');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The files under src/config that `file` imports (relative imports only; other packages are not edges). */
function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2];
    if (specifier === undefined) continue;
    const base = resolve(dirname(file), specifier);
    const target = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
    if (target !== undefined && target.startsWith(CONFIG_DIR)) found.push(target);
  }
  return found;
}

/** Every strongly connected group of more than one file (or a file importing itself), each as sorted names. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe('imports inside src/config', () => {
  it('the cycle finder finds a circle of three and a self-import, and nothing in a chain', () => {
    const circle = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]]);
    expect(importCycles(circle)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('the import reader sees static, type-only, re-export and dynamic imports', () => {
    const file = join(CONFIG_DIR, 'index.ts');
    const text = [
      "import { a } from './types';",
      "import type {\n  B,\n} from './draft/draftBuilder';",
      "export { c } from './completion/complete';",
      "const d = await import('./yaml/yamlTree');",
      "import { parse } from 'yaml';",
    ].join('\n');
    expect(importsOf(file, text).map((path) => relative(CONFIG_DIR, path))).toEqual([
      'types.ts', 'draft/draftBuilder.ts', 'completion/complete.ts', 'yaml/yamlTree.ts',
    ]);
  });

  it('no file imports itself back through others', () => {
    const files = sourceFiles(CONFIG_DIR);
    expect(files.length).toBeGreaterThan(40);
    const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(file, 'utf8'))]));
    const cycles = importCycles(graph).map((group) => group.map((file) => relative(CONFIG_DIR, file)));
    expect(cycles).toEqual([]);
  });
});
