// The Search tab: a layout search's rows as a table sorted by any column (click a heading; again to reverse),
// the file's own layout marked "now", and Apply on each result. Text only (textContent), like every panel part.
import type { SearchMessage, SearchRow } from '../src/protocol';
import { byId } from './dom';

interface Column {
  key: string;
  label: string;
  title?: string;
  value?: (row: SearchRow) => number;
  text: (row: SearchRow) => string;
}

const layoutText = (row: SearchRow) => {
  const l = row.layout;
  return `TP ${l.tp} · PP ${l.pp}${l.vpp > 1 ? ` · VPP ${l.vpp}` : ''} · EP ${l.ep} · CP ${l.cp} · DP ${l.dp} · ZeRO ${l.zero} · ${l.schedule} · mbs ${l.microBatchSize} · recompute ${l.recompute}`;
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

export class SearchPane {
  private message: SearchMessage | undefined;
  private sort = { key: 'rank', ascending: true };

  constructor(onSearch: () => void, private readonly onApply: (searchId: number, rank: number) => void) {
    byId('search-run').addEventListener('click', onSearch);
    this.renderHead();
  }

  show(message: SearchMessage): void {
    this.message = message;
    byId('search-summary').textContent = message.fileName ? `${message.fileName}: ${message.summary}` : message.summary;
    byId('search-run').toggleAttribute('disabled', message.state === 'running');
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
    const action = document.createElement('th');
    action.scope = 'col';
    action.textContent = '';
    byId('search-head').replaceChildren(...cells, action);
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
    if (row.rank === 0) tr.className = 'current';
    for (const column of COLUMNS) {
      const td = document.createElement(column.key === 'rank' ? 'th' : 'td');
      if (column.key === 'rank') td.setAttribute('scope', 'row');
      td.dataset.field = column.key;
      td.textContent = column.text(row);
      if (column.key === 'fits' && !row.fits) td.className = 'over';
      tr.append(td);
    }
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
