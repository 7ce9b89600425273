// A DeepSpeed config written by the script itself (`cat <<EOT > $DS_CONFIG … EOT`, Megatron-DeepSpeed): JSON
// with shell expansions in it. Each bare `$VAR` is masked by a JSON string of the same length, so jsonc-parser
// sees valid JSON and every offset still points into the script; masked values are then expanded.
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { ShellEnv } from './env';
import { expandWord, type Expanded } from './expand';

export interface JsonEntry {
  /** The JSON path, dotted: `zero_optimization.stage`. */
  path: string;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
  /** The value after expansion: a number, a boolean, or text. */
  value: number | boolean | string;
  unresolved: string[];
}

const PATHS: readonly (readonly string[])[] = [
  ['train_batch_size'],
  ['train_micro_batch_size_per_gpu'],
  ['gradient_accumulation_steps'],
  ['zero_optimization', 'stage'],
  ['bf16', 'enabled'],
  ['bfloat16', 'enabled'],
  ['fp16', 'enabled'],
];

function maskExpansions(body: string): string {
  let masked = '';
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (inString) {
      if (c === '\\') { masked += body.slice(i, i + 2); i++; continue; }
      if (c === '"') inString = false;
      masked += c;
      continue;
    }
    if (c === '"') { inString = true; masked += c; continue; }
    const expansion = c === '$' ? /^\$(\{[^}\n]*\}|\(\([^\n]*?\)\)|[A-Za-z_]\w*|\d)/.exec(body.slice(i, i + 200))?.[0] : undefined;
    if (expansion && expansion.length >= 2) {
      masked += `"${'_'.repeat(expansion.length - 2)}"`;
      i += expansion.length - 1;
      continue;
    }
    masked += c;
  }
  return masked;
}

export function looksLikeJson(body: string): boolean {
  return /^\s*\{/.test(body);
}

export function readHeredocJson(text: string, start: number, end: number, env: ShellEnv): JsonEntry[] {
  const body = text.slice(start, end);
  const errors: ParseError[] = [];
  const tree = parseTree(maskExpansions(body), errors, { allowTrailingComma: true, disallowComments: false });
  if (!tree) return [];
  const entries: JsonEntry[] = [];
  for (const path of PATHS) {
    const node: JsonNode | undefined = findNodeAtLocation(tree, [...path]);
    const key = node?.parent?.children?.[0];
    if (!node || !key) continue;
    const raw = body.slice(node.offset, node.offset + node.length);
    let expanded: Expanded;
    if (node.type === 'string') expanded = raw.startsWith('"$') || raw.includes('$') ? expandWord(raw, 'none', env) : { text: raw.slice(1, -1), unresolved: [] };
    else expanded = { text: raw, unresolved: [] };
    const trimmed = expanded.text.trim();
    const value: number | boolean | string = trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
    entries.push({
      path: path.join('.'),
      keyStart: start + key.offset,
      keyEnd: start + key.offset + key.length,
      valueStart: start + node.offset,
      valueEnd: start + node.offset + node.length,
      value,
      unresolved: expanded.unresolved,
    });
  }
  return entries;
}
