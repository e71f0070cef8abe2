#!/bin/bash
# docker-healthcheck: the image's HEALTHCHECK (installed as /usr/local/bin/docker-healthcheck).
#
# Asks the server itself: `GET /` on its own port must answer either AWS's 200 with the body
# "healthy: dynamodb.<region>.amazonaws.com " or, with --health-answer dynamodb-local (the image's
# default), DynamoDB Local's 400 MissingAuthenticationToken. bash's /dev/tcp does the HTTP, so the
# image needs no curl or wget. The port and address come from DYNAROCK_PORT / DYNAROCK_HOST, then
# the server's command line (found in /proc as the process whose argv[0] ends in /dynarock, PID 1
# normally, another PID under `docker run --init`), so `-port 9000` or `--port 9000` needs no extra
# setting; default 127.0.0.1:8000.
# Exit 0 when healthy, 1 otherwise (Docker's convention).
set -uo pipefail

host=${DYNAROCK_HOST:-127.0.0.1}
port=${DYNAROCK_PORT:-8000}
for f in /proc/[0-9]*/cmdline; do
    mapfile -d '' -t argv <"$f" 2>/dev/null || continue
    [[ ${argv[0]:-} == */dynarock ]] || continue
    for ((i = 1; i + 1 < ${#argv[@]}; i++)); do
        case ${argv[i]} in
        --port | -port) port=${argv[i + 1]} ;;
        --host) host=${argv[i + 1]} ;;
        esac
    done
    break
done
case $host in
0.0.0.0 | '') host=127.0.0.1 ;;
:: | '[::]') host=::1 ;;
esac

exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || exit 1
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 || exit 1
response=""
IFS= read -r -d '' -t 2 response <&3 # reads to end of stream (HTTP/1.0: the server closes)
exec 3<&-
[[ $response == HTTP/1.[01]\ 200* && $response == *$'\r\n\r\n'healthy:\ dynamodb.* ]] && exit 0
[[ $response == HTTP/1.[01]\ 400* && $response == *'#MissingAuthenticationToken"'* ]] && exit 0
exit 1
