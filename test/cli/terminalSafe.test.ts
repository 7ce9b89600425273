// What plens prints goes through terminalSafe (src/cli/io.ts processIo): a config is untrusted, and its values reach
// messages and tables as they are, so a character a terminal acts on is written as `\uXXXX`, which --json reads back.
import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/cli/io';

describe('terminalSafe', () => {
  it('writes escapes, bells, lone carriage returns, DEL, C1 controls and bidirectional overrides as \\uXXXX', () => {
    expect(terminalSafe('a\x1b[31mb\x07c\rd\x7fe\u0085f\u202eg\u2066h')).toBe('a\\u001B[31mb\\u0007c\\u000Dd\\u007Fe\\u0085f\\u202Eg\\u2066h');
  });

  it('keeps tabs, newlines, CRLF line ends and everything printable', () => {
    const text = 'TP\tPP\nrank,tp\r\n1,8\r\nμ-batch — 80 GiB ✓ 中文\n';
    expect(terminalSafe(text)).toBe(text);
  });

  it('leaves JSON valid, reading back the same values', () => {
    const value = { gpu: 'X\x1b]52;c;aGk=\x07\u009b\u202e', note: 'tab\there' };
    const printed = terminalSafe(JSON.stringify(value, null, 2));
    expect(printed).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
    expect(JSON.parse(printed)).toEqual(value);
  });
});
