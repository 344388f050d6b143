#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (idempotent; root, no service started).
# `npm test` already does this for every suite through scripts/install-test-deps.sh; this is
# the same installer limited to chromium, for running a browser test file alone on a fresh machine.
# Not root and missing: fails with the command to run.
exec bash "$(dirname "$0")/../../scripts/install-test-deps.sh" chromium
