import { describe, expect, it } from 'vitest';
import { isHostMessage, isWebviewMessage } from '../../src/protocol';

describe('message guards', () => {
  it('accepts the webview intents and nothing else', () => {
    expect(isWebviewMessage({ type: 'ready' })).toBe(true);
    expect(isWebviewMessage({ type: 'runSchedule', query: { schedule: '1f1b', pp: 4, microbatches: 8 } })).toBe(true);
    expect(isWebviewMessage({ type: 'runSchedule' })).toBe(false);
    expect(isWebviewMessage({ type: 'whatIf', changes: { pp: 8 } })).toBe(true);
    expect(isWebviewMessage({ type: 'whatIf' })).toBe(false);
    expect(isWebviewMessage({ type: 'whatIf', changes: 'pp=8' })).toBe(false);
    expect(isWebviewMessage({ type: 'whatIfReset' })).toBe(true);
    expect(isWebviewMessage({ type: 'openBeside' })).toBe(true);
    expect(isWebviewMessage({ type: 'searchLayouts' })).toBe(true);
    expect(isWebviewMessage({ type: 'applyLayout', searchId: 1, rank: 2 })).toBe(true);
    expect(isWebviewMessage({ type: 'applyLayout', searchId: 1, rank: '2' })).toBe(false);
    expect(isWebviewMessage({ type: 'editFile', path: '/etc/passwd' })).toBe(false);
    expect(isWebviewMessage('ready')).toBe(false);
    expect(isWebviewMessage(null)).toBe(false);
  });

  it('accepts the host messages, the estimate included', () => {
    for (const type of ['init', 'schedule', 'scheduleError', 'scheduleRunning', 'estimate', 'search']) expect(isHostMessage({ type })).toBe(true);
    expect(isHostMessage({ type: 'runSchedule' })).toBe(false);
    expect(isHostMessage({})).toBe(false);
  });
});
