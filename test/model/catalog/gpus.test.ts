import { describe, expect, it } from 'vitest';
import { findGpu, GPUS, NVLINK_ACHIEVABLE_FRACTION } from '../../../src/model/catalog/gpus';

describe('GPU catalog', () => {
  it('holds the nine presets the cost model names', () => {
    expect(GPUS.map((gpu) => gpu.id)).toEqual([
      'A100-40GB', 'A100-80GB', 'H100-SXM', 'H100-96GB', 'H800', 'H200', 'B200', 'GB200', 'MI300X',
    ]);
  });

  it('finds GPUs case-insensitively by id and alias', () => {
    expect(findGpu('h100')?.id).toBe('H100-SXM');
    expect(findGpu('H100-80GB')?.id).toBe('H100-SXM');
    expect(findGpu('H100 80GB')?.id).toBe('H100-SXM');
    expect(findGpu('a100')?.id).toBe('A100-80GB');
    expect(findGpu('A100_40GB')?.id).toBe('A100-40GB');
    expect(findGpu('h800')?.id).toBe('H800');
    expect(findGpu('GB200-NVL72')?.id).toBe('GB200');
    expect(findGpu('mi300x')?.id).toBe('MI300X');
    expect(findGpu('tpu-v5p')).toBeUndefined();
    expect(findGpu('')).toBeUndefined();
  });

  it('uses the DeepSeek-V3 achievable H800 link figures (§3.2.2: NVLink 160 GB/s, IB 50 GB/s)', () => {
    const h800 = findGpu('H800');
    expect(h800?.nvlinkBytesPerSecond).toBe(160e9);
    expect(h800?.ibBytesPerSecond).toBe(50e9);
    // The paper's "roughly 3.2 times": 160 / 50 = 3.2.
    expect((h800?.nvlinkBytesPerSecond ?? 0) / (h800?.ibBytesPerSecond ?? 1)).toBeCloseTo(3.2, 10);
  });

  it('derives the NVLink achievable fraction from H800 (160 of 200 GB/s per direction)', () => {
    expect(NVLINK_ACHIEVABLE_FRACTION).toBe(0.8);
    // H100: 900 GB/s bidirectional → 450 per direction → × 0.8 = 360 GB/s achievable.
    expect(findGpu('H100')?.nvlinkPeakBytesPerSecond).toBe(450e9);
    expect(findGpu('H100')?.nvlinkBytesPerSecond).toBeCloseTo(360e9, -3);
  });

  it('has dense (not sparse) peaks, no FP8 on A100, and FP8 = 2 × BF16 where supported', () => {
    expect(findGpu('A100')?.peakFlopsPerSecond).toEqual({ bf16: 312e12, fp16: 312e12, fp8: 0 });
    expect(findGpu('H100')?.peakFlopsPerSecond.bf16).toBeCloseTo(989.4e12, -9);
    for (const gpu of GPUS) {
      if (gpu.peakFlopsPerSecond.fp8 === 0) continue;
      expect(gpu.peakFlopsPerSecond.fp8 / gpu.peakFlopsPerSecond.bf16).toBeCloseTo(2, 2);
    }
  });

  it('sizes HBM in binary units and the GB200 NVLink domain at 72 GPUs', () => {
    expect(findGpu('H100')?.hbmBytes).toBe(80 * 2 ** 30);
    expect(findGpu('H200')?.hbmBytes).toBe(141 * 2 ** 30);
    expect(findGpu('GB200')?.gpusPerNode).toBe(72);
    expect(findGpu('B200')?.gpusPerNode).toBe(8);
  });

  it('cites a source for every preset and positive numbers everywhere', () => {
    for (const gpu of GPUS) {
      expect(gpu.source.length).toBeGreaterThan(40);
      for (const value of [gpu.hbmBytes, gpu.hbmBytesPerSecond, gpu.nvlinkBytesPerSecond, gpu.ibBytesPerSecond,
        gpu.peakFlopsPerSecond.bf16, gpu.gpusPerNode]) {
        expect(value).toBeGreaterThan(0);
      }
      expect(gpu.nvlinkBytesPerSecond).toBeLessThanOrEqual(gpu.nvlinkPeakBytesPerSecond);
    }
  });
});
