/** The prod-vs-test diff: one row per application and field. */
export type ParityStatus = 'in-parity' | 'drift' | 'missing-in-test' | 'missing-in-production' | 'unreachable';

export interface ParityRow {
  app: string;
  substrate: 'kubernetes' | 'ecs';
  /** e.g. `image[checkout-api]`, `replicas`, `requests.cpu[checkout-api]`, `hpa.maxReplicas`, `desiredCount`, `taskCpu` */
  field: string;
  production: string | number | null;
  test: string | number | null;
  status: ParityStatus;
  /** for unreachable: why */
  reason?: string;
}

export interface ParityReport {
  specName: string;
  takenAt: string;
  rows: ParityRow[];
  summary: { apps: number; inParity: number; drift: number; missing: number; unreachable: number };
}
