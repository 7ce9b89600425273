// Runs through a parsed script in order, as bash would with nothing set from outside: assignments update the
// variables, `if`/`elif` take the branch the file takes, `exit` stops, and the flags of every executed
// assignment, command and here-document are collected with their values expanded at that point.
import type { Node } from 'web-tree-sitter';
import type { Problem } from '../../model/problems';
import type { RangeOf } from './ranges';
import { decideCondition } from './conditions';
import { mergeUnresolved, type ShellEnv } from './env';
import { expandWord } from './expand';
import { scanFlags, type FlagOccurrence } from './flags';
import { looksLikeJson, readHeredocJson, type JsonEntry } from './heredocJson';
import { splitFields } from './words';

export interface ShellRun {
  flags: FlagOccurrence[];
  /** Launcher flags from `#SBATCH` lines (`--nodes`, `--gres=gpu:8`). */
  sbatch: FlagOccurrence[];
  jsonEntries: JsonEntry[];
  problems: Problem[];
  env: ShellEnv;
}

interface Context extends ShellRun {
  text: string;
  rangeOf: RangeOf;
  steps: number;
}

/** Statements visited at most; a script is a few hundred, so this only stops adversarial input. */
const MAX_STEPS = 50_000;
const MAX_DEPTH = 200;
const SKIPPED_COMMANDS = new Set(['echo', 'printf', 'exit', 'return', 'unset', 'mkdir', 'cd', 'set', 'shift']);

function assign(node: Node, ctx: Context): void {
  const name = node.childForFieldName('name');
  if (!name || name.type !== 'variable_name') return;
  const value = node.childForFieldName('value');
  const append = node.children.some((child) => child.type === '+=');
  const previous = ctx.env.get(name.text);
  if (!value) {
    ctx.env.set(name.text, append && previous ? previous : { text: '', unresolved: [] });
    return;
  }
  const inner = value.type === 'array' ? { start: value.startIndex + 1, end: value.endIndex - 1 } : { start: value.startIndex, end: value.endIndex };
  ctx.flags.push(...scanFlags(ctx.text, inner.start, inner.end, ctx.env));
  if (value.type === 'array') {
    const items: string[] = append ? [...(previous?.items ?? (previous ? [previous.text] : []))] : [];
    let unresolved = append ? previous?.unresolved ?? [] : [];
    for (const field of splitFields(ctx.text, inner.start, inner.end, { splitQuoted: false, maxFields: 5_000 })) {
      const expanded = expandWord(field.raw, field.quoteAtStart, ctx.env);
      items.push(expanded.text);
      unresolved = mergeUnresolved(unresolved, expanded.unresolved);
    }
    ctx.env.set(name.text, { text: items.join(' '), items, unresolved });
  } else {
    const expanded = expandWord(value.text, 'none', ctx.env);
    const text = append && previous ? previous.text + expanded.text : expanded.text;
    ctx.env.set(name.text, { text, unresolved: mergeUnresolved(append ? previous?.unresolved ?? [] : [], expanded.unresolved), at: { start: name.startIndex, end: value.endIndex } });
  }
}

function heredoc(redirect: Node, ctx: Context): void {
  const body = redirect.namedChildren.find((child) => child.type === 'heredoc_body');
  if (!body) return;
  if (looksLikeJson(body.text)) {
    ctx.jsonEntries.push(...readHeredocJson(ctx.text, body.startIndex, body.endIndex, ctx.env));
    return;
  }
  sbatchLines(body.startIndex, body.endIndex, ctx);
  ctx.flags.push(...scanFlags(ctx.text, body.startIndex, body.endIndex, ctx.env));
}

function sbatchLines(start: number, end: number, ctx: Context): void {
  const pattern = /^[ \t]*#SBATCH[ \t]+([^\n]*)/gm;
  const slice = ctx.text.slice(start, end);
  for (let match = pattern.exec(slice); match; match = pattern.exec(slice)) {
    const lineStart = start + match.index + match[0].length - (match[1]?.length ?? 0);
    ctx.sbatch.push(...scanFlags(ctx.text, lineStart, lineStart + (match[1]?.length ?? 0), ctx.env));
  }
}

function note(ctx: Context, node: Node, code: string, message: string): void {
  if (ctx.problems.length < 200) ctx.problems.push({ severity: 'info', code, message, range: ctx.rangeOf(node.startIndex, node.endIndex) });
}

interface Branch { conditions: Node[] | undefined; body: Node[]; keyword: Node }

function branchesOf(node: Node): Branch[] {
  const branches: Branch[] = [];
  const parse = (clause: Node, hasCondition: boolean): Branch => {
    const branch: Branch = { conditions: hasCondition ? [] : undefined, body: [], keyword: clause };
    let inBody = !hasCondition;
    for (const child of clause.children) {
      if (child.type === 'then') { inBody = true; continue; }
      if (!child.isNamed || child.type === 'comment' || child.type === 'elif_clause' || child.type === 'else_clause') continue;
      if (inBody) branch.body.push(child);
      else branch.conditions?.push(child);
    }
    return branch;
  };
  branches.push(parse(node, true));
  for (const child of node.namedChildren) {
    if (child.type === 'elif_clause') branches.push(parse(child, true));
    else if (child.type === 'else_clause') branches.push(parse(child, false));
  }
  return branches;
}

