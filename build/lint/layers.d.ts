export interface LayerRow {
  folder: string;
  may: string[];
  packages: { builtins?: false; forbid: string[] };
}
export const LAYERS: LayerRow[];
export function layersTable(): string;
export const layersRule: import('eslint').Rule.RuleModule;
export const layersPlugin: { rules: { layers: import('eslint').Rule.RuleModule } };
