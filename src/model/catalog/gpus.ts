// GPU presets: dense peak throughput, memory and link bandwidths per GPU.
// Provenance tags follow COSTMODEL.md: [R] primary source, [T] third-party transcription, [M] recalled, [D] derived.
// Efficiency factors on compute are not applied here (the time model owns them); link figures are the achievable
// per-direction numbers a collective can expect, see NVLINK_ACHIEVABLE_FRACTION.

export interface GpuSpec {
  id: string;
  name: string;
  aliases: string[];
  /**
   * Dense tensor-core peak (no 2:4 sparsity), FLOP/s; fp8 is 0 where the GPU has no FP8 tensor cores, fp4 (absent)
   * where it has no FP4 ones.
   */
  peakFlopsPerSecond: { bf16: number; fp16: number; fp8: number; fp4?: number };
  /** Tensor cores apply block scales in hardware (MXFP8, NVFP4): Blackwell. */
  microscaling?: boolean;
  hbmBytes: number;
  hbmBytesPerSecond: number;
  /** Achievable bandwidth per GPU per direction inside an NVLink (or Infinity Fabric) domain. */
  nvlinkBytesPerSecond: number;
  /** Marketed NVLink bandwidth per GPU per direction (half the marketed bidirectional figure). */
  nvlinkPeakBytesPerSecond: number;
  /** Achievable bandwidth of the GPU's scale-out NIC, per direction. */
  ibBytesPerSecond: number;
  /** Default NVLink domain size (GPUs per node; 72 for a GB200 NVL72 rack). */
  gpusPerNode: number;
  /** The host the GPUs sit in: its CPU memory and the link to it (offloading, cost/memory/offload.ts). */
  host: HostSpec;
  source: string;
}

/** The CPU side of a system: what offloaded state lives in and the link it crosses. */
export interface HostSpec {
  /** CPU memory of one host. */
  memoryBytes: number;
  /** GPUs that share that memory (a DGX/HGX board: 8; a GB200 compute tray: 4). */
  gpus: number;
  /** The GPU's link to host memory. */
  link: 'PCIe 4.0' | 'PCIe 5.0' | 'NVLink-C2C';
  /** Achievable bytes per second per GPU per direction on that link. */
  linkBytesPerSecond: number;
  source: string;
}

const TERA = 1e12;
const GIGA = 1e9;
/** HBM capacities are sized in binary units (stacks of 16 or 24 GiB); "80 GB" is 80 GiB of HBM. */
const GIB = 2 ** 30;

/**
 * Achievable share of marketed per-direction NVLink bandwidth. [D] from the only measured pair we have:
 * DeepSeek-V3 §3.2.2 reports 160 GB/s on H800 whose NVLink is 400 GB/s bidirectional (200 per direction) [T],
 * and DeepEP measures 153–158 GB/s intranode; 160 / 200 = 0.8.
 */
export const NVLINK_ACHIEVABLE_FRACTION = 0.8;

/**
 * Achievable host-link bandwidth per GPU per direction [D]: PCIe 4.0 x16 is 32 GB/s and PCIe 5.0 x16 64 GB/s per
 * direction raw [M]; pinned copies reach about 80 % of that (the same share as NVLINK_ACHIEVABLE_FRACTION; not
 * measured here). Grace's NVLink-C2C is 900 GB/s bidirectional per CPU [T]; a GB200 Grace serves two GPUs, so
 * 225 GB/s per GPU per direction, 180 at 80 %.
 */
const PCIE4_HOST_BYTES_PER_SECOND = 25 * GIGA;
const PCIE5_HOST_BYTES_PER_SECOND = 50 * GIGA;
const GB200_C2C_HOST_BYTES_PER_SECOND = 180 * GIGA;
const TIB = 2 ** 40;

function pcieHost(link: 'PCIe 4.0' | 'PCIe 5.0', memoryBytes: number, source: string): HostSpec {
  return { memoryBytes, gpus: 8, link, linkBytesPerSecond: link === 'PCIe 4.0' ? PCIE4_HOST_BYTES_PER_SECOND : PCIE5_HOST_BYTES_PER_SECOND, source };
}

