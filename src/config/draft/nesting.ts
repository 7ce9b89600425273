// How deeply a text nests, measured in one linear pass before any parser sees it. The parsers recurse per level
// (a 10⁵-deep JSON array overflows the stack; YAML takes seconds), and no training config nests more than a dozen
// levels, so a text past the limit is refused with `reader/too-deep` instead of being parsed. The scan is
// deliberately simple: brackets outside strings and comments, plus block indentation for YAML and Python. It can
// only over-count (a bracket in an unusual place), never under-count a real nesting, and over-counting matters
// only past the limit, which no real file comes near.

/** Nesting levels a file may have; real configs use under 20. */
export const MAX_NESTING = 256;

export type NestingKind = 'json' | 'yaml' | 'toml' | 'python';

const OPEN = new Set(['[', '{', '(']);
const CLOSE = new Set([']', '}', ')']);

/** The first offset at which the text nests deeper than `limit`, or undefined when it never does. */
export function tooDeepAt(text: string, kind: NestingKind, limit = MAX_NESTING): number | undefined {
  const hashComments = kind !== 'json';
  const blocks = kind === 'yaml' || kind === 'python';
  let brackets = 0;
  /** Indentations of the open blocks (YAML and Python), innermost last. */
  const indents: number[] = [];
  let lineStart = true;
  /** YAML indicators (`- `, `? `) further along one line: each may open a level, valid or not. */
  let lineIndicators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const startsLine = lineStart;
    // (startsLine only matters for the indentation of YAML and Python blocks.)
    lineStart = false;
    if (startsLine && blocks && brackets === 0) {
      let column = 0;
      while (text[i] === ' ' || text[i] === '\t') { i++; column++; }
      const next = text[i];
      if (next === undefined) break;
      if (next === '\n' || next === '\r' || next === '#') { i--; continue; }
      while (indents.length > 0 && indents[indents.length - 1]! >= column) indents.pop();
      indents.push(column);
      // YAML's compact nesting: `- - - x` opens one sequence per dash on a single line.
      if (kind === 'yaml') {
        while ((text[i] === '-' || text[i] === '?') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
          i += 2;
          column += 2;
          while (text[i] === ' ') { i++; column++; }
          indents.push(column);
          if (indents.length > limit) return i;
        }
      }
      if (indents.length + brackets > limit) return i;
      i--;
      continue;
    }
    if (c === '\n' || c === '\r') { lineStart = true; lineIndicators = 0; continue; }
    if (kind === 'yaml' && (c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\t') && (text[i - 1] === ' ' || text[i - 1] === '\t')) {
      lineIndicators++;
      if (brackets + indents.length + lineIndicators > limit) return i;
    }
    if (c === '"' || (c === "'" && kind !== 'json')) {
      // In YAML a quote opens a string only where a scalar starts (`don't` is a plain scalar).
      if (kind === 'yaml' && i > 0 && !/[\s[{,:?-]/.test(text[i - 1]!)) continue;
      i = skipString(text, i, kind);
      continue;
    }
    // In YAML a # starts a comment only after a space or at a line start (`a#b` is one plain scalar).
    if (c === '#' && hashComments && (kind !== 'yaml' || i === 0 || /[ \t\n\r]/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n' && text[i + 1] !== '\r') i++;
      continue;
    }
    if (OPEN.has(c)) {
      brackets++;
      if (brackets + indents.length + lineIndicators > limit) return i;
    } else if (CLOSE.has(c) && brackets > 0) {
      brackets--;
    }
  }
  return undefined;
}

/** The offset of the closing quote of the string opening at `start` (or the last offset it could reach). */
function skipString(text: string, start: number, kind: NestingKind): number {
  const quote = text[start]!;
  const triple = (kind === 'python' || kind === 'toml') && text.startsWith(quote.repeat(3), start);
  if (triple) {
    const end = text.indexOf(quote.repeat(3), start + 3);
    return end < 0 ? text.length : end + 2;
  }
  // Single-line strings: a line end closes them too, so one stray quote cannot hide the rest of the file.
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && !(kind === 'toml' && quote === "'")) { i++; continue; }
    if (c === quote) return i;
    if (c === '\n' || c === '\r') return i - 1;
  }
  return text.length;
}
