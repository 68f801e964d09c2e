#!/bin/bash
# The analysts' endpoints on a running server: the library's took_ms, warm,
# 7 runs each after a warm-up, as min/median/max. Usage: benches/analysis-latency.sh [BASE_URL]
base=${1:-http://127.0.0.1:7878}
m() {
  local name="$1" url="$2"
  curl -s "$base$url" > /dev/null  # warm
  for i in 1 2 3 4 5 6 7; do curl -s "$base$url" | python3 -c "import json,sys; print(json.load(sys.stdin)['took_ms'])"; done | sort -n | python3 -c "
import sys; v=[float(x) for x in sys.stdin]; print('%-60s min %.1f  median %.1f  max %.1f ms' % ('$name', v[0], v[len(v)//2], v[-1]))"
}
m 'timeline "nuclear disarmament"' '/api/timeline?q=nuclear+disarmament'
m 'timeline "climate change" per 10000, top 5' '/api/timeline?q=climate+change&per=10000&top=5'
m 'timeline "apartheid", Japan and China' '/api/timeline?q=apartheid&speaker=Japan&speaker=China'
m 'compare "nuclear disarmament" Japan China' '/api/compare?q=nuclear+disarmament&speaker=Japan&speaker=China'
m 'distinctive "nuclear disarmament" Japan' '/api/distinctive?q=nuclear+disarmament&speaker=Japan'
m 'distinctive "climate change" Tuvalu' '/api/distinctive?q=climate+change&speaker=Tuvalu'
m 'search "nuclear disarmament" (keyword)' '/api/search?q=nuclear+disarmament&mode=keyword'
