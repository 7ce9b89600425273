// CSV for spreadsheets (RFC 4180): a header row, then one row per record; a field with a comma, a quote or a line
// break is quoted and its quotes doubled. Values are raw SI numbers (seconds, bytes, fractions), not the tables' text.
export function csv(header: string[], rows: (string | number | boolean)[][]): string {
  const field = (value: string | number | boolean) => {
    // Text that a spreadsheet would run as a formula (a config value, a message) is kept as text (OWASP's advice).
    const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
