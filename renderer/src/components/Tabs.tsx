import { useRef, type KeyboardEvent, type ReactNode } from 'react';

/** Accessible tabs: arrow keys move between tabs, Home/End jump (WAI-ARIA tabs pattern). */
export interface TabDef<K extends string> {
  key: K;
  label: string;
}

export function Tabs<K extends string>(props: { label: string; tabs: TabDef<K>[]; current: K; onSelect(key: K): void; children: ReactNode }) {
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = props.tabs.findIndex((t) => t.key === props.current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % props.tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + props.tabs.length) % props.tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = props.tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const key = props.tabs[next]!.key;
    props.onSelect(key);
    refs.current.get(key)?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={props.label} className="tabs">
        {props.tabs.map((t) => (
          <button
            key={t.key}
            ref={(el) => {
              if (el) refs.current.set(t.key, el);
            }}
            role="tab"
            id={`tab-${t.key}`}
            aria-selected={t.key === props.current}
            aria-controls={`panel-${t.key}`}
            tabIndex={t.key === props.current ? 0 : -1}
            onClick={() => props.onSelect(t.key)}
            onKeyDown={onKey}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${props.current}`} aria-labelledby={`tab-${props.current}`} className="panel">
        {props.children}
      </div>
    </>
  );
}
