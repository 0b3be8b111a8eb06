import { create } from 'zustand';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { ExampleDto, ValidationResultDto } from '../../../shared/contract/index.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';

/** The LoadTest being edited: its text (source of truth), where it came from, and its validation. */
export interface SpecState {
  text: string;
  path: string | null;
  fileName: string;
  validation: ValidationResultDto | null;
  examples: ExampleDto[];
  error: string | null;
  message: string | null;
  setText(text: string, opts?: { path?: string | null; fileName?: string }): void;
  validate(): Promise<ValidationResultDto | null>;
  loadExamples(): Promise<void>;
  loadExample(name: string): void;
  open(): Promise<void>;
  save(): Promise<void>;
  /** set (or with undefined, remove) one field of the YAML document, keeping comments */
  setField(path: (string | number)[], value: unknown): void;
  /** several fields at once (one text change); false when the YAML cannot be edited */
  setFields(edits: { path: (string | number)[]; value: unknown }[]): boolean;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let validationSeq = 0;
const VALIDATE_DELAY_MS = 250;

export const useSpecStore = create<SpecState>((set, get) => ({
  text: '',
  path: null,
  fileName: 'loadtest.yaml',
  validation: null,
  examples: [],
  error: null,
  message: null,
  setText(text, opts = {}) {
    set({
      text,
      ...(opts.path !== undefined ? { path: opts.path } : {}),
      ...(opts.fileName ? { fileName: opts.fileName } : {}),
      message: null,
    });
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void get().validate(), VALIDATE_DELAY_MS);
  },
  async validate() {
    if (timer) clearTimeout(timer);
    timer = null;
    const seq = ++validationSeq;
    const { text, fileName } = get();
    try {
      const validation = await getApi().invoke('spec:validate', { text, fileName });
      if (seq === validationSeq) set({ validation, error: null });
      return validation;
    } catch (err) {
      if (seq === validationSeq) set({ error: errorMessage(err) });
      return null;
    }
  },
  async loadExamples() {
    try {
      set({ examples: await getApi().invoke('spec:examples', {}) });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  loadExample(name) {
    const ex = get().examples.find((e) => e.name === name);
    if (ex) get().setText(ex.text, { path: null, fileName: ex.name });
  },
  async open() {
    try {
      const res = await getApi().invoke('spec:open', {});
      if (res) get().setText(res.text, { path: res.path, fileName: res.path.split(/[\\/]/).pop() ?? 'loadtest.yaml' });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async save() {
    const { text, path } = get();
    try {
      const res = await getApi().invoke('spec:save', path ? { text, path } : { text });
      if (res) set({ path: res.path, message: `Saved to ${res.path}` });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  setField(path, value) {
    get().setFields([{ path, value }]);
  },
  setFields(edits) {
    const doc = parseDocument(get().text);
    if (doc.errors.length > 0 || !isMap(doc.contents)) {
      set({ error: 'Fix the YAML syntax in the text editor first.' });
      return false;
    }
    for (const { path, value } of edits) {
      if (value === undefined || value === '') {
        if (doc.hasIn(path)) doc.deleteIn(path);
      } else {
        doc.setIn(path, value);
      }
    }
    const next = doc.toString({ lineWidth: 0 });
    if (next !== get().text) get().setText(next);
    set({ error: null });
    return true;
  },
}));

/** The spec's applications, read from the text (for the form). */
export function readApplications(text: string): { name: string; substrate: 'kubernetes' | 'ecs' | '?'; override: string }[] {
  try {
    const doc = parseDocument(text);
    const apps = doc.getIn(['spec', 'applications']);
    if (!isSeq(apps)) return [];
    return apps.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      if (typeof name !== 'string') return [];
      const substrate = item.has('kubernetes') ? 'kubernetes' : item.has('ecs') ? 'ecs' : '?';
      const override = doc.getIn(['spec', 'deploy', 'overrides', name, 'image']);
      return [{ name, substrate, override: typeof override === 'string' ? override : '' }];
    });
  } catch {
    return [];
  }
}

/** A scalar at `path` in the spec text, as a string for an input ('' when absent). */
export function readField(text: string, path: (string | number)[]): string {
  try {
    const v = parseDocument(text).getIn(path);
    return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
  } catch {
    return '';
  }
}

/** Whether the spec text has anything at `path`. */
export function hasField(text: string, path: (string | number)[]): boolean {
  try {
    return parseDocument(text).hasIn(path);
  } catch {
    return false;
  }
}
