// Reader latency: the median time to read the largest fixture of each format (after the tree-sitter grammars are
// loaded, which is async, hence this function is too), and to read and complete the largest one overall.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, parseDocument } from 'yaml';
import { ensureGrammars } from '../src/cli/grammars';
import { completeDesign } from '../src/config/completion/complete';
import { readConfig } from '../src/config/index';
import { setYamlReadingPath, YAML_PARSE_OPTIONS } from '../src/config/yaml/yamlTree';
import { medianMilliseconds, type BenchRow } from './measure';

const GROUPS: [label: string, pattern: RegExp][] = [
  ['YAML (NeMo/Bridge/Megatron)', /\.ya?ml$/],
  ['JSON (DeepSpeed/HF)', /\.json$/],
  ['shell (Megatron)', /\.sh$/],
  ['TOML (torchtitan)', /\.toml$/],
  ['Python (torchtitan/NeMo 2)', /\.py$/],
];

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? fixtureFiles(path) : [path];
  });
}

/** The YAML and JSON readers keep their last parse; alternating two texts measures real parses. */
function variants(text: string): [string, string] {
  return [text, `${text}\n`];
}

export async function benchReaders(): Promise<BenchRow[]> {
  await ensureGrammars();
  // Only files some reader recognises count: the fixtures folder also holds reference data.
  const files = fixtureFiles('test/fixtures')
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
    .filter((file) => readConfig(file.text, file.path) !== undefined);
  const rows: BenchRow[] = [];
  for (const [label, pattern] of GROUPS) {
    const largest = files.filter((file) => pattern.test(file.path)).sort((a, b) => b.text.length - a.text.length)[0];
    if (!largest) continue;
    const name = largest.path.split('/').pop()!;
    const texts = variants(largest.text);
    let turn = 0;
    rows.push({ name: `read ${label}: ${name} (${(largest.text.length / 1024).toFixed(1)} KB)`, value: medianMilliseconds(() => readConfig(texts[turn++ % 2]!, largest.path), 200), unit: 'ms' });
    if (label.startsWith('YAML')) rows.push(...readByOtherPaths(texts, largest.path), ...yamlFloor(texts));
  }
  const biggest = [...files].sort((a, b) => b.text.length - a.text.length)[0];
  if (biggest) {
    const texts = variants(biggest.text);
    let turn = 0;
    rows.push({
      name: `read + complete + validate: ${biggest.path.split('/').pop()}`,
      value: medianMilliseconds(() => {
        const text = texts[turn++ % 2]!;
        const read = readConfig(text, biggest.path);
        if (read) completeDesign(read, { text, readModelFile: readConfig });
      }, 50),
      unit: 'ms',
    });
  }
  return rows;
}

/** The same read by the other ways of reading YAML: the whole text's CST, and parseDocument (the fallback). */
function readByOtherPaths(texts: [string, string], path: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [readingPath, label] of [['cst', 'the whole CST, no entry left unparsed'], ['document', 'parseDocument (the fallback)']] as const) {
    let turn = 0;
    setYamlReadingPath(readingPath);
    try {
      rows.push({ name: `  same read through ${label}`, value: medianMilliseconds(() => readConfig(texts[turn++ % 2]!, path), 50), unit: 'ms' });
    } finally {
      setYamlReadingPath('auto');
    }
  }
  return rows;
}

/**
 * The floor under the YAML reader: the yaml package alone on the same text, as the concrete syntax tree (what
 * any position-keeping use of the package pays) and as the document the readers walk.
 */
function yamlFloor(texts: [string, string]): BenchRow[] {
  let turn = 0;
  const cst = medianMilliseconds(() => {
    for (const token of new Parser().parse(texts[turn++ % 2]!)) void token;
  }, 50);
  const document = medianMilliseconds(() => {
    parseDocument(texts[turn++ % 2]!, YAML_PARSE_OPTIONS);
  }, 50);
  return [
    { name: '  yaml CST only (new Parser().parse), same text', value: cst, unit: 'ms' },
    { name: '  yaml parseDocument, same text', value: document, unit: 'ms' },
  ];
}
