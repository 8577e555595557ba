#!/usr/bin/python3
"""The D-Bus reference, made from the contract (dbus-interfaces/*.xml) at build time, as an HTML
page and a man page (sportello-dbus(7)): every interface, method (arguments with their types),
signal and property with its documentation, the errors each method returns included.

  dbus-reference.py --html OUT.html --man OUT.7 --version V XML…

Standard library only. The doc comments are gtk-doc style (the first line names the member,
"@arg: text" lines describe arguments, <literal>…</literal> marks code); the text is kept as
written, only re-flowed."""

import argparse
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

MEMBER_TAGS = ("method", "signal", "property")


def comments_before(path):
    """{(interface, kind, name): comment text} from the XML, and {interface: comment}."""
    text = Path(path).read_text()
    docs = {}
    interface = None
    pending = None
    token = re.compile(r"<!--(.*?)-->|<(interface|method|signal|property)\s+name=\"([^\"]+)\"", re.S)
    for match in token.finditer(text):
        if match.group(1) is not None:
            pending = match.group(1)
            continue
        kind, name = match.group(2), match.group(3)
        if kind == "interface":
            interface = name
            docs[(interface, "interface", name)] = pending or ""
        else:
            docs[(interface, kind, name)] = pending or ""
        pending = None
    # The interface's own comment comes before <interface> (after <node>): taken above.
    return docs


def parse_doc(comment, name):
    """(summary paragraphs, {arg: text}) from a gtk-doc comment."""
    lines = [line.strip() for line in comment.strip("\n").splitlines()]
    args = {}
    body = []
    for line in lines:
        arg = re.match(r"@(\w+):\s*(.*)", line)
        if arg:
            args[arg.group(1)] = arg.group(2)
        elif re.match(r"%s:\s*$" % re.escape(name), line) or re.match(r"[\w.]+:\s*$", line) and not body:
            continue
        else:
            prefix = re.match(r"%s:\s+(.*)" % re.escape(name), line)
            body.append(prefix.group(1) if prefix and not body else line)
    paragraphs = [" ".join(p.split()) for p in "\n".join(body).split("\n\n")]
    return [p for p in paragraphs if p], args


def clean(text):
    """Plain text: <literal>x</literal> -> x, <link …>x</link> -> x, entities decoded."""
    text = re.sub(r"<link[^>]*>(.*?)</link>", r"\1", text)
    text = re.sub(r"</?literal>", "", text)
    return html.unescape(text)


def to_html(text):
    text = re.sub(r"<link[^>]*>(.*?)</link>", r"\1", text)
    code = re.split(r"(<literal>.*?</literal>)", text)
    out = []
    for part in code:
        if part.startswith("<literal>"):
            out.append("<code>" + html.escape(html.unescape(part[9:-10])) + "</code>")
        else:
            out.append(html.escape(html.unescape(part)))
    return "".join(out)


def model(paths):
    interfaces = []
    for path in paths:
        docs = comments_before(path)
        root = ET.parse(path).getroot()
        for iface in root.findall("interface"):
            name = iface.get("name")
            summary, _ = parse_doc(docs.get((name, "interface", name), ""), name)
            summary = [p for p in summary if not p.startswith("@short_description")]
            short = re.search(r"@short_description:\s*(.*)", docs.get((name, "interface", name), ""))
            members = []
            for element in iface:
                if element.tag not in MEMBER_TAGS:
                    continue
                member = element.get("name")
                paragraphs, arg_docs = parse_doc(docs.get((name, element.tag, member), ""), member)
                args = [(a.get("name") or "", a.get("type"), a.get("direction") or ("out" if element.tag == "signal" else "in"),
                         arg_docs.get(a.get("name") or "", "")) for a in element.findall("arg")]
                members.append({"kind": element.tag, "name": member, "args": args, "doc": paragraphs,
                                "type": element.get("type"), "access": element.get("access")})
            interfaces.append({"name": name, "short": short.group(1).strip() if short else "",
                               "doc": summary, "members": members})
    return interfaces


def signature(member):
    if member["kind"] == "property":
        return f"{member['name']} ({member['type']}, {member['access']})"
    ins = ", ".join(f"{t} {n}" for n, t, d, _ in member["args"] if d == "in")
    outs = ", ".join(f"{t} {n}" for n, t, d, _ in member["args"] if d == "out")
    if member["kind"] == "signal":
        return f"{member['name']} ({outs})"
    return f"{member['name']} ({ins})" + (f" \u2192 ({outs})" if outs else "")


