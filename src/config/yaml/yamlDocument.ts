// The complete way to read YAML: the yaml package's `parseDocument`, for every text the CST walk (yamlCst.ts)
// leaves to it (anchors and aliases, tags, directives, several documents, anything with a parse error). Its nodes
// become yamlTree's nodes, so readers see one kind of tree whichever way the text was read.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../../model/problems';
import { rangeAt, type LineIndex } from '../draft/positions';
import type { YamlAlias, YamlNode, YamlPair, YamlRange, YamlScalarValue } from './nodes';

/**
 * The cheapest options that still give every node its range and value: no CST kept on the nodes, no error
 * context lines, no duplicate-key scan (uniqueKeys: false, so a duplicated key is reported by the readers with
 * both ranges instead of failing the parse).
 */
export const YAML_PARSE_OPTIONS = { keepSourceTokens: false, prettyErrors: false, uniqueKeys: false, strict: false } as const;

export interface ComposedYaml {
  root: YamlNode | null;
  /** Syntax errors and warnings of the parser, as problems. */
  problems: Problem[];
}

export function readDocument(text: string, index: LineIndex): ComposedYaml {
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  const problems: Problem[] = [];
  for (const error of doc.errors) {
    problems.push({ severity: 'error', code: 'syntax/yaml', message: firstLine(error.message), range: rangeAt(index, error.pos[0], error.pos[1]) });
  }
  for (const warning of doc.warnings) {
    problems.push({ severity: 'warning', code: 'syntax/yaml', message: firstLine(warning.message), range: rangeAt(index, warning.pos[0], warning.pos[1]) });
  }
  return { root: new Converter(doc).node(doc.contents as Node | null), problems };
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Only the JS scalars a config value can be (a big integer as a number); a `!!binary` and the like are undefined. */
function plainValue(value: unknown): YamlScalarValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

class Converter {
  /** One tree node per document node, so an alias leads to the very node its anchor is on. */
  private readonly seen = new Map<unknown, YamlNode>();

  constructor(private readonly doc: Document.Parsed) {}

  node(node: unknown): YamlNode | null {
    if (node === null || node === undefined) return null;
    const known = this.seen.get(node);
    if (known) return known;
    const converted = this.convert(node);
    this.seen.set(node, converted);
    return converted;
  }

  private convert(node: unknown): YamlNode {
    if (isScalar(node)) return { kind: 'scalar', range: node.range as YamlRange, value: plainValue(node.value) };
    if (isMap(node)) {
      const pairs: YamlPair[] = node.items.map((pair) => {
        const key = pair.key as Node | null;
        return isScalar(key)
          ? { key: plainValue(key.value), keyRange: key.range as YamlRange | undefined, value: this.node(pair.value) }
          : { key: undefined, keyRange: undefined, value: this.node(pair.value) };
      });
      return { kind: 'map', range: node.range as YamlRange, pairs };
    }
    if (isSeq(node)) return { kind: 'seq', range: node.range as YamlRange, items: node.items.map((item) => this.node(item)) };
    if (isAlias(node)) return new DocumentAlias(node.range as YamlRange, () => {
      // Followed once: an alias whose anchor is on another alias stays unresolved.
      const target = node.resolve(this.doc);
      return target && !isAlias(target) ? this.node(target) : null;
    });
    // A pair where a node is expected (the entries of an `!!omap` list).
    return { kind: 'other', range: undefined };
  }
}

class DocumentAlias implements YamlAlias {
  readonly kind = 'alias';
  private resolved: { target: YamlNode | null } | undefined;

  constructor(readonly range: YamlRange, private readonly find: () => YamlNode | null) {}

  get target(): YamlNode | null {
    this.resolved ??= { target: this.find() };
    return this.resolved.target;
  }
}
