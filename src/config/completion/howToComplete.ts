// How a user gives what a file leaves out, said in the terms of that file's format. A launch script, YAML, TOML
// or Python file takes a `# plens:` comment; a JSON file cannot carry one (json.load refuses comments, and a
// DeepSpeed or Hugging Face file is read by programs that would break on it), so there the ways are the command
// line, a plens.yaml beside the file (the workspace root's in the editor) and the editor's settings.
import type { FormatId } from '../types';

const WITHOUT_COMMENTS: ReadonlySet<FormatId> = new Set<FormatId>(['deepspeed-json', 'hf-config-json']);

/** What a user may be asked to name, and its spelling in each place that can name it. */
const SPELLINGS = {
  model: { directive: 'model=<catalog id or ./config.json>', flag: '--model <id|config.json>', plensYaml: 'model', setting: undefined },
  gpu: { directive: 'gpu=<id>', flag: '--gpu <id>', plensYaml: 'cluster.gpu', setting: 'parallelismLens.gpu' },
  nodes: { directive: 'nodes=<N>', flag: '--nodes <N>', plensYaml: 'cluster.nodes', setting: 'parallelismLens.nodes' },
} as const;

export type Nameable = keyof typeof SPELLINGS;

/** Whether a `# plens:` comment is a way to complete a file of this format. */
export function takesDirectives(format: FormatId): boolean {
  return !WITHOUT_COMMENTS.has(format);
}

/** One sentence fragment: how to name `what` for a file of `format`, the file's own way first. */
export function howToComplete(format: FormatId, what: readonly Nameable[]): string {
  const spellings = what.map((name) => SPELLINGS[name]);
  const flags = spellings.map((s) => `\`${s.flag}\``).join(' ');
  const keys = spellings.map((s) => `\`${s.plensYaml}\``).join(', ');
  const settings = spellings.flatMap((s) => (s.setting ? [`\`${s.setting}\``] : []));
  const others = [`${flags} on the command line`, `${keys} in a plens.yaml beside the file`, ...(settings.length > 0 ? [`the setting${settings.length > 1 ? 's' : ''} ${settings.join(', ')} in the editor`] : [])];
  if (takesDirectives(format)) {
    return `add \`# plens: ${spellings.map((s) => s.directive).join(' ')}\` to the file, or give ${joinOr(others)}`;
  }
  return `give ${joinOr(others)} (a JSON file cannot carry a \`# plens:\` comment)`;
}

function joinOr(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}
