// The source of test_precompiled, the target that compiles
// tests/testing/precompiled.h once for all the test drivers: CMake builds a
// precompiled header only for a target with a source.
