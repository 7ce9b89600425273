// Link bandwidths: the catalog's IB figure is a line rate and is derated by ibFraction; a cluster's nvlinkGBps and
// ibGBps overrides are already achievable GB/s (design.ts ClusterSpec, schemas/plens.schema.json) and are used as given.
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { efficiencyFor, linksFor } from '../../../src/model/cost/compute/efficiency';

const h800 = findGpu('H800')!;
const params = efficiencyFor(h800, 'bf16');

describe('linksFor', () => {
  it('derates the catalog IB line rate: 50 GB/s × 0.9 = 45 GB/s; NVLink is already achievable', () => {
    const links = linksFor(h800, params);
    expect(h800.ibBytesPerSecond).toBe(50e9);
    expect(links.ibBytesPerSecond).toBeCloseTo(45e9, 0);
    expect(links.nvlinkBytesPerSecond).toBe(h800.nvlinkBytesPerSecond);
  });

  it('takes an ibGBps override as achievable: 40 GB/s stays 40 GB/s, not 36', () => {
    expect(linksFor(h800, params, { ibGBps: 40 }).ibBytesPerSecond).toBe(40e9);
  });

  it('takes an nvlinkGBps override as achievable, and each override leaves the other link alone', () => {
    const links = linksFor(h800, params, { nvlinkGBps: 150 });
    expect(links.nvlinkBytesPerSecond).toBe(150e9);
    expect(links.ibBytesPerSecond).toBeCloseTo(45e9, 0);
    expect(linksFor(h800, params, { ibGBps: 40 }).nvlinkBytesPerSecond).toBe(h800.nvlinkBytesPerSecond);
  });
});
