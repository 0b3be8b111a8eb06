/** Badge classes per verdict: aborted and failed look different (amber and red), an error is outlined. */
export const VERDICT_BADGE: Record<string, string> = { passed: 'good', failed: 'bad', aborted: 'warn', error: 'bad outline' };
