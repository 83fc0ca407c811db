"""Bash completion generated from the real argparse parser, so it offers exactly the
commands, options and choices the installed version has: commands, then each command's
options; an option's choices after it; files and folders where a path is taken."""

from __future__ import annotations

import argparse
import shlex

from slideshow.install.home import MARK

#: Metavars of options whose value is a file or folder.
PATH_METAVARS = ("PATH", "FILE", "DIR", "FOLDER")


def bash_completion(parser: argparse.ArgumentParser) -> str:
    commands = _subparsers(parser)
    cases = []
    for name, sub in commands.items():
        options, values, paths, positional = _describe(sub)
        cases.append(f"        {name})\n"
                     f"            options={shlex.quote(' '.join(options))}\n"
                     f"            positional={'files' if positional else 'none'}\n"
                     + "".join(f"            choices[{shlex.quote(flag)}]={shlex.quote(' '.join(c))}\n"
                               for flag, c in values.items())
                     + "".join(f"            choices[{shlex.quote(flag)}]=@files\n" for flag in paths)
                     + "            ;;")
    # -h and --help are every command's too.
    top_options = " ".join(o for a in parser._actions for o in a.option_strings
                           if o not in ("-h", "--help"))
    return f"""# bash completion for slideshow, {MARK};
# `slideshow uninstall` removes it. Generated from the command's own parser.
_slideshow() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
    local command=show word i options positional
    local -A choices=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        case " {' '.join(commands)} " in
            *" $word "*) command=$word; break ;;
        esac
        [[ $word != -* ]] && break  # `slideshow PATH` is the show
    done
    case $command in
{chr(10).join(cases)}
    esac
    if [[ -n ${{choices[$prev]+set}} ]]; then
        if [[ ${{choices[$prev]}} == @files ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
        else
            COMPREPLY=($(compgen -W "${{choices[$prev]}}" -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        (( COMP_CWORD == 1 )) && options="$options {top_options}"
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif (( COMP_CWORD == 1 )); then
        COMPREPLY=($(compgen -W "{' '.join(commands)}" -- "$cur") $(compgen -d -- "$cur"))
    elif [[ $positional == files ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _slideshow slideshow
"""


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _describe(parser: argparse.ArgumentParser) -> tuple[
        list[str], dict[str, tuple[str, ...]], list[str], bool]:
    """The options, the choices of each option that has them, the options that take a
    path, and whether the command takes positional paths."""
    options, values, paths, positional = [], {}, [], False
    for action in parser._actions:
        if not action.option_strings:
            positional = positional or action.nargs not in (0, None) or action.metavar in PATH_METAVARS
            continue
        options += action.option_strings
        if action.nargs == 0:
            continue
        for flag in action.option_strings:
            if action.choices:
                values[flag] = tuple(str(c) for c in action.choices)
            elif str(action.metavar) in PATH_METAVARS or action.type is not None and \
                    getattr(action.type, "__name__", "") in ("Path", "PosixPath", "WindowsPath"):
                paths.append(flag)
    return options, values, paths, positional
