// package.json's contributions hold together: every command a menu or the walkthrough names is contributed and
// activates the extension, and every walkthrough step's page exists (a missing one shows an empty step).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    walkthroughs: { steps: { id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[] }[];
  };
};
const commands = new Set(manifest.contributes.commands.map((c) => c.command));

describe('package.json contributions', () => {
  it('contributes every command the menus and the walkthrough use, each with an activation event', () => {
    const used = [
      ...Object.values(manifest.contributes.menus).flat().map((item) => item.command),
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.flatMap((step) => [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]!))),
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.flatMap((step) => (step.completionEvents ?? []).map((e) => e.replace(/^onCommand:/, '')))),
    ];
    expect(used.length).toBeGreaterThan(5);
    for (const command of used) {
      expect(commands.has(command), command).toBe(true);
      expect(manifest.activationEvents, command).toContain(`onCommand:${command}`);
    }
  });

  it('walks through the five first steps, each with its page', () => {
    const steps = manifest.contributes.walkthroughs[0]!.steps;
    expect(steps.map((step) => step.id)).toEqual(['openExample', 'hover', 'openPanel', 'whatIf', 'search']);
    for (const step of steps) expect(existsSync(step.media.markdown ?? ''), step.id).toBe(true);
  });

  it('ships the example the walkthrough opens', () => {
    expect(readFileSync('.vscodeignore', 'utf8')).toContain('!examples/deepseek-v3.plens.yaml');
    expect(existsSync('examples/deepseek-v3.plens.yaml')).toBe(true);
  });
});
