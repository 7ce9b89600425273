// The YAML inputs the CST reading path is checked on: every YAML file the repository ships (fixtures, reader and
// extension test data, examples) and seeded random mutations of them, weighted towards the constructs where a
// hand-rolled reading would drift from the yaml package's composer (anchors, tags, flow collections, quoting,
// indentation, comments, numbers in every core-schema spelling).
import { readFileSync } from 'node:fs';
import type { ReadResult } from '../../../src/config/types';
import { listFiles, seededRandom } from '../../testInputs';
import type { YamlNode } from '../../../src/config/yaml/yamlTree';

export interface YamlInput {
  name: string;
  text: string;
}

const ROOTS = ['test/fixtures', 'test/config/data', 'test/extension/data', 'examples'];


export function yamlFiles(): YamlInput[] {
  return ROOTS.flatMap(listFiles)
    .filter((path) => /\.ya?ml$/.test(path))
    .sort()
    .map((path) => ({ name: path, text: readFileSync(path, 'utf8') }));
}


const INSERTS = [
  '&a ', '*a', '&a', '*a\n', '!!str ', '!!int ', '!custom ', '! ', '<<: *a\n', '<<: ', '? ', '? a\n: b\n', '- ', '-', '---\n', '--- ',
  '...\n', '%YAML 1.2\n---\n', '%TAG ! tag:x,2000:\n', '\t', '  ', '    ', '\n', '\r\n', '\r', ' #c', '#', '# plens: gpu=H800\n',
  ':', ': ', ' : ', ',', '{', '}', '[', ']', '{a: 1}', '[1, 2]', '{}', '[]', '[a, [b]]', '{a: [1, {b: c}]}', '|\n', '|-\n  x\n',
  '>\n  a\n  b\n', '"', "'", '"\\q"', '"\\u00e9"', "'it''s'", '"a\nb"', '0x10', '0o17', '017', '+12', '-0', '.inf', '-.Inf', '.nan',
  '1e-4', '1E+3', '3.', '.5', '1_000', '~', 'null', 'Null', 'NULL', 'True', 'FALSE', 'yes', 'on', '99999999999999999999', '1e308',
  '${', '}', '${.hidden_size}', '${multiply:2,${.x}}', '@', '`', '%', '\u0000', '\uFEFF', '\u00a0', 'é',
];

/** Values in every spelling the core schema resolves differently, to put where a value was. */
const VALUES = [
  '0x10', '0o17', '017', '+12', '-0', '.inf', '-.Inf', '.NaN', '1e-4', '1E+3', '-2.5e-3', '3.', '.5', '1_000', '~', 'null', 'NULL', '',
  'True', 'false', 'FALSE', 'yes', 'off', '99999999999999999999', '"8"', "'8'", '"a\\tb"', '[1, 2]', '[0, 1, ${.x}]', '{}', '[]',
  '{a: 1, b: [2]}', '|\n    text', '>-\n    folded\n    text', '${.hidden_size}', '${multiply:2,4}', 'a # comment', '  # comment only',
  '- 1\n  - 2', '"unterminated', '&anchor 4', '*anchor', '!!str 4', '!!float 4', 'a: b', 'a:b', '@x', '`x`', '%x', ',x', '? x',
];

/** Puts a value after the `: ` of the line at `at`, keeping the file's structure (most of these read by the CST). */
function replaceValue(text: string, at: number, value: string): string {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
  const colon = text.indexOf(': ', lineStart);
  if (colon < 0 || colon >= lineEnd) return text;
  return text.slice(0, colon + 2) + value + text.slice(lineEnd);
}

function mutate(text: string, next: () => number): string {
  let out = text;
  const steps = 1 + Math.floor(next() * 3);
  for (let i = 0; i < steps; i++) {
    // Edits land at line starts half the time: that is where indentation and structure change.
    let at = Math.floor(next() * (out.length + 1));
    if (next() < 0.5) at = out.lastIndexOf('\n', at) + 1;
    const kind = Math.floor(next() * 8);
    if (kind >= 6) out = replaceValue(out, at, VALUES[Math.floor(next() * VALUES.length)]!);
    else if (kind <= 2) out = out.slice(0, at) + INSERTS[Math.floor(next() * INSERTS.length)]! + out.slice(at);
    else if (kind === 3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 40));
    else if (kind === 4) out = out.slice(0, at) + String.fromCharCode(32 + Math.floor(next() * 95)) + out.slice(at + 1);
    else {
      const end = Math.min(out.length, at + Math.floor(next() * 300));
      out = out.slice(0, end) + out.slice(at, end) + out.slice(end);
    }
  }
  return out;
}

/** `count` mutations, each of a whole file or a window of one, named after the file they came from. */
export function yamlMutations(files: YamlInput[], count: number, seed: number): YamlInput[] {
  const next = seededRandom(seed);
  const out: YamlInput[] = [];
  for (let i = 0; i < count; i++) {
    const base = files[Math.floor(next() * files.length)]!;
    let text = base.text;
    if (next() < 0.3) {
      const start = Math.floor(next() * text.length);
      text = text.slice(start, start + 200 + Math.floor(next() * 3000));
    }
    out.push({ name: base.name, text: mutate(text, next) });
  }
  return out;
}

/** A read as stable text: the source map as entries, numbers JSON cannot spell (NaN, ±Infinity, -0) spelled out. */
export function readJson(result: ReadResult | undefined): string {
  if (!result) return 'undefined';
  const plain = { format: result.format, design: result.design, sourceMap: [...result.sourceMap.entries()], problems: result.problems };
  return JSON.stringify(plain, (_key, value: unknown) => {
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return `#number:${Object.is(value, -0) ? '-0' : String(value)}`;
    if (typeof value === 'bigint') return `#bigint:${String(value)}`;
    return value;
  });
}

/** A tree as text: every key, value (NaN, ±Infinity, -0 spelled out) and range. */
export function treeText(node: YamlNode | null): string {
  const plain = (n: YamlNode | null, depth: number): unknown => {
    if (!n) return null;
    switch (n.kind) {
      case 'scalar': return { value: n.value === undefined ? '#undefined' : n.value, range: n.range };
      case 'map': return { pairs: n.pairs.map((pair) => [pair.key === undefined ? '#undefined' : pair.key, pair.keyRange, plain(pair.value, depth)]), range: n.range };
      case 'seq': return { items: n.items.map((item) => plain(item, depth)), range: n.range };
      case 'alias': return { alias: depth < 4 ? plain(n.target, depth + 1) : '…', range: n.range };
      case 'other': return 'other';
    }
  };
  return JSON.stringify(plain(node, 0), (_key, value: unknown) =>
    typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)) ? `#number:${Object.is(value, -0) ? '-0' : String(value)}` : value);
}
