#!/usr/bin/env sh
# A local Herald cluster: one PostgreSQL and N nodes (default 3) on ports 8080, 8081, ...
# Build first with: mvn -B -q package -DskipTests. Ctrl-C stops everything.
exec java -jar "$(dirname "$0")/../target/herald.jar" cluster "${1:-3}"
