/** Element types a weight file can hold, as plain typed arrays (no tensors, no leaks). */
export type WeightDtype =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/**
 * One named array from a checkpoint, in the layout it was saved in (torchvision:
 * conv OIHW, linear [out, in]). float16/bfloat16/float64 are widened to float32 and
 * int64 narrowed to int32 on read (values outside int32 are an error).
 */
export interface WeightTensor {
  readonly dtype: 'float32' | 'int32' | 'uint8' | 'int8' | 'int16' | 'bool';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array;
}

/** Parameter name (torchvision `state_dict` key) to array. Insertion order is file order. */
export type StateDict = Map<string, WeightTensor>;

/** Number of elements of a shape (1 for a scalar). */
export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
