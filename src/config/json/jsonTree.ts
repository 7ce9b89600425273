// The JSON readers' common ground: jsonc-parser's tolerant tree (comments and trailing commas allowed, as
// DeepSpeed's hjson loader allows them, FORMATS.md A.5), entries with ranges, and syntax errors as problems.
// A bare word where a value belongs (`"train_batch_size": CONFIG_BATCH_SIZE`, a template a script fills in)
// becomes one clear error and a symbolic value, instead of two cryptic parser errors.
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Problem, SourceRange } from '../../model/problems';
import { lineIndex, rangeAt, type LineIndex } from '../draft/positions';

export type { JsonNode };

export interface JsonFile {
  text: string;
  root: JsonNode | undefined;
  index: LineIndex;
  problems: Problem[];
}

export interface JsonEntry {
  key: string;
  value: JsonNode | undefined;
  keyRange: SourceRange;
  valueRange: SourceRange;
  /** The value is a bare word (a template placeholder), kept as text in valueRange. */
  placeholder: boolean;
}

/** The DeepSpeed and Hugging Face readers see the same text in turn: the last parse is kept (read-only). */
let lastParsed: { text: string; file: JsonFile } | undefined;

export function parseJson(text: string): JsonFile {
  if (lastParsed && lastParsed.text === text) return lastParsed.file;
  const file = parseJsonUncached(text);
  lastParsed = { text, file };
  return file;
}

function parseJsonUncached(text: string): JsonFile {
  const index = lineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const problems: Problem[] = [];
  const placeholderEnds = new Set<number>();
  for (const error of errors) {
    const code = printParseErrorCode(error.error);
    const word = text.slice(error.offset, error.offset + error.length);
    if (code === 'InvalidSymbol' && /^[A-Za-z_][\w.-]*$/.test(word)) {
      placeholderEnds.add(error.offset + error.length);
      problems.push({
        severity: 'error', code: 'syntax/json', range: rangeAt(index, error.offset, error.offset + error.length),
        message: `\`${word.slice(0, 60)}\` is not a JSON value; a placeholder a script replaces before use? Its value is unknown here`,
      });
      continue;
    }
    // The parser's follow-up complaint about the same placeholder adds nothing.
    if (code === 'ValueExpected' && [...placeholderEnds].some((end) => end <= error.offset && /^\s*$/.test(text.slice(end, error.offset)))) continue;
    problems.push({ severity: 'error', code: 'syntax/json', range: rangeAt(index, error.offset, error.offset + error.length), message: describeError(code) });
    if (problems.length >= 100) break;
  }
  return { text, root, index, problems };
}

function describeError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'malformed number', PropertyNameExpected: 'a property name (in double quotes) is expected here',
    ValueExpected: 'a value is expected here', ColonExpected: 'a colon is expected here', CommaExpected: 'a comma is expected here',
    CloseBraceExpected: 'a closing } is missing', CloseBracketExpected: 'a closing ] is missing', EndOfFileExpected: 'text after the end of the JSON document',
    InvalidCommentToken: 'malformed comment', UnexpectedEndOfComment: 'unterminated comment', UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number', InvalidUnicode: 'invalid unicode escape', InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in a string',
  };
  return `JSON: ${words[code] ?? code}`;
}

export function jsonRange(file: JsonFile, node: JsonNode): SourceRange {
  return rangeAt(file.index, node.offset, node.offset + node.length);
}

/** The properties of an object node, in order; a property whose value is a bare placeholder gets it as text. */
export function jsonEntries(file: JsonFile, object: JsonNode | undefined): JsonEntry[] {
  if (!object || object.type !== 'object' || !object.children) return [];
  const out: JsonEntry[] = [];
  for (const property of object.children) {
    const [keyNode, valueNode] = property.children ?? [];
    if (!keyNode || typeof keyNode.value !== 'string') continue;
    const keyRange = jsonRange(file, keyNode);
    if (valueNode) {
      out.push({ key: keyNode.value, value: valueNode, keyRange, valueRange: jsonRange(file, valueNode), placeholder: false });
      continue;
    }
    const placeholder = /^\s*:\s*([A-Za-z_][\w.-]*)/.exec(file.text.slice(keyNode.offset + keyNode.length, keyNode.offset + keyNode.length + 200));
    if (placeholder) {
      const start = keyNode.offset + keyNode.length + placeholder[0].length - placeholder[1]!.length;
      const range = rangeAt(file.index, start, start + placeholder[1]!.length);
      out.push({ key: keyNode.value, value: undefined, keyRange, valueRange: range, placeholder: true });
    } else {
      out.push({ key: keyNode.value, value: undefined, keyRange, valueRange: rangeAt(file.index, keyRange.endOffset, keyRange.endOffset), placeholder: false });
    }
  }
  return out;
}

/** A scalar's value; a placeholder's word as a string (callers treat it as symbolic); undefined otherwise. */
export function jsonScalar(file: JsonFile, entry: JsonEntry): string | number | boolean | null | undefined {
  const node = entry.value;
  if (!node) return entry.placeholder ? file.text.slice(entry.valueRange.startOffset, entry.valueRange.endOffset) : undefined;
  if (node.type === 'string' || node.type === 'number' || node.type === 'boolean') return node.value as string | number | boolean;
  if (node.type === 'null') return null;
  return undefined;
}

