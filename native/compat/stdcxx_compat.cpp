// TorchSharp 0.107's native library was linked against GCC 13's libstdc++, which adds this one symbol
// (GLIBCXX_3.4.32). Older libstdc++ initialises iostreams itself, so an empty definition is right.
namespace std { void ios_base_library_init() {} }
