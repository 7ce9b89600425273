// Each reader's keys are modelled or acknowledged, and docs/reference/FORMATS.md §A.7 lists both sets per format:
// a key added to a reader's table without its line in the reference fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEGATRON_ACKNOWLEDGED_KEYS, MEGATRON_MODELLED_KEYS } from '../../../src/config/megatron/megatronKeys';
import { DEEPSPEED_NOT_MODELLED, TORCHTITAN_NOT_MODELLED } from '../../../src/config/draft/notModelled';

const formats = readFileSync('docs/reference/FORMATS.md', 'utf8');
const section = formats.slice(formats.indexOf('### A.7'));
const line = (label: string) => section.split('\n').find((l) => l.startsWith(`- ${label}:`)) ?? '';
/** The keys a line names before any parenthesis (which may mention other keys). */
const listed = (label: string) => [...line(label).split(' (')[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('FORMATS.md §A.7 lists what each reader models and what it only acknowledges', () => {
  it('Megatron (flags, functional-test YAML, NeMo, Megatron-Bridge)', () => {
    expect(listed('Megatron modelled').sort()).toEqual([...MEGATRON_MODELLED_KEYS].sort());
    expect(listed('Megatron not modelled').sort()).toEqual([...MEGATRON_ACKNOWLEDGED_KEYS].sort());
  });
  it('DeepSpeed and torchtitan acknowledged keys', () => {
    expect(listed('DeepSpeed not modelled').sort()).toEqual(Object.keys(DEEPSPEED_NOT_MODELLED).sort());
    expect(listed('torchtitan not modelled').filter((k) => k !== 'parallelism.data_parallel_replicate_degree').sort()).toEqual(Object.keys(TORCHTITAN_NOT_MODELLED).sort());
  });
});
