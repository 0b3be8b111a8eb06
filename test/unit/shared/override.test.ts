import { describe, expect, it } from 'vitest';
import { imageRepository, overrideTarget } from '../../../shared/model/override.ts';

describe('image repository', () => {
  it('drops tag and digest and expands Docker Hub short names', () => {
    expect(imageRepository('registry.example/checkout-api:feature-x')).toBe('registry.example/checkout-api');
    expect(imageRepository('registry.example:5000/team/api@sha256:abc')).toBe('registry.example:5000/team/api');
    expect(imageRepository('nginx:1.27')).toBe('docker.io/library/nginx');
    expect(imageRepository('docker.io/library/nginx')).toBe('docker.io/library/nginx');
    expect(imageRepository('index.docker.io/envoyproxy/envoy:v1')).toBe('docker.io/envoyproxy/envoy');
    expect(imageRepository('envoyproxy/envoy:v1')).toBe('docker.io/envoyproxy/envoy');
    expect(imageRepository('localhost/app:1')).toBe('localhost/app');
  });
});

describe('where an app-wide override goes', () => {
  const pod = [
    { name: 'api', image: 'registry.example/checkout-api:2.13.0' },
    { name: 'envoy', image: 'envoyproxy/envoy:v1.28.0' },
  ];
  it('to the container running the same repository, never the sidecar', () => {
    expect(overrideTarget('registry.example/checkout-api:feature-x', pod)).toEqual({ container: 'api', via: 'repository' });
  });
  it('else to the one container the app names, else to the only container', () => {
    expect(overrideTarget('registry.example/other:1', [pod[0]!], ['api'])).toEqual({ container: 'api', via: 'named' });
    expect(overrideTarget('registry.example/other:1', [pod[0]!])).toEqual({ container: 'api', via: 'only-container' });
  });
  it('is ambiguous otherwise, naming the containers to choose from', () => {
    expect(overrideTarget('registry.example/renamed-api:feature', pod)).toEqual({ ambiguous: ['api', 'envoy'] });
    expect(overrideTarget('registry.example/checkout-api:x', [pod[0]!, { name: 'api-copy', image: 'registry.example/checkout-api:1' }])).toEqual({ ambiguous: ['api', 'api-copy'] });
  });
});
