// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/error.hpp and awaitify/completion_signature.hpp.
//

#include <awaitify/completion_signature.hpp>
#include <awaitify/error.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include <exception>
#include <memory>
#include <string>
#include <type_traits>

namespace {

using awaitify::error_code;

static_assert(std::is_same_v<awaitify::completion_signature_t<void()>, void(error_code)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(int)>, void(error_code, int)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(int, std::string)>,
    void(error_code, int, std::string)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(error_code, int)>, void(error_code, int)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(error_code)>, void(error_code)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(std::exception_ptr, int)>,
    void(std::exception_ptr, int)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(std::unique_ptr<int>)>,
    void(error_code, std::unique_ptr<int>)>);
// Parameters count as their decayed types: `const error_code&` (Asio's own
// handler convention) and `const std::exception_ptr&` are error-first.
static_assert(std::is_same_v<awaitify::completion_signature_t<void(const error_code&, int)>, void(error_code, int)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(error_code&&)>, void(error_code)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(const std::exception_ptr&, int)>,
    void(std::exception_ptr, int)>);
static_assert(std::is_same_v<awaitify::completion_signature_t<void(const std::string&, const int)>,
    void(error_code, std::string, int)>);
static_assert(sys::is_error_code_enum<awaitify::error::errors>::value);

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(category_is_named_awaitify)
{
  BOOST_TEST(awaitify::error::awaitify_category().name() == std::string("awaitify"));
  BOOST_TEST(&awaitify::error::awaitify_category() == &awaitify::error::awaitify_category());
}

BOOST_AUTO_TEST_CASE(errors_compare_with_error_codes)
{
  error_code ec = awaitify::error::callback_dropped;
  BOOST_TEST((ec == awaitify::error::callback_dropped));
  BOOST_TEST((ec != awaitify::error::initiation_failed));
  BOOST_TEST(ec.category().name() == std::string("awaitify"));
  BOOST_TEST(!!ec);
}

BOOST_AUTO_TEST_CASE(every_error_has_a_message)
{
  for (auto e : {awaitify::error::callback_dropped, awaitify::error::initiation_failed,
           awaitify::error::end_of_stream, awaitify::error::overflow,
           awaitify::error::operation_in_progress})
  {
    const std::string message = make_error_code(e).message();
    BOOST_TEST(!message.empty());
    BOOST_TEST(message != "unknown awaitify error");
  }
  BOOST_TEST(error_code(999, awaitify::error::awaitify_category()).message() == "unknown awaitify error");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
