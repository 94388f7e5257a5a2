#!/usr/bin/env bash
# One-step set-up for a fresh Debian/Ubuntu machine that has the Swift toolchain.
#   bash setup.sh run [SCENARIO]   install what is missing, build in release mode, run a scenario
#                                  (default Scenarios/b2b-saas.yaml) and print its summary
#   bash setup.sh test             install what is missing and run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

have_gsl() {
    [ -f /usr/include/gsl/gsl_rng.h ] && command -v pkg-config >/dev/null 2>&1 && pkg-config --exists gsl
}

if ! have_gsl; then
    echo "setup: installing libgsl-dev and pkg-config (GNU Scientific Library)" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libgsl-dev pkg-config >/dev/null
fi

case "${1:-}" in
    run)
        swift build -c release --product subcast
        "$(swift build -c release --show-bin-path)/subcast" run "${2:-Scenarios/b2b-saas.yaml}"
        ;;
    test)
        swift test --disable-xctest
        ;;
    *)
        echo "usage: bash setup.sh run [SCENARIO] | bash setup.sh test" >&2
        exit 64
        ;;
esac
