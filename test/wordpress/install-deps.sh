#!/usr/bin/env bash
# Installs the Debian packages of the WordPress harness (idempotent; root, no service started):
#   wordpress php-cli php-mysql mariadb-server wordpress-theme-twentytwentythree
# `npm test` already does this for every suite through scripts/install-test-deps.sh; this is
# the same installer limited to WordPress, for running a WordPress test file alone on a fresh
# machine. Not root and missing: fails with the command to run.
exec bash "$(dirname "$0")/../../scripts/install-test-deps.sh" wordpress
