import { ProductionWriteRefused } from '../../../shared/model/errors.ts';
import { sameIdentity, type EnvironmentIdentity, type Substrates } from '../../substrates/types.ts';

/**
 * "Test is not production", asked of the servers before anything is written: each side's
 * identity (a Kubernetes cluster's kube-system UID; an ECS cluster's ARN at its resolved endpoint)
 * is read from the side itself, so production reached under another spelling — another URL, a
 * numeric or mapped address, another context, a cluster ARN — is still production. Same identity
 * = refused (ProductionWriteRefused: exit 2, nothing written). Returns the test side's identities
 * (the lock is keyed on them).
 */
export async function assertTestIsNotProduction(substrates: Substrates, signal?: AbortSignal): Promise<EnvironmentIdentity[]> {
  const pairs = [
    { label: 'Kubernetes', production: substrates.production.kubernetes, test: substrates.test.kubernetes },
    { label: 'ECS', production: substrates.production.ecs, test: substrates.test.ecs },
  ];
  const out: EnvironmentIdentity[] = [];
  await Promise.all(
    pairs.map(async ({ label, production, test }) => {
      if (!test) return;
      const [t, p] = await Promise.all([test.identity(signal), production ? production.identity(signal) : Promise.resolve(null)]);
      out.push(t);
      if (p && sameIdentity(p, t)) throw refusal(label, t, p);
    }),
  );
  return out;
}

function refusal(label: string, test: EnvironmentIdentity, production: EnvironmentIdentity): ProductionWriteRefused {
  if (test.substrate === 'kubernetes' && production.substrate === 'kubernetes') {
    return new ProductionWriteRefused(
      `the test ${label} context "${test.context}" (${test.server}) points at production's cluster (context "${production.context}", ${production.server}): both answer with kube-system UID ${test.uid}; refusing to run — nothing was written`,
      { substrate: 'kubernetes', testContext: test.context, productionContext: production.context, clusterUid: test.uid },
    );
  }
  const arn = test.substrate === 'ecs' ? test.clusterArn : '';
  return new ProductionWriteRefused(`the test ${label} cluster points at production's: both are ${arn} at the same endpoint; refusing to run — nothing was written`, { substrate: 'ecs', clusterArn: arn });
}
