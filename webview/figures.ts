// The figures beside the timeline. Written with textContent only: the page never parses data as HTML.
import type { ScheduleReport } from '../src/protocol';
import { byId } from './dom';
import { formatNumber, formatPercent } from './format';

function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

export interface Headline {
  makespan: number;
  maxIdle: number;
  peakActivations: number;
}

/** The headline the panel shows, derived from the report only (the simulator is the source of truth). */
export function headlineOf(report: ScheduleReport): Headline {
  let maxIdle = 0;
  let peakActivations = 0;
  for (const rank of report.ranks) {
    maxIdle = Math.max(maxIdle, rank.idleVsMakespan);
    peakActivations = Math.max(peakActivations, rank.peakActivations);
  }
  return { makespan: report.makespan, maxIdle, peakActivations };
}

export function renderFigures(report: ScheduleReport): void {
  const headline = headlineOf(report);
  setText('makespan', formatNumber(headline.makespan));
  setText('max-idle', formatNumber(headline.maxIdle));
  setText('bubble-fraction', formatPercent(headline.makespan > 0 ? headline.maxIdle / headline.makespan : 0));
  setText('closed-form-formula', report.closedForm.formula);
  setText('closed-form-bubble', formatNumber(report.closedForm.bubble));
  setText('closed-form-holds', report.closedForm.holds ? 'yes' : 'no');
  byId('closed-form-holds').title = report.closedForm.holds
    ? 'The formula applies to these costs; it should equal the simulated bubble.'
    : 'The formula is known not to apply to these costs; the simulated bubble is the figure to trust.';
  setText('peak-activations-max', formatNumber(headline.peakActivations));
  const { F, B, W, FB, p2p } = report.costs;
  setText('costs', `F ${formatNumber(F)}, B ${formatNumber(B)}, W ${formatNumber(W)}, F&B ${formatNumber(FB)}, p2p ${formatNumber(p2p)}`);

  const rows = report.ranks.map((rank) => {
    const row = document.createElement('tr');
    row.dataset.testid = `rank-row-${rank.rank}`;
    const cells = [rank.rank, rank.busy, rank.idleVsMakespan, rank.idleInOwnSpan, rank.peakActivations];
    const names = ['rank', 'busy', 'idle', 'idle-own-span', 'peak-activations'];
    cells.forEach((value, index) => {
      const cell = document.createElement(index === 0 ? 'th' : 'td');
      if (index === 0) cell.setAttribute('scope', 'row');
      cell.dataset.field = names[index] ?? '';
      cell.textContent = formatNumber(value);
      row.append(cell);
    });
    return row;
  });
  byId('ranks').replaceChildren(...rows);
}
