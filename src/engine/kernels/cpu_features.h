// Which SIMD instruction set the kernels use, detected at run time.
//
// The library is compiled for baseline x86-64; only the files of one ISA path are compiled with
// that ISA's flags, and a kernel call picks its path from ActiveIsa(). Three paths exist:
//   kScalar  portable C++ (any CPU)
//   kAvx2    AVX2 + FMA + F16C (Haswell, Zen 1 and later)
//   kAvx512  AVX-512 F/BW/VL/DQ + AVX512_BF16 + AVX512_VNNI (Zen 4/5, Sapphire Rapids); CPUs
//            with AVX-512 but without BF16/VNNI (Skylake-X, Ice Lake) use kAvx2.
// The environment variable RADIXLM_ISA=scalar|avx2|avx512, read once at first use, caps the path
// (so every path can be tested and compared on one machine); SetIsa() does the same from code.
//
// Thread safety: all functions may be called from any thread. Changing the ISA while kernels run
// on other threads is allowed (each call reads the setting once) but meant for tests.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_CPU_FEATURES_H_
#define RADIXLM_SRC_ENGINE_KERNELS_CPU_FEATURES_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace radixlm::engine {

// Isa values are ordered: a CPU that runs a path runs every lower one.
enum class Isa : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// IsaName() returns "scalar", "avx2" or "avx512".
std::string_view IsaName(Isa isa);

// ParseIsa() accepts the names IsaName() returns.
absl::StatusOr<Isa> ParseIsa(std::string_view name);

// DetectedIsa() returns the best path this CPU (and OS) supports.
Isa DetectedIsa();

// ActiveIsa() returns the path kernels use now: DetectedIsa(), lowered by RADIXLM_ISA or SetIsa().
// A RADIXLM_ISA this CPU cannot run, or that does not parse, is ignored with a warning on stderr.
Isa ActiveIsa();

// SetIsa() makes kernels use `isa`; an error if the CPU does not support it.
absl::Status SetIsa(Isa isa);

// ScopedIsa sets the active ISA for its lifetime and restores the previous one (for tests).
class ScopedIsa {
 public:
  explicit ScopedIsa(Isa isa);
  ~ScopedIsa();
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

  // ok() is false when the CPU cannot run the requested ISA (the active one is then unchanged).
  bool ok() const { return ok_; }

 private:
  Isa previous_;
  bool ok_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_CPU_FEATURES_H_
