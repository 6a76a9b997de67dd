# Types LINE and a TAB into an interactive zsh (on a pseudo-terminal, through zsh/zpty) whose
# completions come from DIR, and prints what the terminal showed: the line as completed.
#   zsh -f zsh_completes.zsh DIR LINE
zmodload zsh/zpty || exit 2
zpty shell 'zsh -f -i'
zpty -w shell "PS1='> '; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D; print READY"
zpty -r -m shell ready '*READY*' || exit 3
zpty -w -n shell "$2"$'\t'
sleep 1
local screen="" chunk
while zpty -r -t shell chunk; do screen+=$chunk; done
print -r -- "$screen"
zpty -d shell
