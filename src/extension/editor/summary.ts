// The one-line summaries the CodeLens and the status bar show. Pure, no `vscode`.
import type { Estimate } from '../../model/estimate';
import type { Problem } from '../../model/problems';
import { headline, overCapacity } from '../../format';

function count(problems: Problem[], severity: Problem['severity']): number {
  return problems.filter((p) => p.severity === severity).length;
}

/** "step 12.3 s · MFU 41% · bubble 6% · peak 61.2/80 GiB", or why there is no estimate. */
export function lensTitle(estimate: Estimate | null, problems: Problem[]): string {
  if (estimate) return `${overCapacity(estimate) ? '⚠ does not fit · ' : ''}${headline(estimate)}`;
  const errors = count(problems, 'error');
  return errors > 0 ? `Parallelism Lens: no estimate (${errors} error${errors === 1 ? '' : 's'}; see Problems)` : 'Parallelism Lens: no estimate for this file';
}

/** The status bar text: short, with a codicon; the full headline goes in the tooltip. */
export function statusText(estimate: Estimate | null, problems: Problem[]): string {
  if (!estimate) {
    const errors = count(problems, 'error');
    return errors > 0 ? `$(error) plens: ${errors} error${errors === 1 ? '' : 's'}` : '$(pulse) plens: no estimate';
  }
  return `${overCapacity(estimate) ? '$(warning)' : '$(pulse)'} ${headline(estimate).replace(/^step /, '')}`;
}
