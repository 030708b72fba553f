# SPDX-License-Identifier: BSL-1.0
# Doxygen's input filter for README.md, so that the guide is a page of the
# reference: the title names the page, and each heading gets the anchor that
# GitHub gives it, which the README's own links use (Doxygen 1.9 makes none).
BEGIN { in_code = 0 }
/^```/ { in_code = !in_code }
!in_code && NR == 1 && /^# / { print "# The awaitify guide {#guide}"; next }
!in_code && /^##+ / {
  title = $0
  sub(/^#+ /, "", title)
  slug = tolower(title)
  gsub(/[^a-z0-9 _-]/, "", slug)
  gsub(/ /, "-", slug)
  print $0 " {#" slug "}"
  next
}
{ print }