/** 400 Gb/s NDR InfiniBand / RoCE NIC: DeepSeek-V3 §3.2.2 "IB (50 GB/s)" [R]; DeepEP measures 43–51 GB/s [R]. */
const NIC_400G_BYTES_PER_SECOND = 50 * GIGA;

function nvlink(peakPerDirectionGBps: number): { nvlinkPeakBytesPerSecond: number; nvlinkBytesPerSecond: number } {
  const peak = peakPerDirectionGBps * GIGA;
  return { nvlinkPeakBytesPerSecond: peak, nvlinkBytesPerSecond: peak * NVLINK_ACHIEVABLE_FRACTION };
}

export const GPUS: readonly GpuSpec[] = [
  {
    id: 'A100-40GB',
    name: 'NVIDIA A100 SXM4 40GB',
    aliases: ['a100-40g', 'a100-sxm4-40gb', 'a100-sxm-40gb'],
    peakFlopsPerSecond: { bf16: 312 * TERA, fp16: 312 * TERA, fp8: 0 },
    hbmBytes: 40 * GIB,
    hbmBytesPerSecond: 1555 * GIGA,
    ...nvlink(300),
    ibBytesPerSecond: 25 * GIGA,
    gpusPerNode: 8,
    host: pcieHost('PCIe 4.0', 1 * TIB, 'DGX A100 (320 GB): 1 TB system memory, 8 GPUs on PCIe 4.0 [M: NVIDIA DGX A100 datasheet]'),
    source:
      'COSTMODEL.md §5: 312 TFLOP/s BF16 dense [T: llm-analysis, Calculon configs]; no FP8; HBM2 1,555 GB/s [M]; ' +
      'NVLink3 600 GB/s bidirectional = 300/direction [M]; HDR 200 Gb/s = 25 GB/s per GPU (DGX A100) [T: Calculon a100 config].',
  },
  {
    id: 'A100-80GB',
    name: 'NVIDIA A100 SXM4 80GB',
    aliases: ['a100', 'a100-80g', 'a100-sxm', 'a100-sxm4', 'a100-sxm4-80gb', 'a100-sxm-80gb'],
    peakFlopsPerSecond: { bf16: 312 * TERA, fp16: 312 * TERA, fp8: 0 },
    hbmBytes: 80 * GIB,
    hbmBytesPerSecond: 2039 * GIGA,
    ...nvlink(300),
    ibBytesPerSecond: 25 * GIGA,
    gpusPerNode: 8,
    host: pcieHost('PCIe 4.0', 2 * TIB, 'DGX A100 (640 GB): 2 TB system memory, 8 GPUs on PCIe 4.0 [M: NVIDIA DGX A100 datasheet]'),
    source:
      'COSTMODEL.md §5: 312 TFLOP/s BF16 dense [T: llm-analysis, Calculon]; no FP8; HBM2e 2,039 GB/s [T: llm-analysis]; ' +
      'NVLink3 600 GB/s bidirectional = 300/direction [M]; HDR 200 Gb/s = 25 GB/s per GPU [T: Calculon a100_80g.json].',
  },
  {
    id: 'H100-SXM',
    name: 'NVIDIA H100 SXM5 80GB',
    aliases: ['h100', 'h100-80gb', 'h100-80g', 'h100-sxm5', 'h100-sxm-80gb', 'h100-sxm5-80gb'],
    peakFlopsPerSecond: { bf16: 989.4 * TERA, fp16: 989.4 * TERA, fp8: 1978.9 * TERA },
    hbmBytes: 80 * GIB,
    hbmBytesPerSecond: 3350 * GIGA,
    ...nvlink(450),
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 8,
    host: pcieHost('PCIe 5.0', 2 * TIB, 'DGX H100: 2 TB system memory, 8 GPUs on PCIe 5.0 [M: NVIDIA DGX H100 datasheet]'),
    source:
      'COSTMODEL.md §5: 989.4 TFLOP/s BF16 and 1,978.9 FP8 dense [T: glennklockwood H100 page]; HBM3 3,350 GB/s [T]; ' +
      'NVLink4 900 GB/s bidirectional = 450/direction [T]; 400 Gb/s NIC per GPU [R: Llama 3 paper].',
  },
  {
    id: 'H100-96GB',
    name: 'NVIDIA H100 96GB HBM2e (Meta Grand Teton, 500 W)',
    aliases: ['h100-hbm2e', 'h100-grand-teton', 'h100-96gb-hbm2e'],
    peakFlopsPerSecond: { bf16: 989.4 * TERA, fp16: 989.4 * TERA, fp8: 1978.9 * TERA },
    hbmBytes: 96 * GIB,
    hbmBytesPerSecond: 2400 * GIGA,
    ...nvlink(450),
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 8,
    host: pcieHost('PCIe 5.0', 2 * TIB, 'Grand Teton host memory not published; taken as DGX H100\'s 2 TB [M]; PCIe 5.0'),
    source:
      'torchtitan docs/performance.md (published_runs_modern.json hardware note): 96 GB HBM2e at 2.4 TB/s, 500 W power ' +
      'limit, peak "between H100 SXM and NVL, not known exactly" — the SXM figures are used [R]; NVLink 8-GPU, 400 Gb/s RDMA per GPU [R].',
  },
  {
    id: 'H800',
    name: 'NVIDIA H800 SXM5 80GB',
    aliases: ['h800-sxm', 'h800-sxm5', 'h800-80gb', 'h800-80g'],
    peakFlopsPerSecond: { bf16: 989.4 * TERA, fp16: 989.4 * TERA, fp8: 1978.9 * TERA },
    hbmBytes: 80 * GIB,
    hbmBytesPerSecond: 3350 * GIGA,
    nvlinkPeakBytesPerSecond: 200 * GIGA,
    nvlinkBytesPerSecond: 160 * GIGA,
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 8,
    host: pcieHost('PCIe 5.0', 2 * TIB, 'HGX H800 host memory varies by vendor; taken as DGX H100\'s 2 TB [M]; PCIe 5.0'),
    source:
      'COSTMODEL.md §3, §5: same GH100 compute as H100 (989 / 1,979 TFLOP/s dense) [T]; HBM3 3,350 GB/s [T]; ' +
      'NVLink 160 GB/s and IB 50 GB/s achievable as stated by DeepSeek-V3 §3.2.2 [R] (DeepEP measures 153–158 GB/s ' +
      'intranode, 43–51 GB/s RDMA [R]); marketed NVLink 400 GB/s bidirectional [T].',
  },
  {
    id: 'H200',
    name: 'NVIDIA H200 SXM 141GB',
    aliases: ['h200-sxm', 'h200-141gb', 'h200-sxm-141gb'],
    peakFlopsPerSecond: { bf16: 989.4 * TERA, fp16: 989.4 * TERA, fp8: 1978.9 * TERA },
    hbmBytes: 141 * GIB,
    hbmBytesPerSecond: 4800 * GIGA,
    ...nvlink(450),
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 8,
    host: pcieHost('PCIe 5.0', 2 * TIB, 'DGX H200: 2 TB system memory, 8 GPUs on PCIe 5.0 [M: NVIDIA DGX H200 datasheet]'),
    source:
      'COSTMODEL.md §5: GH100 compute as H100 (989 / 1,979 dense; spec pages listing 1,979/3,958 quote sparsity) [T]; ' +
      '141 GB HBM3e usable (144 physical) at 4,800 GB/s [T]; NVLink 900 GB/s bidirectional [T]; 400 Gb/s NIC [M].',
  },
  {
    id: 'B200',
    name: 'NVIDIA B200 (HGX, 1000 W)',
    aliases: ['b200-sxm', 'hgx-b200', 'dgx-b200', 'b200-180gb'],
    peakFlopsPerSecond: { bf16: 2250 * TERA, fp16: 2250 * TERA, fp8: 4500 * TERA, fp4: 9000 * TERA },
    microscaling: true,
    hbmBytes: 180 * GIB,
    hbmBytesPerSecond: 8000 * GIGA,
    ...nvlink(900),
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 8,
    host: pcieHost('PCIe 5.0', 2 * TIB, 'DGX B200: 2 TB system memory (up to 4 TB), 8 GPUs on PCIe 5.0 [M: NVIDIA DGX B200 datasheet]'),
    source:
      'COSTMODEL.md §5: 2,250 TFLOP/s BF16 and 4,500 FP8 dense [T: glennklockwood B200 page, Vultr]; 180 GB HBM3e usable ' +
      '(192 physical) at ~8,000 GB/s [T]; NVLink5 1,800 GB/s bidirectional [T: Vultr]; 400 Gb/s CX7 NIC [M]; ' +
      'dense FP4 9,000 TFLOP/s and hardware microscaling (MXFP8, NVFP4) [T: NVIDIA Blackwell datasheet figures, 18 PF sparse FP4].',
  },
  {
    id: 'GB200',
    name: 'NVIDIA GB200 NVL72 (per Blackwell GPU, 1200 W)',
    aliases: ['gb200-nvl72', 'gb200nvl72', 'nvl72', 'gb200-186gb'],
    peakFlopsPerSecond: { bf16: 2500 * TERA, fp16: 2500 * TERA, fp8: 5000 * TERA, fp4: 10000 * TERA },
    microscaling: true,
    hbmBytes: 186 * GIB,
    hbmBytesPerSecond: 8000 * GIGA,
    ...nvlink(900),
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 72,
    host: { memoryBytes: 960 * GIB, gpus: 4, link: 'NVLink-C2C', linkBytesPerSecond: GB200_C2C_HOST_BYTES_PER_SECOND, source: 'GB200 compute tray: 2 Grace CPUs × 480 GB LPDDR5X for 4 GPUs, NVLink-C2C 900 GB/s bidirectional per Grace [M: NVIDIA GB200 NVL72 datasheet]' },
    source:
      'COSTMODEL.md §5: 2,500 TFLOP/s BF16 and 5,000 FP8 dense [T: glennklockwood "GB200 variant ... 1,200 W"]; ' +
      '~186 GB HBM3e (13.4–13.5 TB / 72) at ~8,000 GB/s [T]; NVLink5 1,800 GB/s bidirectional in one 72-GPU domain ' +
      '[T: aiwiki, datacrunch]; 400 Gb/s CX7 NIC per GPU [M]; dense FP4 10,000 TFLOP/s and hardware microscaling ' +
      '(MXFP8, NVFP4) [T: GB200 NVL72 datasheet, 1,440 PF FP4 sparse per 72 GPUs].',
  },
  {
    id: 'MI300X',
    name: 'AMD Instinct MI300X',
    aliases: ['mi300', 'amd-mi300x', 'instinct-mi300x'],
    peakFlopsPerSecond: { bf16: 1307.4 * TERA, fp16: 1307.4 * TERA, fp8: 2614.9 * TERA },
    hbmBytes: 192 * GIB,
    hbmBytesPerSecond: 5300 * GIGA,
    // Infinity Fabric: 7 point-to-point links × 64 GB/s per direction (896 GB/s aggregate bidirectional) [T].
    ...nvlink(448),
    ibBytesPerSecond: NIC_400G_BYTES_PER_SECOND,
    gpusPerNode: 8,
    host: pcieHost('PCIe 5.0', 2 * TIB, '8-GPU MI300X platforms ship 1.5–3 TB; 2 TB taken [M]; PCIe 5.0 to the host'),
    source:
      'COSTMODEL.md §5: 1,307.4 TFLOP/s BF16 and 2,614.9 FP8 dense [M; third-party pages label inconsistently]; ' +
      '192 GB HBM3 at 5,300 GB/s [T]; Infinity Fabric 896 GB/s aggregate bidirectional [T: gpu.blog]; 400 Gb/s NIC [M].',
  },
];

/** Lower-cases and unifies separators so "H100 80GB", "h100_80gb" and "H100-80GB" compare equal. */
export function normaliseCatalogKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/** The HBM a layout may fill per GPU: the cluster's stated `hbmGB` when it gives one, else the GPU's own (0 unknown). */
export function hbmCapacityBytes(cluster: { hbmGB?: number | undefined }, gpu: GpuSpec | undefined): number {
  return cluster.hbmGB ? cluster.hbmGB * 2 ** 30 : (gpu?.hbmBytes ?? 0);
}

export function findGpu(id: string): GpuSpec | undefined {
  const key = normaliseCatalogKey(id);
  return GPUS.find(
    (gpu) => normaliseCatalogKey(gpu.id) === key || gpu.aliases.some((alias) => normaliseCatalogKey(alias) === key),
  );
}
