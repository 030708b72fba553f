#define BOOST_TEST_MODULE awaitify
#include <boost/test/unit_test.hpp>
