import { cpus, freemem, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  kernel: string;
  loadAverage: number[];
}

/** What the figures were measured on; printed above every table and stored with the JSON. */
export function machineInfo(): MachineInfo {
  const gib = (b: number) => Math.round((b / 2 ** 30) * 10) / 10;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    kernel: release(),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
