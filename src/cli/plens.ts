// The executable entry of `plens`; everything testable lives in main.ts.
import { main } from './main';
import { processIo } from './io';

main(process.argv.slice(2), processIo()).then(
  (code) => { process.exitCode = code; },
  () => { process.exitCode = 2; },
);
