/**
 * Large hostile-but-plausible specs for the linearity test and the validation benchmark: one
 * mapping with as many keys as fit in `bytes` — as labels (block YAML), as unknown fields in
 * spec.load (one problem per key), or as a JSON document.
 */
export type ManyKeyShape = 'labels' | 'unknown-fields' | 'json';

const TAIL = `spec:
  sandbox: {}
  applications: [{ name: a, kubernetes: { namespace: shop, deployment: d } }]
  load:
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 600
    rampUp: 2m
    plateau: 2m
`;

export function manyKeySpec(shape: ManyKeyShape, bytes: number): { text: string; keys: number } {
  const parts: string[] = [];
  let size = 0;
  let keys = 0;
  const add = (s: string) => {
    parts.push(s);
    size += s.length;
  };
  if (shape === 'json') {
    add('{"apiVersion": "conductor/v1", "kind": "LoadTest", "metadata": {"name": "many", "labels": {');
    const end = '}}, "spec": {"sandbox": {}, "applications": [{"name": "a", "kubernetes": {"namespace": "shop", "deployment": "d"}}], "load": {"kpi": {"locustRequest": "POST /orders"}, "targetOrdersPerMinute": 600, "rampUp": "2m", "plateau": "2m"}}}\n';
    while (size + end.length + 24 < bytes) add(`${keys ? ', ' : ''}"k${keys++}": "v"`);
    add(end);
    return { text: parts.join(''), keys };
  }
  if (shape === 'labels') {
    add('apiVersion: conductor/v1\nkind: LoadTest\nmetadata:\n  name: many\n  labels:\n');
    while (size + TAIL.length + 24 < bytes) add(`    k${keys++}: v\n`);
    add(TAIL);
    return { text: parts.join(''), keys };
  }
  add('apiVersion: conductor/v1\nkind: LoadTest\nmetadata:\n  name: many\n' + TAIL);
  while (size + 24 < bytes) add(`    x${keys++}: 1\n`);
  return { text: parts.join(''), keys };
}
