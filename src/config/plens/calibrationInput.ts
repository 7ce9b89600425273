// Calibration given outside a config file: the editor's `parallelismLens.calibration` setting and the CLI's
// `--calibration FILE` (YAML or JSON: a `calibration:` map, or the map itself). Keys and ranges are
// cost/calibration.ts's; anything else is a message, never a silently dropped or clamped value.
import { parse } from 'yaml';
import { CALIBRATION_KEYS, calibrationRange, type Calibration, type CalibrationKey } from '../../model/cost/calibration';

export interface CalibrationInput {
  calibration: Partial<Calibration>;
  /** One line per key that was not used, saying why. */
  messages: string[];
}

export function calibrationFromObject(value: unknown): CalibrationInput {
  const calibration: Partial<Calibration> = {};
  const messages: string[] = [];
  if (value === undefined || value === null) return { calibration, messages };
  if (typeof value !== 'object' || Array.isArray(value)) return { calibration, messages: ['calibration must be a map of calibration keys to numbers'] };
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!(CALIBRATION_KEYS as readonly string[]).includes(key)) {
      messages.push(`unknown calibration key "${key}" (known: ${CALIBRATION_KEYS.join(', ')})`);
      continue;
    }
    const { min, max } = calibrationRange(key as CalibrationKey);
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < min || raw > max) {
      messages.push(`calibration ${key}: expected a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      continue;
    }
    calibration[key as CalibrationKey] = raw;
  }
  return { calibration, messages };
}

/** A calibration file's text: `calibration: {…}` at the top, or the map of keys itself. */
export function readCalibrationText(text: string): CalibrationInput {
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    return { calibration: {}, messages: [`not YAML or JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`] };
  }
  const root = document !== null && typeof document === 'object' && !Array.isArray(document) ? (document as Record<string, unknown>) : undefined;
  if (!root) return { calibration: {}, messages: ['expected a map with a `calibration:` block'] };
  return calibrationFromObject('calibration' in root ? root.calibration : root);
}
