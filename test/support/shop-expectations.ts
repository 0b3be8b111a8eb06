/**
 * What the adapters read from production's shop, the same whichever server holds it: our sandbox
 * (integration tests) or the real ones (conformance: a real API server seeded with the sandbox's
 * topology, moto seeded likewise). One copy, so both suites hold the servers to the same answer.
 */

/** production's checkout Deployment as the Kubernetes reader maps it */
export const PRODUCTION_CHECKOUT = {
  kind: 'kubernetes',
  namespace: 'shop',
  deployment: 'checkout-api',
  replicas: 6,
  containers: [
    { name: 'checkout-api', image: 'registry.example/checkout-api:2.14.1', resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    { name: 'envoy', image: 'registry.example/envoy:1.29.1', resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } } },
  ],
  hpa: { name: 'checkout-api', minReplicas: 6, maxReplicas: 20 },
  rollout: { observed: true, desired: 6, updated: 6, ready: 6, available: 6, complete: true },
} as const;

/** the containers of production's payment-processor task definition as the ECS reader maps them */
export const PRODUCTION_PAYMENT_PROCESSOR_CONTAINERS = [
  { name: 'app', image: '000000000000.dkr.ecr.eu-central-1.amazonaws.com/payment-processor:2.14.1', cpu: 768, memory: 1536 },
  // AWS (and moto) report a container without cpu as cpu 0
  { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod', cpu: 256, memoryReservation: 256 },
] as const;
