import { Module } from './module';

/** One child of a {@link ModuleDict}: torchvision name, module, older names accepted on load. */
export type ModuleDictEntry<M extends Module = Module> = readonly [
  name: string,
  module: M,
  aliases?: readonly string[],
];

/**
 * torch `nn.ModuleDict` as far as state_dict names go: children under given names, in the given
 * order (an array, since object keys that look like integers would be reordered). A name may
 * hold dots (`conv.0.0`) to stand for nested torch containers that have no other entries.
 * Running the children is the owner's business (forward signatures differ).
 */
export class ModuleDict extends Module {
  constructor(entries: readonly ModuleDictEntry[]) {
    super();
    for (const [name, module, aliases = []] of entries) this.addModule(name, module, aliases);
  }
}
