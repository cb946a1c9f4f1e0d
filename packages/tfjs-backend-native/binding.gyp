{
  "targets": [
    {
      "target_name": "rrm_native",
      "sources": [
        "native/addon.cc",
        "native/attention.cc",
        "native/block.cc",
        "native/elementwise.cc",
        "native/fused.cc",
        "native/matmul.cc",
        "native/peak.cc",
        "native/reduce.cc",
        "native/sgemm.cc",
        "native/shape.cc",
        "native/pool.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fno-math-errno", "-fno-trapping-math"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["RRM_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_OPTIMIZATION_LEVEL": "3",
            "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno", "-fno-trapping-math"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }],
        ["OS!='mac' and OS!='win'", {
          "cflags_cc": ["<!@(pkg-config --cflags-only-I openblas 2>/dev/null || pkg-config --cflags-only-I blis 2>/dev/null || true)"],
          "libraries": ["<!@(pkg-config --libs openblas 2>/dev/null || pkg-config --libs blis)"],
          "ldflags": ["-pthread"]
        }],
        ["target_arch=='x64' and OS!='win'", {
          "cflags_cc": ["-march=x86-64-v2", "-mtune=generic"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-march=x86-64-v2"] }
        }]
      ]
    }
  ]
}
