// Helpers shared by the kernel tests: running a test once per ISA path and random inputs.
#ifndef RADIXLM_TESTS_ENGINE_KERNELS_KERNEL_TEST_UTIL_H_
#define RADIXLM_TESTS_ENGINE_KERNELS_KERNEL_TEST_UTIL_H_

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/kernels/cpu_features.h"
#include "src/engine/kernels/dtype.h"

namespace radixlm::engine {

// Names the ISA in gtest's output ("GetParam() = avx512").
inline void PrintTo(Isa isa, std::ostream* os) { *os << IsaName(isa); }

}  // namespace radixlm::engine

namespace radixlm::engine::testing {

inline const std::vector<Isa>& AllIsas() {
  static const std::vector<Isa> isas = {Isa::kScalar, Isa::kAvx2, Isa::kAvx512};
  return isas;
}

inline std::string IsaTestName(const ::testing::TestParamInfo<Isa>& info) {
  return std::string(IsaName(info.param));
}

// Base fixture for tests parameterized by ISA: makes that ISA active for the test, or skips the
// test on a CPU that cannot run it.
class IsaTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (GetParam() > DetectedIsa()) {
      GTEST_SKIP() << "this CPU cannot run the " << IsaName(GetParam()) << " kernels";
    }
    ASSERT_TRUE(SetIsa(GetParam()).ok());
  }
  void TearDown() override { ASSERT_TRUE(SetIsa(DetectedIsa()).ok()); }
};

inline std::vector<float> RandomFloats(int64_t count, uint32_t seed, float low = -1.0f,
                                       float high = 1.0f) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& value : values) value = distribution(generator);
  return values;
}

// Stores f32 values as `type` (f32, f16 or bf16), returning the raw bytes.
inline std::vector<std::byte> StoreAs(const std::vector<float>& values, DType type) {
  std::vector<std::byte> bytes(values.size() * static_cast<size_t>(FloatDTypeBytes(type)));
  ConvertFromF32(values.data(), static_cast<int64_t>(values.size()), type, bytes.data());
  return bytes;
}

// The values a float type actually holds after StoreAs (what a reference must multiply).
inline std::vector<float> RoundTrip(const std::vector<float>& values, DType type) {
  std::vector<float> out(values.size());
  ConvertToF32(StoreAs(values, type).data(), type, static_cast<int64_t>(values.size()), out.data());
  return out;
}

}  // namespace radixlm::engine::testing

#endif  // RADIXLM_TESTS_ENGINE_KERNELS_KERNEL_TEST_UTIL_H_
