// The CST walk must read exactly what parseDocument reads: the same tree (keys, values, ranges), the same
// (absent) problems, and through the readers the same designs, source maps and problems. Checked on every YAML
// file the repository ships and seeded mutations of them; plus the core schema's spellings of values, worked
// out by hand, and the inputs that must go to parseDocument.
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/config/index';
import { parseYaml, parseYamlCst, parseYamlDocument, rootMap, scalarValue, setYamlReadingPath, mapGet } from '../../../src/config/yaml/yamlTree';
import { readJson, treeText, yamlFiles, yamlMutations, type YamlInput } from './yamlCorpus';

const FILES = yamlFiles();
const MUTATIONS = yamlMutations(FILES, 2000, 20_260_101);
const INPUTS: YamlInput[] = [...FILES, ...MUTATIONS];

afterEach(() => setYamlReadingPath('auto'));

describe('reading YAML from the CST', () => {
  it('reads every YAML file the repository ships by the CST (none needs parseDocument)', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(18);
    expect(FILES.filter((file) => !parseYamlCst(file.text)).map((file) => file.name)).toEqual([]);
  });

  it(`gives parseDocument's tree, with no problems, wherever it reads a text (${INPUTS.length} inputs)`, () => {
    const differ: string[] = [];
    let read = 0;
    for (const input of INPUTS) {
      const cst = parseYamlCst(input.text);
      if (!cst) continue;
      read++;
      const doc = parseYamlDocument(input.text);
      if (doc.problems.length > 0 || treeText(cst.root) !== treeText(doc.root)) differ.push(`${input.name}: ${JSON.stringify(input.text.slice(0, 120))}`);
    }
    expect(differ).toEqual([]);
    // The mutations must exercise both ways of reading, not only the fallback.
    expect(read).toBeGreaterThan(FILES.length + 400);
    expect(read).toBeLessThan(INPUTS.length - 400);
  });

  it('reads the same designs, source maps and problems through readConfig every way (entry by entry, whole CST, parseDocument)', () => {
    const differ: string[] = [];
    for (const input of INPUTS) {
      setYamlReadingPath('document');
      const byDocument = readJson(readConfig(input.text, input.name));
      setYamlReadingPath('cst');
      const byCst = readJson(readConfig(input.text, input.name));
      setYamlReadingPath('auto');
      const byCut = readJson(readConfig(input.text, input.name));
      if (byCst !== byDocument || byCut !== byDocument) differ.push(`${input.name}: ${JSON.stringify(input.text.slice(0, 120))}`);
    }
    expect(differ).toEqual([]);
    // Three readings of every file and mutation: minutes on a shared 2-core machine, a correctness check, not a timing.
  }, 300_000);

  it('resolves scalars as the core schema does', () => {
    const text = [
      'hex: 0x10', 'oct: 0o17', 'leading_zero: 017', 'plus: +12', 'minus_zero: -0', 'exp: 1e-4', 'exp_upper: 1E+3', 'dot: 3.', 'half: .5',
      'inf: .inf', 'minus_inf: -.Inf', 'nan: .NaN', 'big: 99999999999999999999', 'underscore: 1_000', 'yes: yes', 'on: off',
      'true_cap: True', 'false_upper: FALSE', 'tilde: ~', 'null_word: Null', 'empty:', 'double: "8"', "single: 'it''s'",
      'escaped: "a\\tb"', 'folded: >-', '  two', '  lines', 'list: [1, "2", ~, {k: v}]', 'map: {a: 1.5}', '3: three', 'true: key', '',
    ].join('\n');
    const file = parseYamlCst(text)!;
    expect(file.readBy).toBe('cst');
    const root = rootMap(file)!;
    const value = (key: string) => scalarValue(file, mapGet(root, key));
    expect(value('hex')).toBe(16);
    expect(value('oct')).toBe(15);
    expect(value('leading_zero')).toBe(17);
    expect(value('plus')).toBe(12);
    expect(Object.is(value('minus_zero'), -0)).toBe(true);
    expect(value('exp')).toBe(0.0001);
    expect(value('exp_upper')).toBe(1000);
    expect(value('dot')).toBe(3);
    expect(value('half')).toBe(0.5);
    expect(value('inf')).toBe(Infinity);
    expect(value('minus_inf')).toBe(-Infinity);
    expect(value('nan')).toBeNaN();
    expect(value('big')).toBe(1e20);
    expect(value('underscore')).toBe('1_000');
    expect(value('yes')).toBe('yes');
    expect(value('on')).toBe('off');
    expect(value('true_cap')).toBe(true);
    expect(value('false_upper')).toBe(false);
    expect(value('tilde')).toBeNull();
    expect(value('null_word')).toBeNull();
    expect(value('empty')).toBeNull();
    expect(value('double')).toBe('8');
    expect(value('single')).toBe("it's");
    expect(value('escaped')).toBe('a\tb');
    expect(value('folded')).toBe('two lines');
    const list = mapGet(root, 'list');
    expect(list?.kind === 'seq' ? list.items.map((item) => scalarValue(file, item)) : undefined).toEqual([1, '2', null, undefined]);
    expect(scalarValue(file, mapGet(rootMap({ ...file, root: mapGet(root, 'map') })!, 'a'))).toBe(1.5);
    // Keys resolve too: `3:` is the number 3 and `true:` the boolean, so only their text finds them.
    expect(root.pairs.map((pair) => pair.key).slice(-2)).toEqual([3, true]);
    expect(mapGet(root, '3')).toBeNull();
    expect(treeText(file.root)).toBe(treeText(parseYamlDocument(text).root));
  });

  it('leaves anchors, aliases, merge keys, tags, directives, several documents and syntax errors to parseDocument', () => {
    const cases = [
      'a: &x 1\nb: *x\n', 'base: &b {x: 1}\nderived:\n  <<: *b\n', 'a: !!str 4\n', 'a: !custom 4\n', '%YAML 1.2\n---\na: 1\n',
      '---\na: 1\n', 'a: 1\n---\nb: 2\n', 'a: 1\n...\n', 'a: "open\n', 'a: [1, 2\n', 'a:\n\t- 1\n', '? a\n: b\n', 'a: @x\n',
      'a: 1\n b: 2\n', 'a: b: c\n', '- 1\n- 2\n', 'just text\n', '',
    ];
    for (const text of cases) {
      expect([text, parseYamlCst(text)]).toEqual([text, undefined]);
      expect([text, parseYaml(text).readBy]).toEqual([text, 'document']);
    }
    // The problems are parseDocument's, with its ranges: an unclosed list is reported where the text ends.
    const broken = parseYaml('model:\n  num_layers: [1, 2\n');
    expect(broken.problems.map((problem) => [problem.code, problem.severity, problem.range?.startOffset, problem.range?.line])).toEqual([['syntax/yaml', 'error', 27, 3]]);
    expect(broken.problems[0]!.message).toContain('end with a ]');
    // An alias reads as its anchor's value.
    const aliased = parseYaml('a: &x 7\nb: *x\n');
    expect(scalarValue(aliased, mapGet(rootMap(aliased)!, 'b'))).toBe(7);
  });
});
