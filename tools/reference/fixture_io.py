"""Writes fixtures as safetensors (read on the TypeScript side by @rcnn/core's readSafetensors)."""
import json
import os
import struct

import numpy as np

_DTYPES = {np.dtype("float32"): "F32", np.dtype("int32"): "I32", np.dtype("uint8"): "U8", np.dtype("int64"): "I64"}


def write_fixture(path: str, tensors: dict, metadata: dict | None = None) -> None:
    """`tensors`: name -> numpy array (float64 is stored as float32, int64 as int32 when it fits)."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        if array.dtype == np.int64 and (array.size == 0 or (array.max() < 2**31 and array.min() >= -(2**31))):
            array = array.astype(np.int32)
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _DTYPES[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)
    print(f"wrote {path} ({8 + len(head) + offset} bytes, {len(tensors)} tensors)")


def repo_path(*parts: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", *parts)
