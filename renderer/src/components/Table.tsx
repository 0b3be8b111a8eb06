import type { ReactNode } from 'react';

/**
 * A table named for screen readers, its header row one column heading each. `scrolls`: inside a
 * keyboard-focusable region that scrolls sideways on a narrow window (named after the table).
 */
export function Table({ label, className, columns, scrolls = false, children }: { label: string; className: string; columns: string[]; scrolls?: boolean; children: ReactNode }) {
  const table = (
    <table className={className} aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  if (!scrolls) return table;
  return (
    <div className="scroll" tabIndex={0} role="region" aria-label={`${label} (scrolls sideways)`}>
      {table}
    </div>
  );
}
