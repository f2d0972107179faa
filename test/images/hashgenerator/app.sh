#!/bin/sh
# Like the course's hash generator: prints "<ISO time>: <random hash> <message>" at start and then every
# INTERVAL seconds (default 5). The message is read from message.txt, so editing it and rebuilding the
# image visibly changes what the pod prints. With PORT set (e.g. 8080) it also serves the latest line
# over HTTP (busybox httpd) on that port.
message=$(cat /app/message.txt)
interval=${INTERVAL:-5}
child=
# PID 1 ignores SIGTERM unless it handles it: exit at once so `docker stop` and pod deletion are quick.
trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
if [ -n "$PORT" ]; then
  mkdir -p /tmp/www
  echo "starting" > /tmp/www/index.html
  httpd -f -p "$PORT" -h /tmp/www &
  child=$!
fi
while :; do
  hash=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^\(........\)\(....\)\(....\)\(....\)/\1-\2-\3-\4-/')
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ): $hash $message"
  echo "$line"
  [ -n "$PORT" ] && echo "$line" > /tmp/www/index.html
  sleep "$interval" &
  wait $!
done