function ifStatement(node: Node, ctx: Context, depth: number): boolean {
  const line = (n: Node): number => n.startPosition.row + 1;
  const undecided: string[] = [];
  const unset: string[] = [];
  for (const branch of branchesOf(node)) {
    let taken = true;
    if (branch.conditions) {
      const decision = decideCondition(branch.conditions, ctx.env);
      for (const name of decision.assumedUnset) if (!unset.includes(name)) unset.push(name);
      if (decision.value === undefined) undecided.push(`line ${line(branch.keyword)}`);
      taken = decision.value === true;
    }
    if (!taken) continue;
    const why = unset.length ? ` (with ${unset.slice(0, 4).join(', ')} unset)` : '';
    const guess = undecided.length ? `; the condition at ${undecided.join(', ')} could not be decided and was read as false` : '';
    note(ctx, branch.keyword.type === 'if_statement' ? node.firstChild ?? node : branch.keyword.firstChild ?? branch.keyword,
      'shell/branch-taken', `Values here come from the branch at line ${line(branch.keyword)}, the one the file takes when run as-is${why}${guess}.`);
    return statements(branch.body, ctx, depth + 1);
  }
  const why = unset.length ? ` with ${unset.slice(0, 4).join(', ')} unset` : '';
  const guess = undecided.length ? `; the condition at ${undecided.join(', ')} could not be decided and was read as false` : '';
  note(ctx, node.firstChild ?? node, 'shell/branch-taken', `No branch of this \`if\` runs when the file is run as-is${why}${guess}; its values are ignored.`);
  return true;
}

function list(node: Node, ctx: Context, depth: number): boolean {
  const [left, operator, right] = node.children;
  if (!left || !right) return true;
  const decided = left.type === 'test_command' || left.type === 'negated_command' ? decideCondition([left], ctx.env).value : undefined;
  if (!(decided !== undefined || statement(left, ctx, depth + 1))) return false;
  // Commands are taken to succeed, so `a || fallback` skips the fallback and `a && b` runs b.
  const succeeded = decided ?? true;
  if ((operator?.type === '&&') === succeeded) return statement(right, ctx, depth + 1);
  return true;
}

function command(node: Node, ctx: Context): boolean {
  const nameNode = node.childForFieldName('name');
  const name = nameNode?.text ?? '';
  if (name === 'exit') return false;
  if (name === '.' || name === 'source') {
    note(ctx, node, 'shell/sourced-file', `\`${node.text.slice(0, 80)}\` reads another file; values set there are not seen here.`);
    return true;
  }
  if (SKIPPED_COMMANDS.has(name)) return true;
  const start = nameNode ? nameNode.endIndex : node.startIndex;
  ctx.flags.push(...scanFlags(ctx.text, start, node.endIndex, ctx.env));
  return true;
}

/** Returns false once the script has exited. */
function statement(node: Node, ctx: Context, depth: number): boolean {
  if (++ctx.steps > MAX_STEPS || depth > MAX_DEPTH) return false;
  switch (node.type) {
    case 'comment':
      if (node.text.startsWith('#SBATCH')) sbatchLines(node.startIndex, node.endIndex, ctx);
      return true;
    case 'variable_assignment':
      assign(node, ctx);
      return true;
    case 'variable_assignments':
    case 'declaration_command':
      for (const child of node.namedChildren) if (child.type === 'variable_assignment') assign(child, ctx);
      return true;
    case 'unset_command':
      for (const child of node.namedChildren) if (child.type === 'variable_name') ctx.env.delete(child.text);
      return true;
    case 'command':
      return command(node, ctx);
    case 'redirected_statement': {
      const body = node.childForFieldName('body');
      const alive = body ? statement(body, ctx, depth + 1) : true;
      for (const child of node.namedChildren) if (child.type === 'heredoc_redirect') heredoc(child, ctx);
      return alive;
    }
    case 'if_statement':
      return ifStatement(node, ctx, depth);
    case 'list':
      return list(node, ctx, depth);
    case 'pipeline':
    case 'subshell':
    case 'compound_statement':
    case 'negated_command':
      return statements(node.namedChildren, ctx, depth + 1);
    default:
      // Loops, `case` and function bodies run a data-dependent number of times (or never): not followed.
      return true;
  }
}

function statements(nodes: readonly Node[], ctx: Context, depth: number): boolean {
  for (const node of nodes) if (!statement(node, ctx, depth)) return false;
  return true;
}

export function runScript(root: Node, text: string, rangeOf: RangeOf): ShellRun {
  const ctx: Context = { text, rangeOf, steps: 0, flags: [], sbatch: [], jsonEntries: [], problems: [], env: new Map() };
  statements(root.namedChildren, ctx, 0);
  return { flags: ctx.flags, sbatch: ctx.sbatch, jsonEntries: ctx.jsonEntries, problems: ctx.problems, env: ctx.env };
}
