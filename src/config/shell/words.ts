// Splits a stretch of shell source into the fields an unquoted expansion would give, keeping each field's
// offsets. Quoted text is split too, because Megatron scripts put "--fp8-format hybrid" in one array element
// and expand the array unquoted (`${DTYPE_ARGS[@]}`), so bash splits it again at launch.
export type Quote = 'none' | 'single' | 'double';

export interface Field {
  /** Source text of the field, quotes included. */
  raw: string;
  start: number;
  end: number;
  /** Quote state in force where the field starts (a field may begin inside a quoted string). */
  quoteAtStart: Quote;
}

export interface SplitOptions {
  /** Split at whitespace inside quotes as well (default true); conditions keep quoted words whole. */
  splitQuoted?: boolean;
  /** Most fields returned; keeps pathological input bounded. */
  maxFields?: number;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

export function splitFields(text: string, start: number, end: number, options: SplitOptions = {}): Field[] {
  const splitQuoted = options.splitQuoted ?? true;
  const maxFields = options.maxFields ?? 20_000;
  const fields: Field[] = [];
  let quote: Quote = 'none';
  let nesting = 0; // inside ${…}, $(…), $((…)) — never split there
  let fieldStart = -1;
  let fieldQuote: Quote = 'none';
  const close = (at: number): void => {
    if (fieldStart >= 0 && fields.length < maxFields) {
      fields.push({ raw: text.slice(fieldStart, at), start: fieldStart, end: at, quoteAtStart: fieldQuote });
    }
    fieldStart = -1;
  };
  for (let i = start; i < end; i++) {
    const c = text[i] ?? '';
    if (quote !== 'single' && c === '\\') {
      // A line continuation separates fields; any other escape keeps the next character literal.
      if (text[i + 1] === '\n' && nesting === 0) {
        close(i);
        i++;
        continue;
      }
      if (fieldStart < 0) { fieldStart = i; fieldQuote = quote; }
      i++;
      continue;
    }
    const splitsHere = nesting === 0 && (quote === 'none' || splitQuoted);
    if (isSpace(c) && splitsHere) {
      close(i);
      continue;
    }
    if (c === '#' && quote === 'none' && nesting === 0 && fieldStart < 0) {
      while (i < end && text[i] !== '\n') i++; // a comment runs to the end of the line
      continue;
    }
    if (fieldStart < 0) { fieldStart = i; fieldQuote = quote; }
    if (quote === 'single') {
      if (c === "'") quote = 'none';
    } else if (c === '$' && (text[i + 1] === '{' || text[i + 1] === '(')) {
      nesting++;
      i++;
    } else if (nesting > 0 && (c === '{' || c === '(')) {
      nesting++;
    } else if (nesting > 0 && (c === '}' || c === ')')) {
      nesting--;
    } else if (nesting === 0 && c === '"') {
      quote = quote === 'double' ? 'none' : 'double';
    } else if (nesting === 0 && quote === 'none' && c === "'") {
      quote = 'single';
    }
  }
  close(end);
  return fields;
}
