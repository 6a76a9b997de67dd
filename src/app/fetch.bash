# bash completion for fetch(1); installed as share/bash-completion/completions/fetch.
# Self-contained: it needs only bash, not the bash-completion package's helpers.

_fetch() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  local options='-h --help --version
    --compressed --no-compressed -I --head -A --user-agent --max-redirects --max-filesize
    -X --request -H --header -d --data --data-raw --data-binary --json
    -j --concurrency --connect-timeout -m --max-time --dns-servers --resolve --connect-to
    --retry --retry-delay --retry-max-time --retry-all-errors --parallel-max-host
    -x --proxy --noproxy
    --runs --warmup -z --duration --rate --cold --export-json --export-markdown --export-junit
    --threshold --baseline --max-regression --alpha --fail-inconclusive --shard --merge
    --cacert -k --insecure --no-sessionid --http2 --http1.1
    -f --format -w --write-out --color --colour --ordered --output-dir --no-progress -q --quiet'
  local variables='url url_effective http_code response_code size_download num_redirects
    filename_effective time_namelookup time_connect time_appconnect time_starttransfer
    time_total errormsg exitcode json line final_url ok status content_length bytes redirects
    elapsed_ms error_stage error_message resolve_ms connect_ms tls_ms ttfb_ms reused
    downgraded error_code decoded_bytes content_encoding http_version saved_as retries'

  COMPREPLY=()
  case $prev in
    -f | --format)
      mapfile -t COMPREPLY < <(compgen -W 'text tsv json' -- "$cur")
      return
      ;;
    --color | --colour)
      mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "$cur")
      return
      ;;
    --output-dir)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return
      ;;
    --cacert | --export-json | --export-markdown | --export-junit | --baseline | --merge)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    -w | --write-out)
      # The variable being typed: "...%{time_" offers "...%{time_total}" and the rest.
      if [[ $cur == *'%{'* && $cur != *'}' ]]; then
        local head=${cur%'%{'*} partial=${cur##*'%{'} name
        for name in $(compgen -W "$variables" -- "$partial"); do
          COMPREPLY+=("$head%{$name}")
        done
      fi
      return
      ;;
    -A | --user-agent | --max-redirects | --max-filesize | -j | --concurrency | \
      --connect-timeout | -m | --max-time | --dns-servers | -X | --request | -H | --header | \
      -d | --data | --data-raw | --data-binary | --json | --resolve | --connect-to | \
      --retry | --retry-delay | --retry-max-time | --parallel-max-host | -x | --proxy | \
      --noproxy | --runs | --warmup | -z | --duration | --rate | --threshold | \
      --max-regression | --alpha | --shard)
      return  # a value of the user's own
      ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    return
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")  # files of URLs (or a URL, typed whole)
}

complete -o filenames -F _fetch fetch
