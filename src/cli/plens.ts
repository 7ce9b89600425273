// The executable entry of `plens`; everything testable lives in main.ts. Output errors are the terminal's, not a
// bug: a reader that closes the pipe early (`plens … | head`) ends the output quietly and the command keeps its
// exit code; a full disk (ENOSPC) or another write error is one line on stderr and exit 1.
import { setFlagsFromString } from 'node:v8';
import { main } from './main';
import { processIo } from './io';

// A layout search is a short process that runs many moderately hot functions a few thousand times each. In a perf
// profile of `plens search` on the DeepSeek-V3 example, V8's optimizing compiler took about as much CPU, on its
// background threads, as the search itself, most of it inlining and escape analysis; on two cores it competes
// with the search for the second core. Without those two passes the process uses about a quarter less CPU and wall
// time (DESIGN.md §7), and the answer is the same. Twice V8's default interrupt budget (67,584) leaves the
// functions that run only briefly to the baseline compiler: about 4 % less again, in three paired measurements.
// They stay on for every other command: the schedule simulator's long loops gain from them. The flags are
// process-wide, so the search's worker threads compile the same way.
if (process.argv[2] === 'search') {
  setFlagsFromString('--no-turbo-inlining');
  setFlagsFromString('--no-turbo-escape');
  setFlagsFromString('--interrupt-budget=135168');
}

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
