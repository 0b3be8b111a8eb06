export { createLocustKpi, generatorCpu, p99Of, validateKpiRequest, type LocustKpiOptions, type LocustKpiSample, type LocustKpi } from './locust-kpi.ts';
export { CounterTracker, MAX_ENDPOINTS, type CounterStep, type CounterTrackerOptions } from './counters.ts';
export { createPrometheusKpi, parsePrometheusInstant, type PrometheusKpiOptions, type PrometheusKpiSample, type PrometheusKpi } from './prometheus-kpi.ts';
