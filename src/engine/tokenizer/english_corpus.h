// The English prose corpus `radixlm model make` trains tokenizers on.
//
// data/english_corpus.txt, compiled into the library (see CMakeLists.txt): original sentences
// written for radixlm, free of third-party text; docs/TOKENIZER.md describes how it was made.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_ENGLISH_CORPUS_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_ENGLISH_CORPUS_H_

#include <string_view>

namespace radixlm::engine {

std::string_view EnglishTrainingCorpus();

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_ENGLISH_CORPUS_H_
