import { useEffect, useState } from 'react';
import { useConnectionStore } from '../../stores/connection.ts';

/** Says at once when the conductor cannot be reached, and when it will try again. */
export function ConnectionBanner() {
  const { state, attempt, retryInMs, reconnectNow } = useConnectionStore();
  const [since, setSince] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state !== 'offline') return setSince(null);
    setSince(Date.now());
    const tick = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(tick);
  }, [state, attempt]);
  if (state !== 'offline') return null;
  const left = retryInMs !== null && since !== null ? Math.max(0, Math.ceil((since + retryInMs - now) / 1000)) : null;
  return (
    <div className="banner bad" role="alert" aria-label="Connection">
      <p>
        <strong>Disconnected from the conductor.</strong> What you see is the last known state; actions are disabled until the connection is back. Reconnecting
        {left !== null && left > 0 ? ` in ${left} s` : '…'} (attempt {attempt}).{' '}
        <button onClick={reconnectNow}>Reconnect now</button>
      </p>
    </div>
  );
}
