// The DeepSpeed launcher's hostfile (`deepspeed --hostfile FILE`): one `hostname slots=N` per line, `#` comments
// and blank lines ignored, as deepspeed/launcher/runner.py reads it. For a Megatron-DeepSpeed script that states no
// node or GPU count, it is where the world size lives.
import type { ClusterSpec, Draft } from '../../model/design';

export type HostfileRead = { cluster: Draft<ClusterSpec>; hosts: number; gpus: number } | { error: string };

/** A hostfile longer than this is not one a training run uses; reading stops with an error. */
const MAX_HOSTS = 100_000;

export function readHostfile(text: string): HostfileRead {
  const slotsPerHost: number[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').replace(/#.*/, '').trim();
    if (line === '') continue;
    const match = /^(\S+)\s+slots\s*=\s*(\d+)$/.exec(line);
    if (!match) return { error: `line ${index + 1} is not "hostname slots=N"` };
    const [, host = '', slots = ''] = match;
    if (seen.has(host)) return { error: `host ${host} is listed twice (line ${index + 1})` };
    seen.add(host);
    const count = Number(slots);
    if (count < 1) return { error: `host ${host} has no slots (line ${index + 1})` };
    slotsPerHost.push(count);
    if (slotsPerHost.length > MAX_HOSTS) return { error: `more than ${MAX_HOSTS.toLocaleString('en-US')} hosts` };
  }
  if (slotsPerHost.length === 0) return { error: 'no host listed' };
  const gpus = slotsPerHost.reduce((sum, slots) => sum + slots, 0);
  const first = slotsPerHost[0]!;
  // Equal hosts are nodes × GPUs per node; a mixed list is only a world size.
  const cluster: Draft<ClusterSpec> = slotsPerHost.every((slots) => slots === first) ? { nodes: slotsPerHost.length, gpusPerNode: first } : { worldSize: gpus };
  return { cluster, hosts: slotsPerHost.length, gpus };
}
