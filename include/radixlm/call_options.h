// radixlm/call_options.h — deadline and cancellation for one blocking call.
//
// Every blocking radixlm call takes an optional CallOptions (Go's ctx). The effective deadline of a
// call is the earliest of CallOptions::deadline and the configured total timeout. Cancelling the
// token makes a call in flight return absl::CancelledError promptly (the HTTP transfer is woken up,
// not polled), and a call started with an already-cancelled token returns at once.
//
// Example:
//   std::stop_source stop;
//   radixlm::CallOptions options{.deadline = absl::Now() + absl::Seconds(5),
//                                .cancel = stop.get_token()};
//   auto reply = client.CompleteSimple("Hello", options);   // another thread may call stop.request_stop()
#ifndef RADIXLM_CALL_OPTIONS_H_
#define RADIXLM_CALL_OPTIONS_H_

#include <stop_token>

#include "absl/time/time.h"

namespace radixlm {

struct CallOptions {
  // Absolute deadline for the whole call, retries and backoff included. InfiniteFuture() = none.
  absl::Time deadline = absl::InfiniteFuture();
  // Cancellation token; a default-constructed token can never be cancelled.
  std::stop_token cancel;
};

}  // namespace radixlm

#endif  // RADIXLM_CALL_OPTIONS_H_
