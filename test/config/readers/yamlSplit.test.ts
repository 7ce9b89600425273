// Reading YAML entry by entry (yamlSplit.ts, yamlLineCheck.ts) must give what parseDocument gives: the same tree
// wherever it reads a text, every syntax problem (a text with one must not be read this way), and only the
// entries a reader asks for parsed.
import { readFileSync } from 'node:fs';
import { Parser } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../../src/config/index';
import { isPlainEntry } from '../../../src/config/yaml/yamlLineCheck';
import { NEEDS_DOCUMENT } from '../../../src/config/yaml/yamlSplit';
import { parseYamlCut, parseYamlDocument, readYaml, rootMap } from '../../../src/config/yaml/yamlTree';
import { treeText, yamlFiles, yamlMutations, type YamlInput } from './yamlCorpus';

const FILES = yamlFiles();
const BRIDGE = 'test/fixtures/nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml';

afterEach(() => vi.restoreAllMocks());

describe('reading YAML entry by entry', () => {
  it('reads every YAML file the repository ships entry by entry', () => {
    expect(FILES.filter((file) => !parseYamlCut(file.text)).map((file) => file.name)).toEqual([]);
  });

  const inputs: YamlInput[] = [...FILES, ...yamlMutations(FILES, 4000, 20_261_129)];
  it(`gives parseDocument's tree, and reads no text parseDocument finds a problem in (${inputs.length} inputs)`, () => {
    const differ: string[] = [];
    let read = 0;
    for (const input of inputs) {
      const cut = parseYamlCut(input.text);
      if (!cut) continue;
      read++;
      const document = parseYamlDocument(input.text);
      let tree: string;
      try {
        tree = treeText(cut.root);
      } catch (error) {
        if (error !== NEEDS_DOCUMENT) throw error;
        tree = 'needs parseDocument';
      }
      if (document.problems.length > 0 || tree !== treeText(document.root)) {
        differ.push(`${input.name}: ${document.problems[0]?.message ?? 'tree differs'} ${JSON.stringify(input.text.slice(0, 160))}`);
      }
    }
    expect(differ).toEqual([]);
    // Both ways must be exercised: mutated texts read entry by entry, and texts sent to the other readings.
    expect(read).toBeGreaterThan(FILES.length + 800);
    expect(read).toBeLessThan(inputs.length - 800);
  });

  it('still reports a syntax error in a section no reader reads', () => {
    const text = readFileSync(BRIDGE, 'utf8');
    const broken = [
      text.replace('  log_interval: 1\n', '  log_interval: [1, 2\n'),
      text.replace('  profile_ranks: []\n', '  profile_ranks: []]\n'),
      text.replace('  log_interval: 1\n', '  log_interval: 1: 2\n'),
      text.replace('  save_interval: 2000\n', 'save_interval: 2000\n'),
    ];
    for (const [index, version] of broken.entries()) {
      expect(version).not.toBe(text);
      expect(parseYamlCut(version), `version ${index}`).toBeUndefined();
      const document = parseYamlDocument(version);
      expect(document.problems.length, `version ${index}`).toBeGreaterThan(0);
      // The reader reports parseDocument's problems, at its lines (or, where the error leaves no training
      // config to read, leaves the file alone as the document reading does).
      const read = readConfig(version, BRIDGE);
      if (index < 3) expect(read?.problems.filter((problem) => problem.code === 'syntax/yaml').map((problem) => problem.range?.line), `version ${index}`)
        .toEqual(document.problems.map((problem) => problem.range?.line));
    }
  });

  it('parses only the entries the readers ask for', () => {
    const text = readFileSync(BRIDGE, 'utf8');
    const parse = vi.spyOn(Parser.prototype, 'parse');
    const read = readConfig(`${text}\n`, BRIDGE)!;
    expect(read.format).toBe('megatron-bridge-yaml');
    expect(read.design.plan.pp).toBe(8);
    expect(read.design.plan.vpp).toBe(4);
    const entries = text.split('\n').filter((line) => /^ {0,2}[A-Za-z_]\w*:/.test(line)).length;
    expect(entries).toBeGreaterThan(500);
    // A handful of entries the line check cannot vouch for (`[]`-free flow values, block scalars) and the ~40
    // fields read; far from one parse per entry.
    expect(parse.mock.calls.length).toBeGreaterThan(10);
    expect(parse.mock.calls.length).toBeLessThan(120);
  });

  it('runs a reader again on parseDocument when an entry it reads needs it', () => {
    const text = 'a: 1\nb: 2\n';
    const seen: string[] = [];
    const result = readYaml(text, (file) => {
      seen.push(file.readBy);
      if (file.readBy === 'cut') throw NEEDS_DOCUMENT;
      return rootMap(file)?.pairs.length;
    });
    expect(seen).toEqual(['cut', 'document']);
    expect(result).toBe(2);
  });
});

describe('the line check', () => {
  const plain = (text: string) => isPlainEntry(text, 0, text.length, 0);

  it('vouches for the lines configs are made of', () => {
    for (const text of [
      'key: value\n', 'key: 12 # comment\n', 'key:\n', 'key:   # comment\n', "key: 'it''s'\n", 'key: "plain text"\n', 'key: []\n', 'key: {}\n',
      'key: -1\n', 'key: -.5\n', 'key: ${model.hidden_size}\n', 'key: Et|(tt|)*30mL\n', 'key: a#b\n', 'key:\n  a: 1\n  b:\n    c: x\n  d: 2\n',
      'key:\n- 1\n- two\n', 'key:\n  - 1\n  - 2\n', 'key:\n  a:\n  - x\n  b: 1\n', '--flag-name: 4\n', 'key: 1\n\n# trailing\n',
    ]) expect([text, plain(text)]).toEqual([text, true]);
  });

  it('leaves everything else to the parser', () => {
    for (const text of [
      'key: [1, 2]\n', 'key: {a: 1}\n', 'key: |\n  text\n', 'key: >\n  text\n', 'key: &a 1\n', 'key: *a\n', 'key: !!str 1\n', 'key: a: b\n',
      'key: a:\n', 'key: "a\\tb"\n', 'key: "open\n', "key: 'open\n", 'key: @x\n', 'key: `x`\n', 'key: %x\n', 'key: ,x\n', 'key: - x\n',
      'key: ? x\n', 'key: one\n  two\n', 'key:\n    a: 1\n  b: 2\n', 'key:\n  - a: 1\n', 'key:\n  -\n', 'key:\n  a: 1\n  - x\n', 'key: a\tb\n',
      'key: "x"y\n', 'key: []x\n', 'key: #c\n'.replace(' #', '#'), 'key: \u0085\n', '? key\n',
    ]) expect([text, plain(text)]).toEqual([text, false]);
  });

  it('never vouches for an entry parseDocument finds a problem in', () => {
    const unsound: string[] = [];
    for (const input of yamlMutations(FILES, 3000, 7)) {
      const text = input.text;
      if (!/^[A-Za-z_]/.test(text)) continue;
      const lineEnd = text.indexOf('\n');
      // The first entry: up to the next line that starts at column 0 with anything but a comment or a blank.
      const next = text.slice(lineEnd + 1).search(/^[^\s#]/m);
      const end = next < 0 ? text.length : lineEnd + 1 + next;
      const entry = text.slice(0, end);
      if (plain(entry) && parseYamlDocument(entry).problems.length > 0) unsound.push(JSON.stringify(entry.slice(0, 160)));
    }
    expect(unsound).toEqual([]);
  });
});
