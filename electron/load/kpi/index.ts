export { createLocustKpi, locustKpiFromStats, type LocustKpiOptions, type LocustKpiSample } from './locust-kpi.ts';
export { createPrometheusKpi, parsePrometheusInstant, type PrometheusKpiOptions, type PrometheusKpiSample } from './prometheus-kpi.ts';