def write_html(interfaces, version, out):
    parts = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>Sportello {version}: D-Bus reference</title>",
             "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "code{background:#f3f4f6;padding:0 .2em}h3{font-family:monospace;margin-bottom:.2em}"
             ".errors{border-left:3px solid #cf222e;padding-left:.6em}dt{font-family:monospace}</style>",
             "</head><body>", f"<h1>Sportello {version}: D-Bus reference</h1>",
             "<p>Bus name <code>org.sportello.Sportello1</code> on the session bus; root object "
             "<code>/org/sportello/Sportello1</code>. Made from <code>dbus-interfaces/*.xml</code>.</p>",
             "<ul>"]
    parts += [f"<li><a href=\"#{i['name']}\">{i['name']}</a>: {to_html(i['short'])}</li>" for i in interfaces]
    parts.append("</ul>")
    for iface in interfaces:
        parts.append(f"<h2 id=\"{iface['name']}\">{iface['name']}</h2>")
        parts += [f"<p>{to_html(p)}</p>" for p in iface["doc"]]
        for kind in MEMBER_TAGS:
            members = [m for m in iface["members"] if m["kind"] == kind]
            if not members:
                continue
            parts.append(f"<h2>{iface['name']}: {kind}s</h2>")
            for member in members:
                anchor = f"{iface['name']}.{member['name']}"
                parts.append(f"<h3 id=\"{anchor}\">{html.escape(signature(member))}</h3>")
                if member["args"] and any(doc for *_, doc in member["args"]):
                    parts.append("<dl>")
                    parts += [f"<dt>{html.escape(n)} ({t})</dt><dd>{to_html(doc)}</dd>"
                              for n, t, _, doc in member["args"]]
                    parts.append("</dl>")
                for paragraph in member["doc"]:
                    css = " class=\"errors\"" if paragraph.startswith("Errors:") else ""
                    parts.append(f"<p{css}>{to_html(paragraph)}</p>")
    parts.append("</body></html>")
    Path(out).write_text("\n".join(parts) + "\n")


def roff(text):
    """Text for roff: backslashes and hyphens escaped, lines never starting a request, anything
    outside ASCII as a \\[uXXXX] glyph (groff -ww takes no raw UTF-8)."""
    text = clean(text).replace("\\", "\\e")
    text = re.sub(r"^([.'])", r"\\&\1", text)
    text = text.replace("\n.", "\n\\&.").replace("-", "\\-")
    return "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)


def write_man(interfaces, version, out):
    lines = [f'.TH SPORTELLO-DBUS 7 "" "Sportello {version}" "Sportello"',
             ".SH NAME", "sportello-dbus \\- the D-Bus API of sportellod",
             ".SH DESCRIPTION",
             "Bus name \\fBorg.sportello.Sportello1\\fR on the session bus; root object "
             "\\fB/org/sportello/Sportello1\\fR. This page is made from the contract "
             "(\\fIdbus-interfaces/*.xml\\fR, installed in \\fI/usr/share/dbus-1/interfaces\\fR).",
             "Errors are \\fBorg.sportello.Error.*\\fR names, listed under each method; a call with "
             "the wrong signature is refused with \\fBorg.freedesktop.DBus.Error.InvalidArgs\\fR."]
    for iface in interfaces:
        lines.append(f".SH {iface['name'].upper()}")
        lines += [".PP\n" + roff(p) for p in [iface["short"]] + iface["doc"] if p]
        for kind in MEMBER_TAGS:
            members = [m for m in iface["members"] if m["kind"] == kind]
            if not members:
                continue
            lines.append(f".SS {kind.capitalize()}s")
            for member in members:
                lines.append(".TP\n\\fB" + roff(signature(member)) + "\\fR")
                first = True
                for n, t, _, doc in member["args"]:
                    if doc:
                        lines.append(("" if first else ".br\n") + f"\\fI{roff(n)}\\fR: {roff(doc)}")
                        first = False
                for paragraph in member["doc"]:
                    lines.append(("" if first else ".IP\n") + roff(paragraph))
                    first = False
    lines += [".SH SEE ALSO", "sportelloctl(1), sportellod(1), sportello.conf(5)"]
    Path(out).write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--html", required=True)
    parser.add_argument("--man", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("xml", nargs="+")
    options = parser.parse_args()
    interfaces = model(options.xml)
    write_html(interfaces, options.version, options.html)
    write_man(interfaces, options.version, options.man)


if __name__ == "__main__":
    main()
