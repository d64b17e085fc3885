#!/bin/sh
# Entrypoint of the service image: one image, five services, chosen by $SERVICE.
#
#   (no arguments) / serve   run the service's HTTP app (its outbox relay and consumers run inside)
#   migrate                  bring the service's database to head (init container, compose job)
#   anything else            run it as a command, e.g. `support-release publish …`, `support-dlq list`
#
# PORT (default 8000) and LISTEN_HOST (default 0.0.0.0) choose where `serve` listens.
set -eu

SERVICES="identity licensing downloads cases notifier"

require_service() {
    case "${SERVICE:-}" in
        identity | licensing | downloads | cases | notifier) ;;
        *)
            echo "entrypoint: set SERVICE to one of: ${SERVICES} (got '${SERVICE:-}')" >&2
            exit 64
            ;;
    esac
}

# The example secrets shipped with the manifests hold REPLACE_ME placeholders. In production they
# must have been replaced: refuse to start rather than run with a key anybody can read in git.
refuse_placeholders_in_production() {
    if env | grep -Eq '^[A-Z]+_ENV=production$' && env | grep -q 'REPLACE_ME'; then
        echo "entrypoint: production settings still contain REPLACE_ME placeholders:" >&2
        env | grep 'REPLACE_ME' | cut -d= -f1 | sed 's/^/  /' >&2
        echo "replace the example secrets (see deploy/k8s/README.md)" >&2
        exit 78
    fi
}

command="${1:-serve}"
case "$command" in
    serve)
        require_service
        refuse_placeholders_in_production
        # uvloop and httptools named, not "auto": a missing wheel fails instead of falling back.
        exec python -m uvicorn --factory "services.${SERVICE}.app:create_app" \
            --host "${LISTEN_HOST:-0.0.0.0}" --port "${PORT:-8000}" --no-access-log \
            --loop uvloop --http httptools
        ;;
    migrate)
        require_service
        refuse_placeholders_in_production
        exec python -m shared.migrate "$SERVICE"
        ;;
    *)
        refuse_placeholders_in_production
        exec "$@"
        ;;
esac
