// Megatron's --hidden-dropout / --attention-dropout (issue 10 item 7): absent, Megatron trains with 0.1 and keeps
// dropout masks; given as 0 it keeps none. The estimate's activation memory moves by exactly the masks' bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo } from '../../src/cli/io';
import { loadShellGrammar } from '../testInputs';

const LAYERS = 8;
const HIDDEN = 1024;
const SEQ = 2048;
const TP = 2;

/** A GPT-3-style (GeLU) launch: one pipeline stage, TP 2 with sequence parallelism, micro-batch 1. */
function script(extra: string): string {
  return [
    '# plens: gpu=H100-SXM nodes=1',
    'torchrun --nproc_per_node 8 pretrain_gpt.py \\',
    `  --num-layers ${LAYERS} --hidden-size ${HIDDEN} --num-attention-heads 16 --ffn-hidden-size 4096 --vocab-size 32000 \\`,
    `  --seq-length ${SEQ} --micro-batch-size 1 --global-batch-size 8 \\`,
    `  --tensor-model-parallel-size ${TP} --sequence-parallel --bf16 ${extra}`,
    '',
  ].join('\n');
}

interface Run {
  design: { model: Record<string, unknown> };
  estimate: { memory: { stages: { activationsBytes: number; parametersBytes: number }[] } };
  problems: { code: string; message: string; line?: number }[];
}

async function estimate(extra: string): Promise<Run> {
  const io = memoryIo({ 'train.sh': script(extra) });
  await runEstimate(['train.sh', '--json'], io);
  return JSON.parse(io.out) as Run;
}

describe('Megatron dropout flags in the estimate', () => {
  beforeAll(loadShellGrammar);

  it('absent: dropout 0.1 (said once), and the masks are in activation memory; 0 removes exactly their bytes', async () => {
    const defaulted = await estimate('');
    const off = await estimate('--hidden-dropout 0 --attention-dropout 0');
    expect(defaulted.design.model).toMatchObject({ hiddenDropout: 0.1, attentionDropout: 0.1 });
    expect(off.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0 });
    const dropoutNotes = (run: Run) => run.problems.filter((p) => p.code === 'value/defaulted' && p.message.includes('-dropout'));
    expect(dropoutNotes(defaulted).map((p) => p.line)).toEqual([3]);
    expect(dropoutNotes(off)).toEqual([]);

    // One micro-batch in flight (one stage). Per layer two 1-byte masks of s·h (after attention, after the MLP),
    // divided by TP under sequence parallelism; the embedding's mask s·h divided by TP (Megatron's
    // theoretical_memory_usage). Attention dropout adds nothing: flash attention keeps no mask for it.
    // (8 · 2 + 1) · 2048 · 1024 / 2 = 17,825,792 B.
    const masksBytes = ((LAYERS * 2 + 1) * SEQ * HIDDEN) / TP;
    expect(masksBytes).toBe(17_825_792);
    const [withMasks, without] = [defaulted, off].map((run) => run.estimate.memory.stages[0]!);
    expect(withMasks!.activationsBytes - without!.activationsBytes).toBe(masksBytes);
    expect(withMasks!.parametersBytes).toBe(without!.parametersBytes);
  });

  it('attention dropout alone keeps no mask under flash attention: the estimate equals no dropout at all', async () => {
    const off = await estimate('--hidden-dropout 0 --attention-dropout 0');
    const attentionOnly = await estimate('--hidden-dropout 0 --attention-dropout 0.1');
    expect(attentionOnly.design.model).toMatchObject({ hiddenDropout: 0, attentionDropout: 0.1 });
    expect(attentionOnly.estimate.memory).toEqual(off.estimate.memory);
  });
});
