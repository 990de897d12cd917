#!/usr/bin/env bash
# Entry point of the single-user image (deploy/Dockerfile): start this server's own embedded
# local AWS (mastery up: a moto server on 127.0.0.1:4566, about 1 s), refresh the learner's
# working copy of the lessons (new and updated course files, never over the learner's changes;
# in a cohort the exercises come from the exchange, through the Assignments panel), then run
# the command KubeSpawner gives (jupyterhub-singleuser).
set -euo pipefail
mkdir -p "${MASTERY_STATE_DIR:-$HOME/.mastery}"
mastery up
python -c 'from mastery import workspace; print(workspace.sync(trees=("notebooks",)).render())'
cd "${MASTERY_WORKDIR:-$HOME/work}" 2>/dev/null || cd "$HOME"
exec "$@"
