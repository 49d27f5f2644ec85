#include "src/engine/kernels/cpu_features.h"

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

TEST(CpuFeaturesTest, ParseIsaAcceptsTheNamesIsaNameReturns) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    absl::StatusOr<Isa> parsed = ParseIsa(IsaName(isa));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, isa);
  }
  EXPECT_EQ(*ParseIsa(" AVX2 "), Isa::kAvx2);
  EXPECT_FALSE(ParseIsa("neon").ok());
}

TEST(CpuFeaturesTest, ScopedIsaLowersThePathAndRestoresIt) {
  const Isa before = ActiveIsa();
  EXPECT_LE(before, DetectedIsa());
  {
    ScopedIsa scalar(Isa::kScalar);
    EXPECT_TRUE(scalar.ok());
    EXPECT_EQ(ActiveIsa(), Isa::kScalar);
  }
  EXPECT_EQ(ActiveIsa(), before);
}

TEST(CpuFeaturesTest, SetIsaRefusesWhatTheCpuCannotRun) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    ScopedIsa scoped(isa);
    EXPECT_EQ(scoped.ok(), isa <= DetectedIsa()) << IsaName(isa);
    EXPECT_LE(ActiveIsa(), DetectedIsa());
  }
}

}  // namespace
}  // namespace radixlm::engine
