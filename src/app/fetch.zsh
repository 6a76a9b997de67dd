#compdef fetch
# zsh completion for fetch(1); installed as share/zsh/site-functions/_fetch.

local context state state_descr line
typeset -A opt_args
local -a variables
variables=(
  url url_effective http_code response_code size_download num_redirects filename_effective
  time_namelookup time_connect time_appconnect time_starttransfer time_total errormsg
  exitcode json line final_url ok status content_length bytes redirects elapsed_ms
  error_stage error_message resolve_ms connect_ms tls_ms ttfb_ms reused downgraded error_code
  decoded_bytes content_encoding http_version saved_as retries
)

_arguments -s -S \
  '(- *)'{-h,--help}'[print the options by topic, and examples]' \
  '(- *)--version[print the version]' \
  '(--no-compressed)--compressed[ask for compressed bodies and decode them (the default)]' \
  '(--compressed)--no-compressed[ask for no compression, decode nothing]' \
  '(-I --head)'{-I,--head}'[send HEAD instead of GET]' \
  '(-A --user-agent)'{-A+,--user-agent=}'[the User-Agent header]:text' \
  '(-X --request)'{-X+,--request=}'[the method to send]:method:(GET HEAD POST PUT PATCH DELETE OPTIONS)' \
  '*'{-H+,--header=}'[send this header (Name: value)]:header' \
  '*'{-d+,--data=}'[send this body (@FILE reads a file)]:data' \
  '*--data-raw=[send this body as it is]:data' \
  '*--data-binary=[send this body, a file exactly]:data:_files -P @' \
  '*--json=[send this JSON body]:JSON' \
  '--max-redirects=[follow at most N redirects per URL]:redirects' \
  '--max-filesize=[fail bodies larger than this (512k, 10M, 1G)]:bytes' \
  '(-j --concurrency)'{-j+,--concurrency=}'[URLs in flight at once]:URLs (1-10000)' \
  '--connect-timeout=[limit for DNS, TCP and TLS handshakes]:seconds' \
  '(-m --max-time)'{-m+,--max-time=}'[limit for a whole URL]:seconds' \
  '--dns-servers=[name servers to ask instead of resolv.conf]:ip[\:port],...' \
  '*--resolve=[use these addresses for HOST\:PORT]:host\:port\:addr' \
  '*--connect-to=[connect elsewhere for HOST1\:PORT1]:host1\:port1\:host2\:port2' \
  '--retry=[retry transient failures up to N times]:retries' \
  '--retry-delay=[wait this long before each retry]:seconds' \
  '--retry-max-time=[start no retry past this]:seconds' \
  '--retry-all-errors[retry every failure]' \
  '--parallel-max-host=[at most N connections per origin]:connections' \
  '(-x --proxy)'{-x+,--proxy=}'[send requests through this HTTP proxy]:proxy URL' \
  '--noproxy=[hosts to reach directly]:hosts' \
  '--cacert=[trust the CAs in this PEM bundle instead of the system store]:CA bundle:_files' \
  '(-k --insecure)'{-k,--insecure}'[do not verify certificates]' \
  '--no-sessionid[never resume TLS sessions]' \
  '(--http1.1)--http2[offer HTTP/2 and HTTP/1.1 over TLS (the default)]' \
  '(--http2)--http1.1[offer HTTP/1.1 only]' \
  '--runs=[fetch the list N times (passes)]:passes' \
  '--warmup=[passes first, not counted]:passes' \
  '(-z --duration)'{-z+,--duration=}'[fetch the list over and over for this long]:duration (30s, 5m)' \
  '--rate=[start at most N requests per second, minute or hour]:rate (N/s, N/m, N/h)' \
  '--cold[close idle connections between passes]' \
  '--export-json=[write the benchmark summary as JSON]:file:_files' \
  '--export-markdown=[write the summary as Markdown]:file:_files' \
  '--export-junit=[write thresholds and comparisons as JUnit XML]:file:_files' \
  '*--threshold=[fail (exit 99) unless this holds]:expression' \
  '--baseline=[compare with an earlier --export-json summary]:summary:_files' \
  '--max-regression=[slowdown in per cent that counts]:percent' \
  '--alpha=[significance level of the comparison]:alpha' \
  '--fail-inconclusive[also fail on a slowdown not proven]' \
  '--shard=[take shard K of N (by origin)]:K/N' \
  '*--merge=[combine these summaries, fetch nothing]:summary:_files' \
  '(-f --format -w --write-out)'{-f+,--format=}'[record format]:format:(text tsv json)' \
  '(-f --format -w --write-out)'{-w+,--write-out=}'[write this template per URL, as curl -w]:template:->write_out' \
  '(--color --colour)'{--color=,--colour=}'[colour the text format]:when:(auto always never)' \
  '--ordered[write the records in input order]' \
  '--output-dir=[save each body in this directory]:directory:_directories' \
  '--no-progress[draw no progress line]' \
  '(-q --quiet)'{-q,--quiet}'[no summary, no progress line]' \
  '*:URL list or URL:_files' && return

case $state in
  write_out)
    if [[ $PREFIX == *'%{'* && $PREFIX != *'}' ]]; then
      compset -P '*%{'
      compadd -S '}' -a variables
    fi
    ;;
esac
