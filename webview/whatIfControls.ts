// The estimate's what-if controls: schedule, PP, micro-batch size. They only send values; the host re-estimates
// the active config with them and never edits the file for it (DESIGN.md §6).
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { EstimateView, ScheduleChoice, WhatIfChanges } from '../src/protocol';
import { byId, fillScheduleOptions, selectSchedule, wholeNumber } from './dom';

export class WhatIfControls {
  private readonly form = byId<HTMLFormElement>('what-if');
  private readonly schedule = byId<VscodeSingleSelect>('what-if-schedule');
  private readonly pp = byId<VscodeTextfield>('what-if-pp');
  private readonly microBatchSize = byId<VscodeTextfield>('what-if-mbs');
  private readonly reset = byId<HTMLElement>('what-if-reset');
  private offered = '';

  constructor(onWhatIf: (changes: WhatIfChanges) => void, onReset: () => void, onInvalid: (message: string) => void) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const changes = this.read();
      if (typeof changes === 'string') onInvalid(changes);
      else onWhatIf(changes);
    });
    this.reset.addEventListener('click', () => onReset());
  }

  offer(choices: ScheduleChoice[]): void {
    const key = choices.map((c) => c.id).join(',');
    if (key === this.offered) return;
    this.offered = key;
    fillScheduleOptions(this.schedule, choices);
  }

  show(view: EstimateView): void {
    this.form.hidden = !view.controls;
    this.reset.hidden = !view.whatIf;
    const controls = view.controls;
    if (!controls) return;
    selectSchedule(this.schedule, controls.schedule);
    this.pp.value = String(controls.pp);
    this.microBatchSize.value = String(controls.microBatchSize);
  }

  private read(): WhatIfChanges | string {
    const pp = wholeNumber(this.pp.value);
    if (pp === undefined) return 'PP must be a whole number ≥ 1';
    const microBatchSize = wholeNumber(this.microBatchSize.value);
    if (microBatchSize === undefined) return 'Micro-batch size must be a whole number ≥ 1';
    const changes: WhatIfChanges = { pp, microBatchSize };
    if (this.schedule.value) changes.schedule = this.schedule.value as NonNullable<WhatIfChanges['schedule']>;
    return changes;
  }
}
