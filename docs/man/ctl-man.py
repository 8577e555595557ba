#!/usr/bin/python3
"""Writes sportelloctl(1): the page's text around the command list that `sportelloctl help`
prints, so the page never lists a command the program does not have, nor misses one.

  ctl-man.py SPORTELLOCTL VERSION OUTPUT"""

import subprocess
import sys


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    return "\\&" + text if text.startswith((".", "'")) else text


def commands(help_text):
    lines = help_text.split("Commands:\n", 1)[1].splitlines()
    out = []
    for line in lines:
        if line.startswith("      "):
            out.append(roff(line.strip()))
        elif line.startswith("  "):
            out += [".TP", "\\fB" + roff(line.strip()) + "\\fR"]
        elif line.strip():
            break
    return out


def main():
    ctl, version, output = sys.argv[1:4]
    help_text = subprocess.run([ctl, "help"], capture_output=True, text=True, check=True).stdout
    page = [
        '.TH SPORTELLOCTL 1 "" "Sportello %s" "User Commands"' % version,
        ".SH NAME",
        "sportelloctl \\- drive Sportello (sportellod) from the command line",
        ".SH SYNOPSIS",
        ".B sportelloctl",
        "[\\fB\\-\\-json\\fR] [\\fB\\-\\-bus\\-name\\fR \\fINAME\\fR] \\fICOMMAND\\fR [\\fIARGUMENTS\\fR...]",
        ".br",
        ".B sportelloctl \\-\\-version",
        ".SH DESCRIPTION",
        "sportelloctl is a client of the D\\-Bus API of",
        ".BR sportellod (1)",
        "on the session bus: every method of the API has a command. Sessions are named by their",
        "number (the last part of their object path).",
        ".SH OPTIONS",
        ".TP",
        "\\fB\\-\\-json\\fR",
        "Print JSON instead of text.",
        ".TP",
        "\\fB\\-\\-bus\\-name\\fR \\fINAME\\fR",
        "Talk to the service under this bus name (default org.sportello.Sportello1, or",
        "\\fB$SPORTELLO_BUS_NAME\\fR).",
        ".TP",
        "\\fB\\-\\-version\\fR",
        "Print the version.",
        ".SH COMMANDS",
    ] + commands(help_text) + [
        ".SH EXIT STATUS",
        "0 on success, 1 when the service or a file refused, 2 on a usage error.",
        ".SH SEE ALSO",
        ".BR sportellod (1),",
        ".BR sportello.conf (5)",
    ]
    with open(output, "w") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
