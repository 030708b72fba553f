// SPDX-License-Identifier: BSL-1.0
//
// awaitify/version.hpp
// ~~~~~~~~~~~~~~~~~~~~
//
// The library's version. CMake reads it from here, so the project version
// and these macros cannot disagree.
//

#ifndef AWAITIFY_VERSION_HPP
#define AWAITIFY_VERSION_HPP

/// The major version: incremented for incompatible changes.
#define AWAITIFY_VERSION_MAJOR 0
/// The minor version: incremented for added features.
#define AWAITIFY_VERSION_MINOR 1
/// The patch version: incremented for fixes.
#define AWAITIFY_VERSION_PATCH 0

/// @brief The version as one number, `MAJOR * 100000 + MINOR * 100 + PATCH` (as
/// `BOOST_VERSION`), for `#if AWAITIFY_VERSION >= ...`.
#define AWAITIFY_VERSION (AWAITIFY_VERSION_MAJOR * 100000 + AWAITIFY_VERSION_MINOR * 100 + AWAITIFY_VERSION_PATCH)

#endif // AWAITIFY_VERSION_HPP
