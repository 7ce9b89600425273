// Helpers the panel's parts share: finding the page's elements, filling a schedule picker, reading a count field.
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { ScheduleChoice } from '../src/protocol';

/** The page's ids are fixed by src/extension/panel/html.ts, so a missing one is a bug, not a user's input. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`panel page is missing #${id}`);
  return found as T;
}

export function fillScheduleOptions(select: VscodeSingleSelect, choices: readonly ScheduleChoice[]): void {
  select.replaceChildren(...choices.map((choice) => {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', choice.id);
    option.textContent = choice.label;
    return option;
  }));
}

export function selectSchedule(select: VscodeSingleSelect, schedule: string): void {
  for (const option of Array.from(select.children)) option.toggleAttribute('selected', option.getAttribute('value') === schedule);
  select.value = schedule;
}

/** A count typed by the user: digits only (no sign, point or exponent), at least 1. */
export function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= 1 ? value : undefined;
}
