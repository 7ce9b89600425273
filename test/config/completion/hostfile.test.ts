import { describe, expect, it } from 'vitest';
import { readHostfile } from '../../../src/config/completion/hostfile';

describe('readHostfile', () => {
  it('equal hosts are nodes × GPUs per node; comments and blank lines are skipped', () => {
    expect(readHostfile('# cluster\nnode-a slots=4\n\nnode-b  slots = 4 # second\r\n')).toEqual({ cluster: { nodes: 2, gpusPerNode: 4 }, hosts: 2, gpus: 8 });
  });
  it('mixed slot counts are a world size only', () => {
    expect(readHostfile('a slots=8\nb slots=4\n')).toEqual({ cluster: { worldSize: 12 }, hosts: 2, gpus: 12 });
  });
  it.each([
    ['', 'no host listed'],
    ['a\n', 'line 1 is not "hostname slots=N"'],
    ['a slots=8\nb slots=x\n', 'line 2 is not "hostname slots=N"'],
    ['a slots=8\na slots=8\n', 'host a is listed twice (line 2)'],
    ['a slots=0\n', 'host a has no slots (line 1)'],
  ])('%j is refused: %s', (text, error) => {
    expect(readHostfile(text)).toEqual({ error });
  });
});
