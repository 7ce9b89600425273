// Comment directives: `# plens: gpu=H800 nodes=256 model=deepseek-v3` (or `// plens: …` in JSON with comments).
// They let a launch script say what it cannot express (the cluster, the model behind a path) without a second file.
import type { Problem, SourceRange } from '../../model/problems';
import { closestKey } from '../draft/draftBuilder';
import { lineIndex, rangeAt, type LineIndex } from '../draft/positions';

export interface Directive {
  /** The key as canonical name (see DIRECTIVE_KEYS). */
  key: DirectiveKey;
  value: string;
  keyRange: SourceRange;
  valueRange: SourceRange;
}

/** Directive keys and the spellings accepted for them. */
const SPELLINGS = {
  model: ['model'],
  gpu: ['gpu'],
  nodes: ['nodes'],
  gpusPerNode: ['gpusPerNode', 'gpus-per-node', 'gpus_per_node'],
  worldSize: ['worldSize', 'world-size', 'world_size', 'gpus'],
  tp: ['tp'],
  pp: ['pp'],
  vpp: ['vpp'],
  cp: ['cp'],
  ep: ['ep'],
  etp: ['etp'],
  dp: ['dp'],
  zero: ['zero'],
  schedule: ['schedule'],
  seqLength: ['seqLength', 'seq-length', 'seq_length', 'seq'],
  microBatchSize: ['microBatchSize', 'micro-batch-size', 'mbs'],
  globalBatchSize: ['globalBatchSize', 'global-batch-size', 'gbs'],
  microbatches: ['microbatches'],
  precision: ['precision'],
  recompute: ['recompute'],
  nodeLimit: ['nodeLimit', 'node-limit'],
} as const;

export type DirectiveKey = keyof typeof SPELLINGS;

const LOOKUP = new Map<string, DirectiveKey>();
for (const [key, spellings] of Object.entries(SPELLINGS) as [DirectiveKey, readonly string[]][]) {
  for (const spelling of spellings) LOOKUP.set(spelling.toLowerCase(), key);
}

const MARKER = 'plens:';
/** Directive lines are short; a longer line is not read past this, so a giant comment costs nothing. */
const MAX_DIRECTIVE_LENGTH = 2000;

export function findDirectives(text: string, index: LineIndex = lineIndex(text)): { directives: Directive[]; problems: Problem[] } {
  const directives: Directive[] = [];
  const problems: Problem[] = [];
  for (let at = text.indexOf(MARKER); at >= 0; at = text.indexOf(MARKER, at + MARKER.length)) {
    if (!isCommentStart(text, at)) continue;
    let end = at + MARKER.length;
    const limit = Math.min(text.length, end + MAX_DIRECTIVE_LENGTH);
    while (end < limit && text[end] !== '\n' && text[end] !== '\r') end++;
    readPairs(text, at + MARKER.length, end, index, directives, problems);
  }
  return { directives, problems };
}

/** `plens:` counts only right after a comment marker (`#`, `//`) and spaces, so a value "plens:x" is no directive. */
function isCommentStart(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (text[i] === '#') return true;
  return text[i] === '/' && text[i - 1] === '/';
}

function readPairs(text: string, start: number, end: number, index: LineIndex, out: Directive[], problems: Problem[]): void {
  const pair = /([A-Za-z_][\w-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s,]*)/g;
  const line = text.slice(start, end);
  let consumed = 0;
  for (let match = pair.exec(line); match; match = pair.exec(line)) {
    reportStray(line, consumed, match.index, start, index, problems);
    consumed = match.index + match[0].length;
    const name = match[1]!;
    const rawValue = match[2]!;
    const keyStart = start + match.index;
    const keyRange = rangeAt(index, keyStart, keyStart + name.length);
    const valueStart = start + match.index + match[0].length - rawValue.length;
    const quoted = rawValue.length >= 2 && (rawValue[0] === '"' || rawValue[0] === "'");
    const value = quoted ? rawValue.slice(1, -1) : rawValue;
    const valueRange = rangeAt(index, valueStart + (quoted ? 1 : 0), valueStart + (quoted ? rawValue.length - 1 : rawValue.length));
    const key = LOOKUP.get(name.toLowerCase());
    if (!key) {
      const guess = closestKey(name, [...LOOKUP.keys()]);
      problems.push({
        severity: 'warning', code: 'directive/unknown', range: keyRange,
        message: `unknown plens directive \`${name}\`${guess ? `; did you mean \`${guess}\`?` : `; known: ${Object.keys(SPELLINGS).join(', ')}`}`,
      });
    } else if (value === '') {
      problems.push({ severity: 'error', code: 'value/invalid', range: keyRange, message: `plens directive \`${name}=\` needs a value` });
    } else {
      out.push({ key, value, keyRange, valueRange });
    }
  }
  reportStray(line, consumed, line.length, start, index, problems);
}

/** Words between pairs that are not `key=value` (e.g. `gpu H800`) would otherwise be ignored silently. */
function reportStray(line: string, from: number, to: number, start: number, index: LineIndex, problems: Problem[]): void {
  const between = line.slice(from, to);
  const word = /[^\s,]+/.exec(between);
  if (!word) return;
  const wordStart = start + from + word.index;
  problems.push({
    severity: 'warning', code: 'directive/syntax', range: rangeAt(index, wordStart, wordStart + word[0].length),
    message: `plens directives are key=value pairs; \`${word[0].slice(0, 40)}\` is not one`,
  });
}
