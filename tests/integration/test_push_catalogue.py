"""The push catalogue with real files (clips.py makes them with GStreamer for each run): each kind
of clip and image is added over D-Bus and with sportelloctl, checked by decoding, copied into the
data dir with a thumbnail of the right colour, listed with its length, kind and sound, kept across
a restart and removed with its files; truncated, fake, undecodable, silent-picture-less and
missing files are refused with exact error names and leave nothing behind."""

import json
import os
import shutil
import sqlite3
import subprocess
import time

import pytest
from gi.repository import Gio, GLib

import clips
from clips import BLUE, CYAN, GREEN, RED, YELLOW
from conftest import AGENT, NAME, ROOT, SPORTELLOCTL

INVALID = "org.sportello.Error.InvalidArgument"
NOT_FOUND = "org.sportello.Error.NotFound"
KEY_TYPES = {"id": "s", "title": "s", "description": "s", "duration-ms": "t", "kind": "s", "path": "s",
             "thumbnail": "s", "has-audio": "b"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every file the tests add or try to add, made once per module."""
    d = tmp_path_factory.mktemp("clips")
    f = {
        "webm": clips.make_webm(d / "red.webm", RED, seconds=2),
        "sound": clips.make_webm(d / "blue-sound.webm", BLUE, seconds=3, audio=True),
        "png": clips.make_image(d / "yellow.png", YELLOW, 640, 480),
        "jpeg": clips.make_image(d / "cyan.jpg", CYAN),
        "sound-only": clips.make_sound_only(d / "tone.ogg"),
        "text": clips.make_text(d / "notes.webm"),
        "missing": d / "nowhere.webm",
    }
    f["truncated"] = clips.truncate(f["webm"], d / "half.webm")
    f["unknown-codec"] = clips.make_unknown_codec(f["webm"], d / "qq8.webm")
    if clips.has_element("openh264enc") and clips.has_element("openh264dec"):
        f["mp4"] = clips.make_mp4(d / "green.mp4", GREEN, seconds=2)
    return f


# name, title, image_seconds, kind, duration in ms, has-audio, colour, extension
GOOD = [
    ("webm", "Red clip", 0, "video", 2000, False, RED, "webm"),
    ("mp4", "Green clip", 0, "video", 2000, False, GREEN, "mp4"),
    ("sound", "Blue clip with a tone", 0, "video", 3000, True, BLUE, "webm"),
    ("png", "Yellow still", 0, "image", 5000, False, YELLOW, "png"),
    ("jpeg", "Cyan still", 12, "image", 12000, False, CYAN, "jpg"),
]


def push_dir(env):
    return env.data / "sportello" / "push"


def files_in_push_dir(env):
    d = push_dir(env)
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def add(env, path, title, description="", seconds=0):
    return env.call(AGENT, "AddPushItem", "sssu", (str(path), title, description, seconds))


def items_by_id(env):
    return {item["id"]: item for item in env.call(AGENT, "ListPushItems")}


def need(files, name):
    if name not in files:
        pytest.skip(f"cannot make the {name} clip here (openh264 missing)")
    return files[name]


def assert_item(env, item, source, title, kind, duration, audio, colour, extension, description=""):
    assert item["title"] == title and item["description"] == description
    assert item["kind"] == kind
    assert item["has-audio"] is audio
    if kind == "image":
        assert item["duration-ms"] == duration
    else:
        assert abs(item["duration-ms"] - duration) <= duration * 0.1, item
    # The copy: DATA_DIR/push/ID.EXT, byte for byte the original.
    copy = push_dir(env) / f"{item['id']}.{extension}"
    assert item["path"] == str(copy)
    assert copy.read_bytes() == source.read_bytes()
    # The thumbnail: a 160x120 PNG of the clip's colour.
    thumbnail = push_dir(env) / f"{item['id']}-thumb.png"
    assert item["thumbnail"] == str(thumbnail)
    assert clips.png_size(thumbnail) == (160, 120)
    assert clips.near(clips.mean_colour(thumbnail), colour), (clips.mean_colour(thumbnail), colour)


@pytest.mark.parametrize("name,title,seconds,kind,duration,audio,colour,extension", GOOD, ids=[g[0] for g in GOOD])
def test_add_over_dbus(service, files, name, title, seconds, kind, duration, audio, colour, extension):
    env = service
    source = need(files, name)
    item_id = add(env, source, title, "For the test", seconds)
    assert item_id.startswith("p-")
    items = env.call(AGENT, "ListPushItems")
    assert [item["id"] for item in items] == [item_id]
    assert_item(env, items[0], source, title, kind, duration, audio, colour, extension, "For the test")
    assert files_in_push_dir(env) == sorted([f"{item_id}.{extension}", f"{item_id}-thumb.png"])

    # Every key has its documented type.
    reply = env.connection.call_sync(NAME, ROOT, AGENT, "ListPushItems", None, None, Gio.DBusCallFlags.NONE, -1,
                                     None)
    first = reply.get_child_value(0).get_child_value(0)
    types = {first.get_child_value(i).get_child_value(0).get_string():
             first.get_child_value(i).get_child_value(1).get_variant().get_type_string()
             for i in range(first.n_children())}
    assert types == KEY_TYPES


def test_catalogue_keeps_its_copy_and_survives_restart(testenv, files, tmp_path):
    env = testenv
    proc = env.start_sportellod()
    source = tmp_path / "leaving.webm"
    shutil.copy(files["webm"], source)
    first = add(env, source, "Red clip")
    second = add(env, files["png"], "Yellow still", "A still", 3)
    source.unlink()  # the original goes away: the catalogue has its own copy
    before = items_by_id(env)
    assert set(before) == {first, second}
    env.stop_sportellod(proc)

    proc = env.start_sportellod()
    after = items_by_id(env)
    assert after == before
    assert_item(env, after[first], files["webm"], "Red clip", "video", 2000, False, RED, "webm")
    assert_item(env, after[second], files["png"], "Yellow still", "image", 3000, False, YELLOW, "png", "A still")
    env.stop_sportellod(proc)


REFUSED = [
    # name, error, words the message must contain
    ("truncated", INVALID, ["is truncated or damaged", "should last 2.0 s"]),
    ("text", INVALID, ["is not in a video or image format"]),
    ("unknown-codec", INVALID, ["needs a decoder that is not installed", "V_QQ8"]),
    ("sound-only", INVALID, ["has no picture to show"]),
    ("missing", NOT_FOUND, ["no file at"]),
]


@pytest.mark.parametrize("name,error,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files(service, files, name, error, words):
    env = service
    source = files[name]
    got, message = env.call_error(AGENT, "AddPushItem", "sssu", (str(source), "Bad", "", 0))
    assert got == error, message
    assert str(source) in message, message
    for word in words:
        assert word in message, message
    assert env.call(AGENT, "ListPushItems") == []
    assert files_in_push_dir(env) == []  # no copy, no thumbnail, no .part
    assert source.exists() == (name != "missing")  # the caller's file is never touched


def test_refused_arguments(service, files, tmp_path):
    env = service
    cases = [
        ((str(files["webm"]), "", "", 0), "a push item needs a title"),
        ((str(files["webm"]), "   ", "", 0), "a push item needs a title"),
        (("red.webm", "Relative", "", 0), "is not an absolute path"),
        ((str(files["png"]), "Too long", "", 3601), "at most 3600 s"),
        ((str(files["png"]), "Far too long", "", 0xFFFFFFFF), "at most 3600 s"),
        ((str(tmp_path), "A directory", "", 0), "is not a regular file"),
    ]
    for args, words in cases:
        name, message = env.call_error(AGENT, "AddPushItem", "sssu", args)
        assert (name, words in message) == (INVALID, True), (args, name, message)
    assert env.call(AGENT, "ListPushItems") == []
    assert files_in_push_dir(env) == []


def test_remove(service, files):
    env = service
    red = add(env, files["webm"], "Red clip")
    still = add(env, files["png"], "Yellow still")
    red_files = [items_by_id(env)[red]["path"], items_by_id(env)[red]["thumbnail"]]

    assert env.call(AGENT, "RemovePushItem", "s", (red,)) == ()
    assert list(items_by_id(env)) == [still]
    assert not any(os.path.exists(p) for p in red_files)
    assert files_in_push_dir(env) == sorted([f"{still}.png", f"{still}-thumb.png"])

    assert env.call_error(AGENT, "RemovePushItem", "s", (red,)) == (NOT_FOUND, f"no push item has the id '{red}'")
    assert env.call_error(AGENT, "RemovePushItem", "s", ("p-nope",))[0] == NOT_FOUND
    assert list(items_by_id(env)) == [still]


def test_remove_leaves_files_outside_the_data_dir(service, files, tmp_path):
    """A row the admin put in the store by hand points at their own files: those stay."""
    env = service
    clip = tmp_path / "mine.webm"
    thumb = tmp_path / "mine.png"
    shutil.copy(files["webm"], clip)
    shutil.copy(files["png"], thumb)
    with sqlite3.connect(env.db_path) as db:
        db.execute("INSERT INTO push_items (id, title, kind, path, thumbnail, duration_ms, added)"
                   " VALUES ('p-mine', 'Mine', 'video', ?, ?, 2000, 1)", (str(clip), str(thumb)))
    assert items_by_id(env)["p-mine"]["has-audio"] is False
    env.call(AGENT, "RemovePushItem", "s", ("p-mine",))
    assert items_by_id(env) == {}
    assert clip.exists() and thumb.exists()


def test_service_answers_while_checking(service, files):
    """AddPushItem copies and decodes in a worker thread: while it works, the service goes on
    answering (were it decoding on its main loop, the first call would wait for all of it)."""
    env = service
    added = []
    env.connection.call(NAME, ROOT, AGENT, "AddPushItem",
                        GLib.Variant("(sssu)", (str(files["sound"]), "Blue", "", 0)), None,
                        Gio.DBusCallFlags.NONE, 25000, None,
                        lambda conn, result: added.append(conn.call_finish(result)))
    context = GLib.MainContext.default()
    answered = 0
    deadline = time.monotonic() + 25
    while not added and time.monotonic() < deadline:
        if env.call(AGENT, "ListPushItems") == []:
            answered += 1  # before the item was stored
        while context.iteration(False):
            pass
    assert added and added[0].unpack()[0].startswith("p-")
    assert answered >= 5, answered


# -- sportelloctl ------------------------------------------------------------------------------------

def ctl_fails(env, *args):
    result = env.ctl(*args, check=False)
    assert result.returncode == 1, result
    assert result.stdout == ""
    return result.stderr


def test_ctl_add_list_remove(service, files, tmp_path):
    env = service
    red = env.ctl("push", "add", str(files["webm"]), "--title", "Red clip", "--description", "Two seconds").stdout
    red = red.strip()
    assert red.startswith("p-") and "\n" not in red
    still = env.ctl("push", "add", str(files["png"]), "--title", "Yellow still", "--seconds", "7").stdout.strip()
    # A relative path is the caller's: sportelloctl makes it absolute.
    shutil.copy(files["sound"], tmp_path / "tone.webm")
    result = subprocess.run([SPORTELLOCTL, "--json", "push", "add", "tone.webm", "--title", "Blue clip"],
                            cwd=tmp_path, env=env.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result
    blue = json.loads(result.stdout)
    assert blue["kind"] == "video" and blue["has-audio"] is True and blue["title"] == "Blue clip"

    items = items_by_id(env)
    assert set(items) == {red, still, blue["id"]}
    assert items[blue["id"]] == blue
    assert_item(env, items[red], files["webm"], "Red clip", "video", 2000, False, RED, "webm", "Two seconds")
    assert_item(env, items[still], files["png"], "Yellow still", "image", 7000, False, YELLOW, "png")

    lines = env.ctl("push", "list").stdout.splitlines()
    assert len(lines) == 3
    by_id = {line.split()[0]: line for line in lines}
    assert by_id[red].split()[1:4] == ["Red", "clip", "video"] and "0:02" in by_id[red]
    assert by_id[still].split()[1:4] == ["Yellow", "still", "image"] and "0:07" in by_id[still]
    assert json.loads(env.ctl("--json", "push", "list").stdout) == env.call(AGENT, "ListPushItems")

    assert env.ctl("push", "remove", red).stdout == f"removed {red}\n"
    assert json.loads(env.ctl("--json", "push", "remove", still).stdout) == {"removed": still}
    assert list(items_by_id(env)) == [blue["id"]]
    stderr = ctl_fails(env, "push", "remove", red)
    assert stderr == f"sportelloctl: {NOT_FOUND}: no push item has the id '{red}'\n"


def test_ctl_refused_files(service, files):
    env = service
    stderr = ctl_fails(env, "push", "add", str(files["truncated"]), "--title", "Half")
    assert stderr.startswith(f"sportelloctl: {INVALID}: '{files['truncated']}' is truncated or damaged"), stderr
    stderr = ctl_fails(env, "push", "add", str(files["text"]), "--title", "Text")
    assert stderr.startswith(f"sportelloctl: {INVALID}: '{files['text']}' is not in a video or image format"), stderr
    stderr = ctl_fails(env, "push", "add", str(files["missing"]), "--title", "Nothing")
    assert stderr == f"sportelloctl: {NOT_FOUND}: no file at '{files['missing']}'\n"
    assert env.call(AGENT, "ListPushItems") == []
    assert files_in_push_dir(env) == []


@pytest.mark.parametrize("args", [
    ["push", "add"],
    ["push", "add", "clip.webm"],
    ["push", "add", "clip.webm", "--title", ""],
    ["push", "add", "clip.webm", "--title", "T", "--seconds", "-1"],
    ["push", "add", "clip.webm", "--title", "T", "--seconds", "many"],
    ["push", "add", "a.webm", "b.webm", "--title", "T"],
    ["push", "remove"],
    ["push", "remove", "p-1", "p-2"],
])
def test_ctl_usage_errors(testenv, args):
    result = testenv.ctl(*args, check=False)
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "usage: sportelloctl push" in result.stderr
