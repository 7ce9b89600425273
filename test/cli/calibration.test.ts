// Calibration a user sets reaches the estimate from every layer (native block, --calibration FILE, settings), with
// its origin in --json and --explain; bad values are messages, never dropped in silence. --explain's waterfall adds
// up to the step time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo, UsageError } from '../../src/cli/io';
import { calibrationFromObject, readCalibrationText } from '../../src/config/plens/calibrationInput';
import { completeDesign, readConfig } from '../../src/config/index';
import { estimate } from '../../src/model/estimate';

const DSV3 = 'examples/deepseek-v3.plens.yaml';
const text = readFileSync(DSV3, 'utf8');

describe('calibration from a file, the CLI and settings', () => {
  it('reads a native `calibration:` block with positions, and the estimate says it came from the design', () => {
    const withBlock = `${text}\ncalibration:\n  gemmFraction: 0.5\n  expertImbalance: 1.3\n`;
    const read = readConfig(withBlock, DSV3)!;
    const { design, origins } = completeDesign(read, { text: withBlock });
    expect(design!.calibration).toEqual({ gemmFraction: 0.5, expertImbalance: 1.3 });
    expect(origins['calibration.gemmFraction']?.from).toBe('file');
    const slower = estimate(design!).estimate!;
    expect(slower.calibration.gemmFraction).toEqual({ value: 0.5, from: 'design' });
    const { design: plain } = completeDesign(readConfig(text, DSV3)!, { text });
    expect(slower.stepTimeSeconds).toBeGreaterThan(estimate(plain!).estimate!.stepTimeSeconds);
  });

  it('reports an out-of-range or unknown calibration key at its line', () => {
    const bad = `${text}\ncalibration:\n  gemmFraction: 1.7\n  gemmFractoin: 0.5\n`;
    const problems = readConfig(bad, DSV3)!.problems;
    expect(problems.some((p) => p.code === 'value/invalid' && p.message.includes('gemmFraction'))).toBe(true);
    expect(problems.some((p) => p.message.includes('gemmFractoin'))).toBe(true);
  });

  it('--calibration FILE sets values with origin flag; a bad file is a usage error naming it', async () => {
    const io = memoryIo({ [DSV3]: text, 'cal.yaml': 'calibration:\n  attentionFraction: 0.3\n', 'bad.yaml': 'calibration:\n  attentionFraction: 3\n' });
    await runEstimate([DSV3, '--calibration', 'cal.yaml', '--json'], io);
    const json = JSON.parse(io.out);
    expect(json.estimate.calibration.attentionFraction).toEqual({ value: 0.3, from: 'design' });
    expect(json.origins['calibration.attentionFraction'].from).toBe('flag');
    await expect(runEstimate([DSV3, '--calibration', 'bad.yaml'], memoryIo({ [DSV3]: text, 'bad.yaml': 'calibration:\n  attentionFraction: 3\n' }))).rejects.toThrow(UsageError);
  });

  it('takes a flat map or a calibration block, and names what it did not use', () => {
    expect(readCalibrationText('tpOverlap: 0.5\n').calibration).toEqual({ tpOverlap: 0.5 });
    expect(calibrationFromObject({ tpOverlap: 'high', nope: 1 }).messages).toHaveLength(2);
    expect(readCalibrationText('- 1\n').messages[0]).toMatch(/calibration/);
  });

  it('--explain prints the waterfall ending at the step time, and the calibration with origins', async () => {
    const io = memoryIo({ [DSV3]: text });
    await runEstimate([DSV3, '--explain'], io);
    expect(io.out).toMatch(/part of the step/);
    expect(io.out).toMatch(/expert GEMMs/);
    expect(io.out).toMatch(/pipeline bubble/);
    expect(io.out).toMatch(/gemmFraction\s+0\.72\s+catalog/);
  });
});
