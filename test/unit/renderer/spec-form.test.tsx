// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SpecForm } from '../../../renderer/src/features/spec/SpecForm.tsx';
import { useSpecStore } from '../../../renderer/src/stores/spec.ts';
import { setApi } from '../../../renderer/src/api/index.ts';
import { fakeApi } from './fake-api.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SANDBOX = readFileSync(join(ROOT, 'examples', 'sandbox.yaml'), 'utf8');

beforeEach(() => {
  setApi(fakeApi({ 'spec:validate': () => ({ ok: true, issues: [] }) }).api);
  useSpecStore.setState({ text: SANDBOX, validation: null, error: null });
});
afterEach(cleanup);

describe('spec form', () => {
  it('shows validation problems at their fields', () => {
    useSpecStore.setState({
      validation: {
        ok: false,
        issues: [{ path: 'spec.load.rampUp', message: 'is not a duration', expected: 'a duration such as 90s, 30m or 1h30m', line: 29, column: 13 }],
      },
    });
    render(<SpecForm />);
    const ramp = screen.getByRole('textbox', { name: 'Ramp-up' });
    expect(ramp.getAttribute('aria-invalid')).toBe('true');
    const describedBy = ramp.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)!.textContent).toBe('is not a duration (expected a duration such as 90s, 30m or 1h30m)');
    expect(screen.getByRole('textbox', { name: 'Plateau' }).getAttribute('aria-invalid')).toBe('false');
  });

  it('edits the YAML from the form, keeping comments, and sets a feature-branch override', async () => {
    render(<SpecForm />);
    expect((screen.getByRole('spinbutton', { name: 'Target orders per minute' }) as HTMLInputElement).value).toBe('1200');
    const target = screen.getByRole('spinbutton', { name: 'Target orders per minute' });
    fireEvent.change(target, { target: { value: '3000' } });
    await act(async () => fireEvent.blur(target));
    const override = screen.getByRole('textbox', { name: 'Version override for checkout' });
    fireEvent.change(override, { target: { value: 'registry.example/checkout-api:feature-x' } });
    await act(async () => fireEvent.blur(override));
    const text = useSpecStore.getState().text;
    expect(text).toContain('targetOrdersPerMinute: 3000');
    expect(text).toContain('checkout:\n        image: registry.example/checkout-api:feature-x');
    expect(text).toContain('# Runs entirely on the embedded sandbox');
    // removing an app from scope
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove cart from scope' })));
    expect(useSpecStore.getState().text).not.toMatch(/name: cart\b/);
  });
});
