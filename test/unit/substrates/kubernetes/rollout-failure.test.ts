import { describe, expect, it } from 'vitest';
import { rolloutFailure, type DeploymentLike } from '../../../../electron/substrates/kubernetes/mapping.ts';

/** kubectl's rule for a rollout that will not complete, as the deployment controller reports it (seen on a real kube-apiserver 1.37). */

const dep = (generation: number, observedGeneration: number, reason: string, status = 'False'): DeploymentLike => ({
  metadata: { generation },
  status: {
    observedGeneration,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status, reason, message: 'ReplicaSet "stuck-5d8f7" has timed out progressing.' },
    ],
  },
});

describe('rolloutFailure', () => {
  it('is the Progressing condition message once the controller reports ProgressDeadlineExceeded for the current generation', () => {
    expect(rolloutFailure(dep(3, 3, 'ProgressDeadlineExceeded'))).toBe('ReplicaSet "stuck-5d8f7" has timed out progressing.');
  });

  it('ignores a deadline reported for an older generation (a new spec restarts the clock)', () => {
    expect(rolloutFailure(dep(4, 3, 'ProgressDeadlineExceeded'))).toBeUndefined();
  });

  it('is undefined while the rollout progresses or after it completed', () => {
    expect(rolloutFailure(dep(3, 3, 'ReplicaSetUpdated', 'True'))).toBeUndefined();
    expect(rolloutFailure(dep(3, 3, 'NewReplicaSetAvailable', 'True'))).toBeUndefined();
    expect(rolloutFailure({ metadata: { generation: 1 }, status: { observedGeneration: 1 } })).toBeUndefined();
  });
});
