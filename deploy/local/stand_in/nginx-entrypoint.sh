#!/bin/sh
# The stand-in gateway base's entrypoint: the part of nginx's official docker-entrypoint.sh the
# gateway image relies on. Each /etc/nginx/templates/*.template is rendered with envsubst
# (only variables that are set, so nginx's own $host etc. stay) into $NGINX_ENVSUBST_OUTPUT_DIR
# without its .template suffix; then the command runs.
set -eu
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
defined=$(env | cut -d= -f1 | sed 's/^/${/; s/$/}/' | tr '\n' ' ')
for template in /etc/nginx/templates/*.template; do
    [ -f "$template" ] || continue
    name=$(basename "$template" .template)
    envsubst "$defined" < "$template" > "$output_dir/$name"
done
exec "$@"
