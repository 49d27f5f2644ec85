#include "src/engine/kernels/cpu_features.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "src/common/strings.h"

namespace radixlm::engine {
namespace {

// -1 until the first ActiveIsa() call reads RADIXLM_ISA.
std::atomic<int> active_isa{-1};

Isa Detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // __builtin_cpu_supports also checks that the OS saves the AVX/AVX-512 register state (XCR0).
  // F16C (CPUID.1:ECX[29]), AVX512_VNNI (CPUID.(7,0):ECX[11]) and AVX512_BF16
  // (CPUID.(7,1):EAX[5]) are read directly: not every compiler knows their names.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
  const bool vnni = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 11)) != 0;
  const bool bf16 = __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 5)) != 0;
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                      vnni && bf16;
  if (avx512) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c) {
    return Isa::kAvx2;
  }
#endif
  return Isa::kScalar;
}

Isa InitialIsa() {
  const Isa detected = DetectedIsa();
  const char* requested = std::getenv("RADIXLM_ISA");
  if (requested == nullptr || *requested == '\0') return detected;
  const absl::StatusOr<Isa> parsed = ParseIsa(requested);
  if (!parsed.ok()) {
    std::fprintf(stderr, "radixlm: ignoring RADIXLM_ISA: %s\n",
                 std::string(ToStd(parsed.status().message())).c_str());
    return detected;
  }
  if (*parsed > detected) {
    std::fprintf(stderr, "radixlm: ignoring RADIXLM_ISA=%s: this CPU supports at most %s\n",
                 requested, std::string(IsaName(detected)).c_str());
    return detected;
  }
  return *parsed;
}

}  // namespace

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

absl::StatusOr<Isa> ParseIsa(std::string_view name) {
  const std::string lower = AsciiToLower(StripAsciiWhitespace(name));
  if (lower == "scalar") return Isa::kScalar;
  if (lower == "avx2") return Isa::kAvx2;
  if (lower == "avx512") return Isa::kAvx512;
  return absl::InvalidArgumentError(
      StrCat("unknown instruction set '", name, "'; expected scalar, avx2 or avx512"));
}

Isa DetectedIsa() {
  static const Isa detected = Detect();
  return detected;
}

Isa ActiveIsa() {
  int isa = active_isa.load(std::memory_order_relaxed);
  if (isa < 0) {
    int expected = -1;
    const int initial = static_cast<int>(InitialIsa());
    // Another thread may have initialized it (or called SetIsa) meanwhile; theirs wins.
    active_isa.compare_exchange_strong(expected, initial, std::memory_order_relaxed);
    isa = active_isa.load(std::memory_order_relaxed);
  }
  return static_cast<Isa>(isa);
}

absl::Status SetIsa(Isa isa) {
  if (isa > DetectedIsa()) {
    return absl::FailedPreconditionError(StrCat("this CPU cannot run the ", IsaName(isa),
                                                " kernels; it supports at most ",
                                                IsaName(DetectedIsa())));
  }
  active_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
  return absl::OkStatus();
}

ScopedIsa::ScopedIsa(Isa isa) : previous_(ActiveIsa()), ok_(SetIsa(isa).ok()) {}

ScopedIsa::~ScopedIsa() { SetIsa(previous_).IgnoreError(); }

}  // namespace radixlm::engine
