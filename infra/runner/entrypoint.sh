#!/bin/sh
# @module entrypoint: the runner container's start: fetch the model folder from S3 when asked, then run the runner.
#   run (default)  sync the model when STOCHEDIT_MODEL_S3_URI is set, then the runner (it replaces this shell)
#   sync-model     the sync alone (a Kubernetes init container filling a volume the runner mounts read-only)
#   anything else  runs as given, for debugging: `docker run ... IMAGE sh`
set -eu
# The repository root (/app in the image): `node --import tsx` resolves tsx from the working directory.
cd "$(dirname "$0")/../.."

case "${1:-run}" in
  run)
    if [ -n "${STOCHEDIT_MODEL_S3_URI:-}" ]; then
      node --import tsx infra/runner/sync-model-cli.ts
    fi
    exec node --import tsx gpu-runner/src/service/main.ts
    ;;
  sync-model)
    exec node --import tsx infra/runner/sync-model-cli.ts
    ;;
  *)
    exec "$@"
    ;;
esac
