import { describe, expect, it } from 'vitest';
import { assertEcsWritable, sameEcsCluster } from '../../../../electron/substrates/ecs/guard.ts';
import { parseEcsCluster } from '../../../../shared/net/address.ts';
import { ProductionWriteRefused } from '../../../../shared/model/errors.ts';

const prod = { region: 'eu-central-1', cluster: 'payments-prod' };

describe('ECS production guard', () => {
  it('treats a cluster ARN as its name and region', () => {
    expect(parseEcsCluster('arn:aws:ecs:eu-central-1:123456789012:cluster/payments-prod')).toEqual({ region: 'eu-central-1', name: 'payments-prod', account: '123456789012' });
    expect(sameEcsCluster({ region: 'us-east-1', cluster: 'arn:aws:ecs:eu-central-1:123456789012:cluster/payments-prod' }, prod)).toBe(true);
  });

  it('counts the regional AWS endpoint as no endpoint, and localhost as 127.0.0.1', () => {
    expect(sameEcsCluster({ ...prod, endpoint: 'https://ecs.eu-central-1.amazonaws.com/' }, prod)).toBe(true);
    expect(sameEcsCluster({ ...prod, endpoint: 'http://localhost:14566/' }, { ...prod, endpoint: 'http://127.0.0.1:14566' })).toBe(true);
    expect(sameEcsCluster({ ...prod, endpoint: 'http://127.0.0.1:14566' }, { ...prod, endpoint: 'http://127.0.0.1:14567' })).toBe(false);
    expect(sameEcsCluster({ ...prod, endpoint: 'http://127.0.0.1:14566' }, prod)).toBe(false);
  });

  it('differs by region or cluster; a different profile does not make production safe', () => {
    expect(sameEcsCluster({ region: 'eu-west-1', cluster: 'payments-prod' }, prod)).toBe(false);
    expect(sameEcsCluster({ region: 'eu-central-1', cluster: 'payments-loadtest' }, prod)).toBe(false);
    expect(sameEcsCluster({ ...prod, profile: 'loadtest' }, { ...prod, profile: 'prod-readonly' })).toBe(true);
  });

  it('throws ProductionWriteRefused naming the cluster, and passes other targets', () => {
    expect(() => assertEcsWritable({ ...prod }, [prod], 'update ECS service x')).toThrow(ProductionWriteRefused);
    try {
      assertEcsWritable({ ...prod }, [prod], 'update ECS service x');
    } catch (e) {
      expect((e as ProductionWriteRefused).code).toBe('PRODUCTION_WRITE_REFUSED');
      expect((e as Error).message).toContain('payments-prod');
    }
    expect(() => assertEcsWritable({ region: 'eu-central-1', cluster: 'payments-loadtest' }, [prod], 'x')).not.toThrow();
    expect(() => assertEcsWritable({ region: 'eu-central-1', cluster: 'payments-loadtest' }, [], 'x')).not.toThrow();
  });
});
