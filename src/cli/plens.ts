// The bundle `plens` runs (dist/plens.js, started by launch.ts with its V8 flags); everything testable lives in
// main.ts. Output errors are the terminal's, not a bug: a reader that closes the pipe early (`plens … | head`) ends
// the output quietly and the command keeps its exit code; a full disk (ENOSPC) or another write error is one line on
// stderr and exit 1.
import { main } from './main';
import { processIo } from './io';

let outputFailed = false;
let stdoutClosed = false;

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    stdoutClosed = true;
    return;
  }
  if (!outputFailed) {
    outputFailed = true;
    const reason = error.code === 'ENOSPC' ? 'no space left on the device' : error.message.split('\n')[0];
    process.stderr.write(`plens: cannot write the output: ${reason} (${error.code ?? 'error'})\n`);
  }
  process.exitCode = 1;
});

const io = processIo();
const write = io.stdout;
io.stdout = (text) => {
  if (!stdoutClosed && !outputFailed) write(text);
};

main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = outputFailed ? 1 : code; },
  () => { process.exitCode = 2; },
);
