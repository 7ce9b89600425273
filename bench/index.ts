// `npm run bench`: every benchmark, as a table on stdout and JSON in bench/results.json.
import { writeFileSync } from 'node:fs';
import { benchBundles } from './bundles';
import { benchEditor, benchEditorCutoffs } from './editor';
import { benchEstimate } from './estimate';
import type { BenchRow } from './measure';
import { benchReaders } from './readers';
import { benchSchedules } from './schedule';
import { benchSearch } from './search';

async function main(): Promise<void> {
  const rows: BenchRow[] = [...benchSchedules(), ...benchEstimate(), ...(await benchReaders()), ...benchEditor(), ...benchEditorCutoffs(), ...benchSearch(), ...benchBundles()];
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.value.toFixed(row.value < 10 ? 3 : 1).padStart(10)} ${row.unit}`);
  writeFileSync('bench/results.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');
  console.log('\nwritten to bench/results.json');
}

void main();
