export { extractStateDict, STATE_DICT_KEYS } from './extract-state-dict';
export { isPickleTuple, PickleObject, type PickleValue } from './pickle-value';
export { type PthReadOptions, readPth, readPthCheckpoint } from './read-pth';
export { detectWeightsFormat, readStateDict } from './read-state-dict';
