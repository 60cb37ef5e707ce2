{
  "targets": [
    {
      "target_name": "rcnn_kernels_native",
      "sources": ["native/addon.cc", "native/common.cc", "native/conv.cc", "native/matmul.cc", "native/elementwise.cc", "native/gather-pool.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fopenmp", "-O2"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
