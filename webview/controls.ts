// The what-if controls: schedule, pipeline size, micro-batches (and chunks for interleaving). They only build a
// query; the host runs it. Nothing here touches a file.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { ScheduleChoice, ScheduleId, ScheduleQuery } from '../src/protocol';
import { byId, fillScheduleOptions, selectSchedule, wholeNumber } from './dom';

export class Controls {
  private readonly form = byId<HTMLFormElement>('controls');
  private readonly schedule = byId<VscodeSingleSelect>('schedule');
  private readonly pp = byId<VscodeTextfield>('pp');
  private readonly microbatches = byId<VscodeTextfield>('microbatches');
  private readonly chunks = byId<VscodeTextfield>('chunks');
  private readonly chunksControl = byId<HTMLElement>('chunks-control');
  private choices: ScheduleChoice[] = [];

  constructor(onRun: (query: ScheduleQuery) => void, onInvalid: (message: string) => void) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const query = this.read();
      if (typeof query === 'string') onInvalid(query);
      else onRun(query);
    });
    this.schedule.addEventListener('change', () => this.showChunksWhenInterleaved());
  }

  offer(choices: ScheduleChoice[]): void {
    if (sameChoices(choices, this.choices)) return;
    this.choices = choices;
    fillScheduleOptions(this.schedule, choices);
  }

  show(query: ScheduleQuery): void {
    selectSchedule(this.schedule, query.schedule);
    this.pp.value = String(query.pp);
    this.microbatches.value = String(query.microbatches);
    this.chunks.value = String(query.chunks ?? 2);
    this.showChunksWhenInterleaved(query.schedule);
  }

  /** The query the fields describe, or what is wrong with them. The host checks the schedule's own rules. */
  private read(): ScheduleQuery | string {
    const schedule = this.choices.find((choice) => choice.id === this.schedule.value)?.id;
    if (!schedule) return 'Pick a schedule';
    const pp = wholeNumber(this.pp.value);
    if (pp === undefined) return 'Pipeline ranks must be a whole number ≥ 1';
    const microbatches = wholeNumber(this.microbatches.value);
    if (microbatches === undefined) return 'Micro-batches must be a whole number ≥ 1';
    if (schedule !== 'interleaved-1f1b') return { schedule, pp, microbatches };
    const chunks = wholeNumber(this.chunks.value);
    if (chunks === undefined) return 'Chunks per rank must be a whole number ≥ 1';
    return { schedule, pp, microbatches, chunks };
  }

  private showChunksWhenInterleaved(schedule: ScheduleId | string = this.schedule.value): void {
    this.chunksControl.hidden = schedule !== 'interleaved-1f1b';
  }
}

function sameChoices(a: ScheduleChoice[], b: ScheduleChoice[]): boolean {
  return a.length === b.length && a.every((choice, index) => choice.id === b[index]?.id && choice.label === b[index]?.label);
}
