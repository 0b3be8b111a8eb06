/** Fixed default loopback ports of the standalone sandbox (`conductor sandbox`); each is configurable. */
export const SANDBOX_DEFAULT_PORTS = {
  kubernetesProduction: 16443,
  kubernetesTest: 16444,
  ecs: 14566,
  locust: 18089,
} as const;

/** Every sandbox server binds here and nowhere else. */
export const SANDBOX_HOST = '127.0.0.1';

/** kubeconfig context names the sandbox writes */
export const SANDBOX_CONTEXTS = { production: 'sandbox-prod', test: 'sandbox-test' } as const;

/** ECS cluster names in the sandbox */
export const SANDBOX_ECS_CLUSTERS = { production: 'payments-prod', test: 'payments-loadtest' } as const;
