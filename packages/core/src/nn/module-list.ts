import { Module } from './module';

/**
 * torch `nn.Sequential` / `nn.ModuleList` as far as state_dict names go: children named `0`, `1`, ...
 * Running them is the owner's business (forward signatures differ).
 */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: readonly M[];

  /** @param aliasesOf older names of item `i` (see `Module.addModule`) */
  constructor(items: readonly M[], aliasesOf?: (index: number) => readonly string[]) {
    super();
    this.items = [...items];
    for (const [i, item] of this.items.entries()) this.addModule(String(i), item, aliasesOf?.(i) ?? []);
  }
}
