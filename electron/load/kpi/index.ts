export { createLocustKpi, locustKpiFromStats, type LocustKpiOptions, type LocustKpiSample, type LocustKpi } from './locust-kpi.ts';
export { createPrometheusKpi, parsePrometheusInstant, type PrometheusKpiOptions, type PrometheusKpiSample, type PrometheusKpi } from './prometheus-kpi.ts';
