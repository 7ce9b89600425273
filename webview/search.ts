// The Search tab: a layout search's rows as a table sorted by any column (click a heading; again to reverse),
// the file's own layout marked "now", and Apply on each result. Text only (textContent), like every panel part.
import type { SearchMessage, SearchRow } from '../src/protocol';
import { byId } from './dom';
import { frontRanks, SearchScatter } from './searchScatter';

interface Column {
  key: string;
  label: string;
  title?: string;
  value?: (row: SearchRow) => number;
  text: (row: SearchRow) => string;
}

const layoutText = (row: SearchRow) => {
  const l = row.layout;
  return `TP ${l.tp} · PP ${l.pp}${l.vpp > 1 ? ` · VPP ${l.vpp}` : ''} · EP ${l.ep} · CP ${l.cp} · DP ${l.dp} · ZeRO ${l.zero} · ${l.schedule} · mbs ${l.microBatchSize} · recompute ${l.recompute}${l.pipelineLayout !== 'even' ? ` · layout ${l.pipelineLayout}` : ''}`;
};

const COLUMNS: Column[] = [
  { key: 'rank', label: '#', value: (row) => row.rank, text: (row) => (row.rank === 0 ? 'now' : String(row.rank)) },
  { key: 'layout', label: 'Layout', text: layoutText },
  { key: 'step', label: 'Step', value: (row) => row.stepSeconds, text: (row) => row.texts.step },
  { key: 'mfu', label: 'MFU', value: (row) => row.mfu, text: (row) => row.texts.mfu },
  { key: 'peak', label: 'Peak / HBM', title: 'Peak memory of the fullest rank against the GPU\'s HBM', value: (row) => row.peakBytes / row.capacityBytes, text: (row) => row.texts.peak },
  { key: 'bubble', label: 'Bubble', value: (row) => row.bubbleFraction, text: (row) => row.texts.bubble },
  { key: 'ib', label: 'IB / token', title: 'InfiniBand bytes per GPU per token', value: (row) => row.ibBytesPerToken, text: (row) => row.texts.ib },
  { key: 'fits', label: 'Fits', value: (row) => (row.fits ? 0 : 1), text: (row) => (row.fits ? 'yes' : 'no') },
];

const FRONT_COLUMN = 'front';

export class SearchPane {
  private message: SearchMessage | undefined;
  private sort = { key: 'rank', ascending: true };
  private front = new Set<number>();
  private selected: number | undefined;
  private readonly scatter = new SearchScatter(byId<HTMLCanvasElement>('search-scatter'), (rank) => this.select(rank));

  constructor(onSearch: () => void, private readonly onApply: (searchId: number, rank: number) => void) {
    byId('search-run').addEventListener('click', onSearch);
    this.renderHead();
  }

  /** A point of the scatter was clicked: its row is marked, scrolled to and focused. */
  select(rank: number): void {
    this.selected = rank;
    for (const tr of Array.from(byId('search-rows').querySelectorAll<HTMLTableRowElement>('tr'))) {
      const chosen = tr.dataset.rank === String(rank);
      tr.classList.toggle('selected', chosen);
      tr.setAttribute('aria-selected', String(chosen));
      if (chosen) {
        // Vertically only: scrollIntoView would also scroll the page sideways by the width the table overflows.
        const box = tr.getBoundingClientRect();
        if (box.top < 0) window.scrollBy({ top: box.top - 8 });
        else if (box.bottom > window.innerHeight) window.scrollBy({ top: box.bottom - window.innerHeight + 8 });
        tr.focus({ preventScroll: true });
      }
    }
  }

  canvas(): HTMLCanvasElement {
    return byId<HTMLCanvasElement>('search-scatter');
  }

  show(message: SearchMessage): void {
    if (message.searchId !== this.message?.searchId) this.selected = undefined;
    this.message = message;
    byId('search-summary').textContent = message.fileName ? `${message.fileName}: ${message.summary}` : message.summary;
    byId('search-run').toggleAttribute('disabled', message.state === 'running');
    this.front = frontRanks(message.rows);
    byId('search-scatter-box').hidden = message.rows.length === 0;
    if (message.rows.length > 0) this.scatter.draw(message.rows);
    else this.scatter.clear();
    this.renderRows();
  }

  private renderHead(): void {
    const cells = COLUMNS.map((column) => {
      const th = document.createElement('th');
      th.scope = 'col';
      if (column.title) th.title = column.title;
      if (!column.value) {
        th.textContent = column.label;
        return th;
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.dataset.testid = `search-sort-${column.key}`;
      button.textContent = column.label;
      button.addEventListener('click', () => {
        this.sort = { key: column.key, ascending: this.sort.key === column.key ? !this.sort.ascending : true };
        this.renderHead();
        this.renderRows();
      });
      if (this.sort.key === column.key) th.setAttribute('aria-sort', this.sort.ascending ? 'ascending' : 'descending');
      th.append(button);
      return th;
    });
    const front = document.createElement('th');
    front.scope = 'col';
    front.title = 'On the Pareto front of the layouts that fit: none is both faster and smaller';
    front.textContent = 'Pareto';
    const action = document.createElement('th');
    action.scope = 'col';
    action.textContent = '';
    byId('search-head').replaceChildren(...cells, front, action);
  }

  private renderRows(): void {
    const message = this.message;
    const table = document.querySelector<HTMLTableElement>('[data-testid="search-table"]');
    if (!message || !table) return;
    table.hidden = message.rows.length === 0;
    const column = COLUMNS.find((c) => c.key === this.sort.key) ?? COLUMNS[0]!;
    const direction = this.sort.ascending ? 1 : -1;
    const rows = [...message.rows].sort((a, b) => direction * ((column.value?.(a) ?? 0) - (column.value?.(b) ?? 0)) || a.rank - b.rank);
    byId('search-rows').replaceChildren(...rows.map((row) => this.renderRow(message.searchId, row)));
  }

  private renderRow(searchId: number, row: SearchRow): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.testid = `search-row-${row.rank}`;
    tr.dataset.pp = String(row.layout.pp);
    tr.dataset.rank = String(row.rank);
    tr.tabIndex = -1;
    if (row.rank === 0) tr.classList.add('current');
    if (this.front.has(row.rank)) {
      tr.classList.add('front');
      tr.dataset.front = 'true';
    }
    if (row.rank === this.selected) {
      tr.classList.add('selected');
      tr.setAttribute('aria-selected', 'true');
    }
    for (const column of COLUMNS) {
      const td = document.createElement(column.key === 'rank' ? 'th' : 'td');
      if (column.key === 'rank') td.setAttribute('scope', 'row');
      td.dataset.field = column.key;
      td.textContent = column.text(row);
      if (column.key === 'fits' && !row.fits) td.className = 'over';
      tr.append(td);
    }
    const front = document.createElement('td');
    front.dataset.field = FRONT_COLUMN;
    front.textContent = this.front.has(row.rank) ? '◆ front' : '';
    tr.append(front);
    const action = document.createElement('td');
    if (row.rank > 0) {
      const apply = document.createElement('vscode-button');
      apply.setAttribute('secondary', '');
      apply.dataset.testid = `search-apply-${row.rank}`;
      apply.title = 'Write this layout into the file (one edit; Undo restores it)';
      apply.textContent = 'Apply';
      apply.addEventListener('click', () => this.onApply(searchId, row.rank));
      action.append(apply);
    }
    tr.append(action);
    return tr;
  }
}
