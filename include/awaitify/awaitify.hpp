// SPDX-License-Identifier: BSL-1.0
//
// awaitify/awaitify.hpp
// ~~~~~~~~~~~~~~~~~~~~~
//
// Everything awaitify offers, in one include.
//

#ifndef AWAITIFY_AWAITIFY_HPP
#define AWAITIFY_AWAITIFY_HPP

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/c_error_category.hpp>
#include <awaitify/c_sink.hpp>
#include <awaitify/callback.hpp>
#include <awaitify/completion_signature.hpp>
#include <awaitify/correlator.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/error.hpp>
#include <awaitify/fd_driver.hpp>
#include <awaitify/on.hpp>
#include <awaitify/operation_set.hpp>
#include <awaitify/push_result.hpp>
#include <awaitify/sink.hpp>
#include <awaitify/source_location.hpp>
#include <awaitify/stream.hpp>
#include <awaitify/stream_options.hpp>
#include <awaitify/version.hpp>
#include <awaitify/wrap.hpp>

#endif // AWAITIFY_AWAITIFY_HPP
