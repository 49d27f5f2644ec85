// MadeTinyModel(): a model folder of the "tiny" shape (bf16, seeded random weights, a real
// tokenizer), made once per test process into a folder of its own and removed when the process
// exits. ctest runs test cases as separate processes in parallel, so a folder shared between them
// could be read by one while another rewrites it.
#ifndef RADIXLM_TESTS_SUPPORT_TINY_MODEL_H_
#define RADIXLM_TESTS_SUPPORT_TINY_MODEL_H_

#include <cstdint>
#include <string>

namespace radixlm::testing {

// The folder of the tiny model made with `seed` (made on the first call; a failure is reported
// with ADD_FAILURE and the folder is then incomplete).
const std::string& MadeTinyModel(std::uint64_t seed);

}  // namespace radixlm::testing

#endif  // RADIXLM_TESTS_SUPPORT_TINY_MODEL_H_
