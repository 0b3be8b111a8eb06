import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../../fixtures/shop/processes.ts';

// The real engines (kube-apiserver, etcd, Locust, moto) bind the port we pick for them a moment
// later; a port inside the kernel's ephemeral range can be taken in between by an outgoing
// connection's source port, which failed the conformance plane's start on CI.
describe('freePorts', () => {
  it('gives distinct ports outside the ephemeral range that a server can then bind', async () => {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
    const ports = await freePorts(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) {
      expect(port < lo || port > hi, `port ${port} inside ${lo}–${hi}`).toBe(true);
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});
