/** One line of the benchmark table: a workload on a backend, and a peer measured in the same run. */
export interface BenchRow {
  workload: string;
  backend: string;
  value: number;
  unit: string;
  /** the peer's value in the same unit, measured in the same run */
  peer?: number;
  peerName?: string;
  /** speed ratio ours / peer's (> 1: we are faster) */
  ratio?: number;
  note?: string;
}
